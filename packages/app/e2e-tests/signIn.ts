import { expect, type Page } from '@playwright/test';

/** Signs in as guest on the sign-in page and waits for the app's sidebar. */
export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}
