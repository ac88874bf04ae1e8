import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDeployments } from './journey';

const SCREENSHOTS = 'docs/screenshots';
/** Where the sandbox keeps the services' source repositories (playwright.config.ts). */
const SOURCE_REPOS = path.join(process.env.GITOPS_SANDBOX_DIR ?? path.resolve('test-results/sandbox-data'), 'repos');

/**
 * A pull request opened in orders-api's source repository, as GitHub serves it
 * (`refs/pull/<n>/head`): the sandbox's ApplicationSet pull-request generator
 * (examples/gitops-repo/argocd/orders-api-previews.yaml) makes its preview application,
 * the tab lists it under Previews, and closing the pull request tears it down.
 */
test('a pull request’s preview appears on the tab and disappears when the pull request closes', async ({ page }) => {
  test.setTimeout(240_000);
  const remote = path.join(SOURCE_REPOS, 'orders-api.git');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-pr-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Dana Developer', '-c', 'user.email=dana@example.com', ...args], { cwd: dir, stdio: 'pipe' })
      .toString()
      .trim();
  try {
    git('clone', '--quiet', remote, '.');
    git('checkout', '--quiet', '-b', 'feature/faster-checkout');
    fs.appendFileSync(path.join(dir, 'CHANGELOG.md'), '\n- Check out in one step\n');
    git('commit', '--quiet', '-am', 'Check out in one step');
    const sha = git('rev-parse', 'HEAD');
    git('push', '--quiet', 'origin', 'feature/faster-checkout', `${sha}:refs/pull/41/head`);

    await openDeployments(page, 'orders-api');
    const previews = page.getByTestId('previews');
    const row = previews.getByTestId('preview-row-41');
    await expect(row).toBeVisible({ timeout: 120_000 });
    await expect(row).toContainText('Check out in one step');
    await expect(row).toContainText('feature/faster-checkout');
    await expect(row).toContainText(`pr-41-${sha.slice(0, 8)}`);
    await expect(row.getByRole('link', { name: /#41/ })).toHaveAttribute('href', 'https://github.com/example/orders-api/pull/41');
    await expect(row.getByText('Healthy')).toBeVisible({ timeout: 90_000 });
    await previews.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/previews.png`, fullPage: true });

    // Previews are never promotion targets: the environments are unchanged.
    await expect(page.getByTestId('environment-dev')).not.toContainText('pr-41');

    // Closing the pull request: the generator no longer lists it, Argo CD deletes the preview.
    git('push', '--quiet', 'origin', ':refs/pull/41/head');
    await expect(row).toHaveCount(0, { timeout: 120_000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
