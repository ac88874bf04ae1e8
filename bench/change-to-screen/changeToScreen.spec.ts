import { expect, test } from '@playwright/test';
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { signInAsGuest } from '../../packages/app/e2e-tests/signIn';

const SANDBOX_ARGOCD = 'http://localhost:7080';
const SANDBOX_TOKEN = 'sandbox-token';
const SERVICE = 'payments-api';
const CHANGES = Number(process.env.BENCH_CHANGES ?? 20);
const RESULT = process.env.BENCH_RESULT_FILE!;

/** Pushes a new dev image tag to the sandbox's GitOps repository, as CI does. */
function pushDevTag(tag: string, repoURL: string, valuesPath: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ci-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=CI', '-c', 'user.email=ci@example.com', ...args], { cwd: dir, stdio: 'pipe' });
  try {
    git('clone', '--quiet', repoURL, '.');
    const values = path.join(dir, valuesPath, 'values.yaml');
    fs.writeFileSync(values, fs.readFileSync(values, 'utf8').replace(/^(\s*tag:\s*).*$/m, `$1"${tag}"`));
    git('commit', '--quiet', '-am', `bench: ${tag}`);
    git('push', '--quiet', 'origin', 'HEAD');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function application() {
  const response = await fetch(`${SANDBOX_ARGOCD}/api/v1/applications/${SERVICE}-dev`, {
    headers: { authorization: `Bearer ${SANDBOX_TOKEN}` },
  });
  return response.json();
}

/** Polls the sandbox's Argo CD API until the app has synced `tag`: the change's time. */
async function syncedAt(tag: string): Promise<number> {
  for (;;) {
    const app = await application();
    const images: string[] = app.status?.summary?.images ?? [];
    if (app.status?.sync?.status === 'Synced' && images.some(image => image.endsWith(`:${tag}`))) return Date.now();
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

test('change to screen', async ({ page }) => {
  const { spec } = await application();
  await signInAsGuest(page);
  const dev = page.getByTestId('environment-dev');
  // The catalog ingests the sandbox's entities at its own pace after start-up.
  await expect(async () => {
    await page.goto(`/catalog/default/component/${SERVICE}/deployments`);
    await expect(dev).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });

  const samples: number[] = [];
  for (let i = 1; i <= CHANGES; i++) {
    const tag = `9.${Date.now() % 100000}.${i}`;
    pushDevTag(tag, spec.source.repoURL, spec.source.path);
    const shown = dev
      .getByText(tag, { exact: true })
      .waitFor({ timeout: 120_000 })
      .then(() => Date.now());
    const [synced, onScreen] = await Promise.all([syncedAt(tag), shown]);
    samples.push(onScreen - synced);
    console.log(`change ${i}: on screen ${onScreen - synced} ms after the sandbox reported the sync`);
  }
  fs.writeFileSync(RESULT, JSON.stringify(samples));
});
