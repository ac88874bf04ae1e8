import { expect, test, type Locator, type Page } from '@playwright/test';
import { openDeployments } from './journey';
import { signInAsGuest } from './signIn';

/**
 * The delivery insights after the journey: orders-api's staging has had succeeded
 * promotions, two failed ones (a crash-looping rollout, a failed PostSync hook) with their
 * automatic rollbacks, and a manual rollback; its dev has versions CI pushed straight to the GitOps repository,
 * which only Argo CD's sync history knows of. Runs after the journey and the Argo CD
 * operations (file names sort so).
 */
const SCREENSHOTS = 'docs/screenshots';

/** Picks an option of one of the panel's selects (MUI). */
async function choose(page: Page, scope: Locator, label: string, option: string) {
  await scope.getByRole('button', { name: new RegExp(`^${label}`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** A measure's tile: its value and what it counted. */
function tile(panel: Locator, title: string) {
  return panel.getByLabel(title, { exact: true }).locator('..');
}

test("the Deployments tab's insights show the journey's promotions, failures and automatic rollbacks", async ({ page }) => {
  await openDeployments(page, 'orders-api');
  const panel = page.getByTestId('delivery-insights');
  await panel.scrollIntoViewIfNeeded();
  await choose(page, panel, 'Environment', 'Staging');

  const failureRate = tile(panel, 'Change failure rate');
  // Staging's story: four promotions ended (2.2.0, continuous deployment's, 2.3.0 and
  // 2.4.0), two failed and were rolled back automatically (each counted once), and a
  // person rolled staging back once (the version it rolled back counts as failed).
  await expect(failureRate).toContainText('3 failures of 4 changes (2 failed, 1 manual rollback, 2 automatic)', { timeout: 30_000 });
  const frequency = tile(panel, 'Deployment frequency');
  await expect(frequency).toContainText(/\d+ deployments: [1-9]\d* promotions?, [1-9]\d* rollbacks?/);
  await expect(tile(panel, 'Time to restore')).toContainText(/from [1-9]\d* restored failures?/);
  await panel.screenshot({ path: `${SCREENSHOTS}/insights-panel.png` });

  // What CI pushed straight to dev reached it too: counted from Argo CD's sync history.
  await choose(page, panel, 'Environment', 'Development');
  await expect(tile(panel, 'Deployment frequency')).toContainText(/\d+ deployments: 0 promotions, 0 rollbacks, [1-9]\d* direct/, { timeout: 30_000 });
});

test('the fleet page shows the insights by owner and by system', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/gitops/fleet');
  await expect(page.getByText('Delivery insights by owner')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('row', { name: /group:default\/team-orders/ })).toBeVisible({ timeout: 30_000 });
  await choose(page, page.locator('body'), 'Group by', 'System');
  await expect(page.getByText('Delivery insights by system')).toBeVisible();
  const table = page.getByText('Delivery insights by system').locator('xpath=ancestor::div[contains(@class, "MuiPaper-root")][1]');
  await table.scrollIntoViewIfNeeded();
  await table.screenshot({ path: `${SCREENSHOTS}/fleet-insights.png` });
});
