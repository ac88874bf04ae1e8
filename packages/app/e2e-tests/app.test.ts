import { expect, test, type Page } from '@playwright/test';
import { ciDeploysToDev, openDeployments, openPromotionWhenGatesPass, promotionRow } from './journey';
import { signInAsGuest } from './signIn';

/**
 * The journey a user takes through the suite, against the local GitOps sandbox
 * (a real git repository behind an Argo CD and Kubernetes API peer). Each step
 * saves a screenshot for the README.
 */
const SCREENSHOTS = 'docs/screenshots';

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1440, height: 1000 } });

/** The second local identity (auth.providers.localUser): Sam Rivera, group sre. */
async function signInAsSecondUser(page: Page) {
  await page.goto('/');
  const signIn = page.getByRole('button', { name: 'Sign In' });
  await expect(signIn).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/sign-in.png` });
  await signIn.click();
  await expect(
    page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

test('a guest creates a service from a golden-path template and sees it deployed', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/create');
  await expect(page.getByRole('heading', { name: 'Node.js service (TypeScript) with GitOps delivery' })).toBeVisible();
  await page.goto('/create/templates/default/gitops-node-service');
  await page.getByLabel('Name').first().fill('checkout-api');
  await page.getByLabel('Description').fill('Takes the basket to payment');
  const owner = page.getByLabel('Owner').first();
  await owner.click();
  await owner.fill('team-orders');
  await page.getByRole('option', { name: /team-orders/ }).first().click();
  await page.screenshot({ path: `${SCREENSHOTS}/create-service.png` });
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: /Review|Next/ }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByText(/Run completed|Open in catalog|completed/i).first()).toBeVisible({ timeout: 90_000 });

  // The sandbox deploys what gitops:service:register wrote to the GitOps repository.
  await expect(async () => {
    await page.goto('/catalog/default/component/checkout-api/deployments');
    await expect(page.getByTestId('environment-dev').getByText('0.1.0', { exact: true })).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/new-service-deployed.png`, fullPage: true });
});

test('a guest sees every environment of payments-api on its Deployments tab', async ({ page }) => {
  await openDeployments(page, 'payments-api');
  // The environment cards' titles (the insights panel's environment select says one too).
  for (const title of ['Development', 'Staging', 'Production']) {
    await expect(page.locator('span').filter({ hasText: new RegExp(`^${title}$`) }).first()).toBeVisible();
  }
  const dev = page.getByTestId('environment-dev');
  // Versions come from the sandbox's Argo CD API, seeded from examples/gitops-repo.
  await expect(dev.getByText('1.5.0', { exact: true })).toBeVisible();
  await expect(dev.getByText('Synced')).toBeVisible();
  await expect(page.getByTestId('environment-prod').getByText('1.4.2', { exact: true })).toBeVisible();
  await expect(page.getByTestId('environment-staging').getByText('behind dev')).toBeVisible();
  // Trivy findings of the running ReplicaSets, from the sandbox's Kubernetes API.
  await expect(dev.getByText('1 critical (1 fixable)')).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/deployments-tab.png`, fullPage: true });
});

test('the fleet page shows every service in every environment', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/gitops/fleet');
  await expect(page.getByText('payments-api').first()).toBeVisible();
  await expect(page.getByText('orders-api').first()).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/fleet.png` });
});

