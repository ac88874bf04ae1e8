import { expect, test, type Page } from '@playwright/test';
import { signInAsGuest } from './signIn';

/**
 * The GitOps card on an entity's overview page. Read-only: it opens pages and
 * never promotes, so it can run before, after or beside the journey in app.test.ts.
 */
test.use({ viewport: { width: 1440, height: 1000 } });

test("payments-api's overview shows its environments at a glance and links to the Deployments tab", async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments-api');
  const card = page.getByTestId('gitops-deployments-card');
  await expect(card).toBeVisible();
  // In promotion order, each with a version and Argo CD's sync and health.
  await expect(card.getByTestId(/^card-environment-/)).toHaveCount(3);
  const rows = card.getByTestId(/^card-environment-/);
  await expect(rows.nth(0)).toHaveAttribute('data-testid', 'card-environment-dev');
  await expect(rows.nth(1)).toHaveAttribute('data-testid', 'card-environment-staging');
  await expect(rows.nth(2)).toHaveAttribute('data-testid', 'card-environment-prod');
  for (const title of ['Development', 'Staging', 'Production']) {
    await expect(card.getByText(title, { exact: true })).toBeVisible();
  }
  const dev = card.getByTestId('card-environment-dev');
  // Versions change as the journey promotes: only their shape is checked here.
  await expect(dev.getByText(/^\d+\.\d+\.\d+$/)).toBeVisible();
  await expect(dev.getByText(/^(Synced|OutOfSync|Unknown)$/)).toBeVisible();

  await page.getByRole('link', { name: /View deployments/ }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api\/deployments$/);
  await expect(page.getByTestId('environment-dev')).toBeVisible();
});
