import { expect, test, type Page } from '@playwright/test';
import { ciDeploysToDev, openDeployments, openPromotionWhenGatesPass } from './journey';

const SCREENSHOTS = 'docs/screenshots';

/**
 * One example service per GitOps layout (examples/gitops-repo, examples/helm-charts):
 * each is promoted dev → staging from the tab the same way, the dialog saying where
 * the write goes, followed until healthy, and then rolled back.
 */
const LAYOUTS = [
  {
    service: 'inventory-api',
    layout: 'a branch per environment',
    plan: /merge/i,
    staging: { before: '1.2.0', after: '1.3.0' },
  },
  {
    service: 'pricing-api',
    layout: 'Helm chart versions',
    plan: /chart version/i,
    staging: { before: '1.1.0', after: '1.2.0' },
  },
  {
    service: 'ledger-api',
    layout: 'a pinned git revision',
    plan: /targetRevision/,
    staging: { before: '2.0.0', after: '2.1.0' },
    ci: '2.1.0',
  },
  {
    service: 'search-api',
    layout: 'a multi-source application',
    plan: /apps\/search-api\/staging\/values\.yaml/,
    staging: { before: '3.0.0', after: '3.1.0' },
  },
  {
    service: 'notify-api',
    layout: 'an ApplicationSet list generator',
    plan: /ApplicationSet notify-api/i,
    staging: { before: '1.0.0', after: '1.1.0' },
  },
];

for (const { service, layout, plan, staging: versions, ci } of LAYOUTS) {
  test(`${service} (${layout}) is promoted to staging from the tab and rolled back`, async ({ page }) => {
    test.setTimeout(300_000);
    if (ci) await ciDeploysToDev(service, ci);
    await openDeployments(page, service);
    const staging = page.getByTestId('environment-staging');
    await expect(staging.getByText(versions.before).first()).toBeVisible({ timeout: 60_000 });

    const dialog = await openPromotionWhenGatesPass(page, /^Promote .+ → Staging$/);
    await expect(dialog.getByTestId('promotion-write-plan')).toContainText(plan);
    if (service === 'inventory-api') {
      // What the merge carries, file by file: the environment's values move to 1.3.0.
      await expect(dialog.getByTestId('promotion-branch-diff')).toContainText('apps/inventory-api/values.yaml');
    }
    await page.screenshot({ path: `${SCREENSHOTS}/layout-${service}-promote.png` });
    await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
    await expect(dialog.getByTestId('promotion-progress').getByText('succeeded')).toBeVisible({ timeout: 180_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(staging.getByText(versions.after).first()).toBeVisible({ timeout: 30_000 });

    await rollBack(page, staging);
    await expect(staging.getByText(versions.before).first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText('rollback of staging').first()).toBeVisible();
  });
}

/** Rolls the environment back to the newest version it ran before, followed to succeeded. */
async function rollBack(page: Page, environment: ReturnType<Page['getByTestId']>) {
  await environment.getByRole('button', { name: 'Roll back…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('radio').first().check();
  await dialog.getByLabel('Why').fill('Back to what ran before');
  await dialog.getByRole('button', { name: 'Roll back' }).click();
  await expect(dialog.getByTestId('promotion-progress').getByText('succeeded')).toBeVisible({ timeout: 180_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();
}