test('a version with a critical fixable vulnerability is blocked by its gate, with the evidence', async ({ page }) => {
  await openDeployments(page, 'payments-api');
  await page.getByRole('button', { name: 'Promote 1.5.0 → Staging' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('gate-vulnerabilities')).toContainText('1 critical with a fix (max 0)');
  await expect(dialog.getByRole('button', { name: 'Promote', exact: true })).toBeDisabled();
  await page.screenshot({ path: `${SCREENSHOTS}/gate-blocked.png` });

  await dialog.getByRole('tab').first().isVisible().catch(() => undefined);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('environment-dev').getByText('1 critical (1 fixable)').click();
  const findings = page.getByRole('dialog');
  await expect(findings.getByText('CVE-2019-18224')).toBeVisible();
  await findings.getByRole('tab', { name: /Policies/ }).click();
  await expect(findings.getByText('require-run-as-non-root').first()).toBeVisible();
  await expect(findings.getByText('Enforce').first()).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/findings.png` });
});

test('promoting orders-api dev -> staging passes its gates, commits and is followed to succeeded', async ({ page }) => {
  await openDeployments(page, 'orders-api');
  await page.getByRole('button', { name: 'Promote 2.2.0 → Staging' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('version-change')).toHaveText('Staging: 2.1.0 → 2.2.0');
  await expect(dialog.getByTestId('gate-vulnerabilities')).toContainText('0 critical with a fix (max 0)');
  // the commits 2.2.0 ships, from orders-api's source repository (seeded by the sandbox)
  const changes = dialog.getByTestId('source-changes');
  await expect(changes).toContainText('3 commits in https://gitops.local/orders-api (2.1.0 → 2.2.0)');
  await expect(changes.getByText('Idempotency keys on POST /orders')).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/promotion-dialog.png` });
  await dialog.getByLabel('Comment').fill('Ship the new order search');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
  const progress = dialog.getByTestId('promotion-progress');
  await expect(progress.getByText(/Committed [0-9a-f]{7}/)).toBeVisible({ timeout: 30_000 });
  await expect(progress.getByText('succeeded')).toBeVisible({ timeout: 90_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/promotion-succeeded.png` });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('environment-staging').getByText('2.2.0', { exact: true })).toBeVisible({ timeout: 30_000 });

  // 2.2.0's image carries a cloud key (the sandbox's ExposedSecretReport): prod refuses it.
  await page.getByRole('button', { name: 'Promote 2.2.0 → Production' }).click();
  const prod = page.getByRole('dialog');
  await expect(prod.getByTestId('gate-exposed-secrets')).toContainText('1 exposed secret in its images (max 0)', { timeout: 30_000 });
  await expect(prod.getByRole('button', { name: 'Promote', exact: true })).toBeDisabled();
  await page.screenshot({ path: `${SCREENSHOTS}/gate-exposed-secret.png` });
  await prod.getByRole('button', { name: 'Cancel' }).click();
});

test('a canary paused at its manual step is promoted from the tab to completion', async ({ page }) => {
  await openDeployments(page, 'payments-api');
  // The owner overrides the vulnerability gate (recorded) to try 1.5.0 in staging.
  await page.getByRole('button', { name: 'Promote 1.5.0 → Staging' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/Override the failed gates/).check();
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(dialog.getByTestId('promotion-progress').getByText('syncing')).toBeVisible({ timeout: 60_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();

  const staging = page.getByTestId('environment-staging');
  await expect(staging.getByText(/paused: CanaryPauseStep/)).toBeVisible({ timeout: 60_000 });
  await expect(staging.getByText('canary 20% / stable 80%')).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/rollout-paused.png`, fullPage: true });

  await staging.getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(page.getByRole('dialog').getByText('Promote payments-api in Staging?')).toBeVisible();
  await page.getByRole('dialog').getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(staging.getByText(/step [2-6]\/6/)).toBeVisible({ timeout: 30_000 });
  await expect(staging.getByText('step 6/6')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText('succeeded').first()).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/rollout-complete.png`, fullPage: true });
});

test('a version CI ships to dev is followed to staging without a click (continuous deployment)', async ({ page }) => {
  test.setTimeout(360_000);
  // shipping-api opts into continuous deployment to staging (its catalog annotation).
  await openDeployments(page, 'shipping-api');
  await expect(page.getByTestId('environment-staging').getByText('3.0.0', { exact: true })).toBeVisible();
  await ciDeploysToDev('shipping-api', '3.1.0');
  await expect(page.getByTestId('environment-dev').getByText('3.1.0', { exact: true })).toBeVisible({ timeout: 60_000 });
  // Nobody clicks: once dev has verified 3.1.0, the suite promotes it through staging's gates.
  const row = promotionRow(page, 'dev → staging', '3.0.0 → 3.1.0');
  await expect(row.getByText('system:gitops/continuous-deployment')).toBeVisible({ timeout: 90_000 });
  await expect(row.getByText('succeeded')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('environment-staging').getByText('3.1.0', { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/continuous-deployment.png`, fullPage: true });
});

