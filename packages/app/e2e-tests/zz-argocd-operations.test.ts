import { expect, test } from '@playwright/test';
import { ciDeploysToDev, openDeployments, openPromotionWhenGatesPass, promotionRow } from './journey';
import { signInAsGuest } from './signIn';

/**
 * Argo CD operations and stopping the line, from the tab, against the sandbox. Runs
 * after the journey (the file name sorts last): it leaves no stop behind.
 */
const SCREENSHOTS = 'docs/screenshots';

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1440, height: 1000 } });

test('a sync from the tab goes through Argo CD and shows who started it', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api/deployments');
  const dev = page.getByTestId('application-payments-api-dev');
  await expect(dev).toBeVisible();
  await dev.getByRole('button', { name: 'Sync…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('Sync payments-api-dev in Development?')).toBeVisible();
  await dialog.getByLabel('Prune resources no longer in git').check();
  await page.screenshot({ path: `${SCREENSHOTS}/sync-dialog.png` });
  await dialog.getByRole('button', { name: 'Sync', exact: true }).click();
  // The sandbox records the caller of a manual sync as Argo CD does (the token's user).
  await expect(dev.getByText(/Sync (running|succeeded) by (?!auto-sync)/)).toBeVisible({ timeout: 30_000 });
});

test('a stopped line refuses a promotion with its reason, until it is lifted', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api/deployments');
  await page.getByRole('button', { name: 'Stop the line…' }).click();
  const stop = page.getByRole('dialog');
  // Every environment: whichever promotion payments-api has next is held.
  await expect(stop.getByLabel('Environment')).toHaveText(/Every environment/);
  await stop.getByLabel(/Why/).fill('Incident 4711: payments degraded in eu-west');
  await stop.getByRole('button', { name: 'Stop the line', exact: true }).click();

  const banner = page.getByTestId('line-stops');
  await expect(banner.getByText('Promotions into every environment are stopped')).toBeVisible();
  await expect(banner.getByText(/Incident 4711: payments degraded in eu-west/)).toBeVisible();
  await page.getByRole('button', { name: /^Promote .+ → / }).first().click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText(/The line into every environment is stopped by .+: Incident 4711: payments degraded in eu-west/)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Promote', exact: true })).toBeDisabled();
  await page.screenshot({ path: `${SCREENSHOTS}/line-stopped.png` });
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The fleet page shows it too.
  await page.goto('/gitops/fleet');
  await expect(page.getByText('Promotions into every environment are stopped')).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/fleet-line-stopped.png` });
  await page.getByRole('button', { name: 'Lift' }).click();
  await expect(page.getByText('Promotions into every environment are stopped')).toHaveCount(0);
});

test('a PostSync hook that fails in staging fails the promotion, naming the hook, and staging is rolled back', async ({ page }) => {
  test.setTimeout(360_000);
  // examples/sandbox/scenario.yaml syncHooks: orders-api-staging's smoke-test Job fails for 2.4.0.
  await ciDeploysToDev('orders-api', '2.4.0');
  await openDeployments(page, 'orders-api');
  await expect(page.getByRole('button', { name: 'Promote 2.4.0 → Staging' })).toBeVisible({ timeout: 60_000 });
  const dialog = await openPromotionWhenGatesPass(page, 'Promote 2.4.0 → Staging');
  await dialog.getByLabel('Comment').fill('Order search v2');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
  // Synced and Healthy, then Argo CD runs the PostSync hook, which fails.
  const progress = dialog.getByTestId('promotion-progress');
  await expect(
    progress.getByRole('alert').getByText(/orders-api-staging: PostSync hook Job orders-api-smoke-test failed: Job has reached the specified backoff limit/),
  ).toBeVisible({ timeout: 120_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/sync-hook-failed.png` });
  await dialog.getByRole('button', { name: 'Close' }).click();

  const rollback = promotionRow(page, 'rollback of staging (automatic)', '2.4.0 → 2.1.0');
  await expect(rollback.getByText('succeeded')).toBeVisible({ timeout: 120_000 });
  const staging = page.getByTestId('environment-staging');
  await expect(staging.getByText('2.1.0', { exact: true })).toBeVisible({ timeout: 30_000 });
  // The rollback's sync ran the same hook, and it passed on 2.1.0.
  await expect(page.getByTestId('application-orders-api-staging').getByText(/PostSync orders-api-smoke-test Succeeded/)).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/sync-hook-rolled-back.png`, fullPage: true });
});
