import { expect, test, type Page } from '@playwright/test';

/**
 * In an app fresh from @backstage/create-app with the suite installed by the README's
 * steps (scripts/adopter-test.sh): the overview card and the Deployments tab of an
 * example service show its environments, and a promotion dev -> staging is committed and followed to
 * succeeded. The same for the created app's default frontend system and the legacy
 * one (ADOPTER_VARIANT).
 */
const VARIANT = process.env.ADOPTER_VARIANT ?? 'default';

async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  // Both created apps' sidebars have Settings (the legacy one has no Catalog entry).
  await expect(page.getByRole('link', { name: 'Settings', exact: true }).first()).toBeVisible();
}

test('the overview card and the Deployments tab show every environment, and orders-api is promoted dev -> staging', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/orders-api');
  const card = page.getByTestId('gitops-deployments-card');
  for (const environment of ['dev', 'staging', 'prod']) {
    await expect(card.getByTestId(`card-environment-${environment}`)).toBeVisible();
  }
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `docs/screenshots/adopter-${VARIANT}-overview.png` });
  // The tab's route, as the README mounts it in the legacy EntityPage and as the new
  // frontend system discovers it.
  await page.goto('/catalog/default/component/orders-api/deployments');
  for (const environment of ['dev', 'staging', 'prod']) {
    await expect(page.getByTestId(`environment-${environment}`)).toBeVisible();
  }
  await expect(page.getByTestId('environment-dev').getByText('2.2.0', { exact: true })).toBeVisible();
  await page.screenshot({ path: `docs/screenshots/adopter-${VARIANT}-deployments.png` });

  // The gates need dev's evidence (synced, healthy, findings read): retry until they pass.
  const dialog = page.getByRole('dialog');
  await expect(async () => {
    await page.getByRole('button', { name: 'Promote 2.2.0 → staging' }).click();
    try {
      await expect(dialog.getByRole('button', { name: 'Promote', exact: true })).toBeEnabled({ timeout: 3_000 });
    } catch (error) {
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      throw error;
    }
  }).toPass({ timeout: 90_000 });
  // The README's sandbox config gives the environments no titles: their names show.
  await expect(dialog.getByTestId('version-change')).toHaveText('staging: 2.1.0 → 2.2.0');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
  const progress = dialog.getByTestId('promotion-progress');
  await expect(progress.getByText(/Committed [0-9a-f]{7}/)).toBeVisible({ timeout: 30_000 });
  await expect(progress.getByText('succeeded')).toBeVisible({ timeout: 120_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('environment-staging').getByText('2.2.0', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  await page.screenshot({ path: `docs/screenshots/adopter-${VARIANT}-promoted.png` });
});

test('the fleet page lists the example services', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/gitops/fleet');
  for (const service of ['payments-api', 'orders-api', 'shipping-api']) {
    await expect(page.getByText(service, { exact: true }).first()).toBeVisible();
  }
});
