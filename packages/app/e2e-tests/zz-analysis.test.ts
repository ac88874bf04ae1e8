import { expect, test } from '@playwright/test';
import { ciDeploysToDev, openDeployments, promotionRow } from './journey';

const SCREENSHOTS = 'docs/screenshots';

/**
 * A canary judged by its analysis: shipping-api's staging Rollout runs an AnalysisRun of
 * its success rate at half the traffic (examples/gitops-repo, the ingress controller
 * routing it). 3.2.0's success rate drops to 64 % (examples/sandbox/scenario.yaml
 * analysisRuns): the run fails, Argo Rollouts aborts the update, the promotion that
 * continuous deployment started fails naming the metric, and staging's automatic
 * rollback restores 3.1.0. Runs after the journey (which left staging at 3.1.0).
 */
test("a canary whose analysis fails is aborted, the tab names the failing metric, and staging is rolled back", async ({ page }) => {
  test.setTimeout(360_000);
  await openDeployments(page, 'shipping-api');
  const staging = page.getByTestId('environment-staging');
  await expect(staging.getByText('3.1.0', { exact: true })).toBeVisible();
  // The weights the traffic router applied, not only the step's.
  await expect(staging.getByText('(as the traffic router reports)')).toBeVisible();

  await ciDeploysToDev('shipping-api', '3.2.0');
  const failed = promotionRow(page, 'dev → staging', '3.1.0 → 3.2.0');
  await expect(failed.getByText('system:gitops/continuous-deployment')).toBeVisible({ timeout: 120_000 });
  await expect(failed.getByText('failed', { exact: true })).toBeVisible({ timeout: 180_000 });
  await expect(failed.getByTestId('promotion-failure-reason')).toContainText(
    'Step-based analysis phase error/failed: Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
  );

  const rollback = promotionRow(page, 'rollback of staging (automatic)', '3.2.0 → 3.1.0');
  await expect(rollback.getByText('succeeded')).toBeVisible({ timeout: 120_000 });
  await expect(staging.getByText('3.1.0', { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/analysis-failed.png`, fullPage: true });
});