test('a prod promotion waits for a second person, who approves; its canary is stepped to completion from the tab', async ({ page, browser }) => {
  test.setTimeout(360_000);
  await openDeployments(page, 'shipping-api');
  await page.getByRole('button', { name: 'Promote 3.1.0 → Production' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText(/Needs 1 approval from group:default\/sre/)).toBeVisible();
  await dialog.getByLabel('Comment').fill('Faster label printing');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(dialog.getByTestId('promotion-progress').getByText('awaiting approval')).toBeVisible({ timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Approve' }).first().click();
  await expect(page.getByText('You requested this promotion: another person must approve it')).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/awaiting-approval.png`, fullPage: true });

  // Sam Rivera (group sre) signs in on another browser and approves.
  const sam = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  await openDeployments(sam, 'shipping-api', signInAsSecondUser);
  const row = promotionRow(sam, 'staging → prod', '3.0.0 → 3.1.0');
  await row.getByRole('button', { name: 'Approve' }).click();
  await expect(row.getByText(/1\/1 sam approved/)).toBeVisible({ timeout: 30_000 });

  // The commit lands; prod's canary stops at its manual step.
  const prod = sam.getByTestId('environment-prod');
  await expect(prod.getByText(/paused: CanaryPauseStep/)).toBeVisible({ timeout: 90_000 });
  await expect(prod.getByText('canary 20% / stable 80%')).toBeVisible();
  await sam.screenshot({ path: `${SCREENSHOTS}/approved-canary-paused.png`, fullPage: true });

  await prod.getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(sam.getByRole('dialog').getByText('Promote shipping-api in Production?')).toBeVisible();
  await sam.getByRole('dialog').getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(prod.getByText('step 4/4')).toBeVisible({ timeout: 90_000 });
  await expect(row.getByText('succeeded')).toBeVisible({ timeout: 90_000 });
  await expect(prod.getByText('3.1.0', { exact: true })).toBeVisible();
  await expect(prod.getByText('Healthy').first()).toBeVisible();
  await sam.screenshot({ path: `${SCREENSHOTS}/prod-promoted.png`, fullPage: true });
  await sam.context().close();
});

test('rolling back staging to the version it ran before is one commit, followed to succeeded', async ({ page }) => {
  await openDeployments(page, 'orders-api');
  const staging = page.getByTestId('environment-staging');
  await expect(staging.getByText('2.2.0', { exact: true })).toBeVisible();
  await staging.getByRole('button', { name: 'Roll back…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/^2\.1\.0/).check();
  await expect(dialog.getByText('Staging: 2.2.0 → 2.1.0')).toBeVisible();
  await dialog.getByLabel('Why').fill('2.2.0 slows down checkout');
  await dialog.getByRole('button', { name: 'Roll back' }).click();
  await expect(dialog.getByTestId('promotion-progress').getByText('succeeded')).toBeVisible({ timeout: 90_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/rollback.png` });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(staging.getByText('2.1.0', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('rollback of staging')).toBeVisible();
});

test('a promotion whose rollout fails is rolled back automatically, both in the history', async ({ page }) => {
  test.setTimeout(360_000);
  // orders-api 2.3.0 runs in dev, but its pods crash-loop in staging
  // (examples/sandbox/scenario.yaml podFailures); staging has autoRollback.
  await ciDeploysToDev('orders-api', '2.3.0');
  await openDeployments(page, 'orders-api');
  const staging = page.getByTestId('environment-staging');
  await expect(staging.getByText('2.1.0', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Promote 2.3.0 → Staging' })).toBeVisible({ timeout: 60_000 });
  const dialog = await openPromotionWhenGatesPass(page, 'Promote 2.3.0 → Staging');
  await dialog.getByLabel('Comment').fill('New order export');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
  // The Rollout makes no progress, exceeds its progress deadline and aborts: Degraded.
  await expect(dialog.getByTestId('promotion-progress').getByText('failed')).toBeVisible({ timeout: 120_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();

  const failed = promotionRow(page, 'dev → staging', '2.1.0 → 2.3.0');
  await expect(failed.getByText('failed', { exact: true })).toBeVisible();
  const rollback = promotionRow(page, 'rollback of staging (automatic)', '2.3.0 → 2.1.0');
  await expect(rollback.getByText('system:gitops/auto-rollback')).toBeVisible({ timeout: 60_000 });
  await expect(rollback.getByText('succeeded')).toBeVisible({ timeout: 90_000 });
  await expect(staging.getByText('2.1.0', { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/auto-rollback.png`, fullPage: true });
});
