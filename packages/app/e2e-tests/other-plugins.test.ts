import { expect, test, type Page } from '@playwright/test';
import { signInAsGuest } from './signIn';

/**
 * The plugins people run beside the suite, unmodified, against the same local GitOps
 * sandbox: Backstage's Kubernetes plugin (the sandbox's Kubernetes API) and Roadie's
 * Argo CD plugin (the sandbox's Argo CD API). Read-only: it changes nothing in the
 * sandbox, and asserts nothing that the journey in app.test.ts (which runs first, on
 * the same sandbox) changes, such as versions, replica counts or pod health.
 *
 * It relies on two settings of those plugins in app-config.yaml: `kubernetes.
 * customResources` listing Argo Rollouts (the pod tables hang off the Rollouts: the
 * sandbox runs no Deployments), and `argocd.revisionsToLoad` (Roadie's default, -1,
 * leaves each application's oldest history entry out, so a history of one is blank).
 */
const SCREENSHOTS = 'docs/screenshots';

test.use({ viewport: { width: 1440, height: 1000 } });

function entityTab(page: Page, tab: string) {
  return page.getByRole('navigation', { name: 'Content navigation' }).getByRole('link', { name: tab, exact: true });
}

async function openEntityTab(page: Page, tab: string) {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/orders-api');
  await entityTab(page, tab).click();
}

test("orders-api's Kubernetes tab shows its pods in the sandbox cluster", async ({ page }) => {
  await openEntityTab(page, 'Kubernetes');
  await expect(page).toHaveURL(/\/catalog\/default\/component\/orders-api\/kubernetes$/);

  // the cluster's summary: the pods labelled backstage.io/kubernetes-id=orders-api
  const cluster = page.getByRole('button', { name: /sandbox\s*Cluster/ });
  await expect(cluster).toBeVisible();
  await expect(cluster.getByText(/^[1-9]\d* pods?$/)).toBeVisible();
  // every object type the plugin lists answered (a 404 for one shows this warning)
  await expect(page.getByText('There was a problem retrieving Kubernetes objects')).toHaveCount(0);

  await cluster.click();
  // the Services the chart renders for orders-api, found by the same label
  await expect(page.getByText('orders-api-preview').first()).toBeVisible();
  // its Rollouts (kubernetes.customResources), each with the pods of its ReplicaSets
  // (the accordion's summary; the button inside it opens the Rollout's drawer)
  const prodRollout = page.getByRole('button', {
    name: /orders-api\s*Rollout\s*namespace: orders-api-prod/,
    expanded: false,
  });
  await expect(prodRollout).toBeVisible();
  await prodRollout.click();
  const pods = page.getByRole('table').filter({ hasText: 'containers ready' });
  await expect(pods.getByRole('row').filter({ hasText: /orders-api-[a-z0-9]+-[a-z0-9]{5}/ }).first()).toBeVisible();
  await expect(pods.getByText(/^(Running|Pending)$/).first()).toBeVisible();
  await expect(page.getByText('There was a problem retrieving Kubernetes objects')).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/kubernetes-tab.png`, fullPage: true });
});

test("orders-api's ArgoCD tab shows its applications' deployments, and the overview their sync and health", async ({
  page,
}) => {
  await openEntityTab(page, 'ArgoCD');
  await expect(page).toHaveURL(/\/catalog\/default\/component\/orders-api\/argocd$/);

  // a row per deployment of the applications argocd/app-selector matches, newest
  // first (five to a page: which applications the first page shows depends on what
  // was deployed last)
  const history = page.getByRole('table').filter({ hasText: 'Deploy Details' });
  await expect(history).toBeVisible();
  await expect(history.getByRole('link', { name: /^orders-api-(dev|staging|prod)$/ }).first()).toBeVisible();
  // every row's commit author and message, from the revision metadata route
  await expect(history.getByText(/<[^>]+@[^>]+>/).first()).toBeVisible();
  await expect(history.getByText('Loading...')).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/argocd-tab.png` });

  // Roadie's overview card: each application's sync and health status
  await entityTab(page, 'Overview').click();
  const overview = page.getByRole('table').filter({ hasText: 'Health Status' });
  await expect(overview).toBeVisible();
  for (const application of ['orders-api-dev', 'orders-api-staging', 'orders-api-prod']) {
    const row = overview.getByRole('row').filter({ hasText: application });
    await expect(row.getByRole('cell', { name: /^(Synced|OutOfSync)$/ })).toBeVisible();
    await expect(row.getByRole('cell', { name: /^(Healthy|Progressing|Suspended|Degraded|Missing)$/ })).toBeVisible();
  }
  await expect(page.getByText('Error occurred while fetching data')).toHaveCount(0);
});
