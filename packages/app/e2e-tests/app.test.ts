import { expect, test, type Page } from '@playwright/test';

const SCREENSHOTS = 'docs/screenshots';

async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

test('a guest sees every environment of payments-api on its Deployments tab', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api/deployments');

  for (const title of ['Development', 'Staging', 'Production']) {
    await expect(page.getByText(title, { exact: true })).toBeVisible();
  }
  const dev = page.getByTestId('environment-dev');
  // Versions come from the sandbox's Argo CD API, seeded from examples/gitops-repo.
  await expect(dev.getByText('1.5.0', { exact: true })).toBeVisible();
  await expect(dev.getByText('Synced')).toBeVisible();
  await expect(page.getByTestId('environment-prod').getByText('1.4.2', { exact: true })).toBeVisible();
  await expect(page.getByTestId('environment-staging').getByText('behind dev')).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/deployments-tab.png`, fullPage: true });
});
