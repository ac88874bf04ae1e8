import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signInAsGuest } from './signIn';

/** What the journey's tests share: the tab, the sandbox's Argo CD, and what CI does. */

export async function openDeployments(page: Page, service: string, signIn = signInAsGuest) {
  await signIn(page);
  await page.goto(`/catalog/default/component/${service}/deployments`);
  await expect(page.getByTestId('environment-dev')).toBeVisible();
}

export const SANDBOX_ARGOCD = process.env.SANDBOX_ARGOCD_URL ?? 'http://localhost:7080';
export const SANDBOX_TOKEN = process.env.SANDBOX_TOKEN ?? 'sandbox-token';

/**
 * What CI does after building `tag`: clone the GitOps repository (the one Argo CD
 * deploys the service's dev application from), bump the dev image tag, push.
 */
export async function ciDeploysToDev(service: string, tag: string) {
  const response = await fetch(`${SANDBOX_ARGOCD}/api/v1/applications/${service}-dev`, {
    headers: { authorization: `Bearer ${SANDBOX_TOKEN}` },
  });
  expect(response.ok).toBe(true);
  const { spec } = await response.json();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-ci-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=CI', '-c', 'user.email=ci@example.com', ...args], { cwd: dir, stdio: 'pipe' });
  try {
    git('clone', '--quiet', spec.source.repoURL, '.');
    const values = path.join(dir, spec.source.path, 'values.yaml');
    fs.writeFileSync(values, fs.readFileSync(values, 'utf8').replace(/^(\s*tag:\s*).*$/m, `$1"${tag}"`));
    git('commit', '--quiet', '-am', `CI: deploy ${service} ${tag} to dev`);
    // A promotion may push meanwhile: rebase onto it and push again, as CI would.
    for (let attempt = 1; ; attempt++) {
      try {
        git('push', '--quiet', 'origin', 'HEAD');
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        git('pull', '--quiet', '--rebase', 'origin', 'HEAD');
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens the promotion dialog once the source's evidence lets the version through its gates. */
export async function openPromotionWhenGatesPass(page: Page, button: string | RegExp) {
  await expect(async () => {
    await page.getByRole('button', { name: button }).click();
    const promote = page.getByRole('dialog').getByRole('button', { name: 'Promote', exact: true });
    try {
      await expect(promote).toBeEnabled({ timeout: 3_000 });
    } catch (error) {
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      throw error;
    }
  }).toPass({ timeout: 90_000 });
  return page.getByRole('dialog');
}

export function promotionRow(page: Page, promotion: string, versions: string) {
  return page.getByRole('row').filter({ hasText: promotion }).filter({ hasText: versions });
}
