import { mockServices } from '@backstage/backend-test-utils';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import type { ArgoCdClient } from '../argocd/ArgoCdClient';
import type { InventoryApplication, InventoryStore } from '../database/InventoryStore';
import { InventoryRefresher } from './InventoryRefresher';

function memoryStore(): InventoryStore & { apps: InventoryApplication[] } {
  const store = {
    apps: [] as InventoryApplication[],
    async replaceInstance(instance: string, apps: any[], at: Date) {
      store.apps = apps.map(a => ({ instance, ...a, refreshedAt: at }));
    },
    async recordFailure() {},
    async listApplications() {
      return store.apps;
    },
    async listRefreshes() {
      return [];
    },
  };
  return store;
}

describe('InventoryRefresher', () => {
  const rollout = { name: 'payments-api', namespace: 'payments' };
  let app: ReturnType<typeof argoApplication>;
  let live: { image: string };
  const client = {
    name: 'main',
    listApplications: async () => [app],
    getResource: jest.fn(async () => ({ kind: 'Rollout', image: live.image })),
  } as unknown as ArgoCdClient & { getResource: jest.Mock };

  beforeEach(() => {
    app = argoApplication('payments-api-dev', { rollout, revision: 'a'.repeat(40) });
    live = { image: '1.0.0' };
    client.getResource.mockClear();
  });

  it('reads the Rollouts of a settled application once, and again when anything moved', async () => {
    const store = memoryStore();
    const refresher = new InventoryRefresher([client], store, mockServices.logger.mock());
    await refresher.refreshAll();
    await refresher.refreshAll();
    expect(client.getResource).toHaveBeenCalledTimes(1);

    // A new revision is seen while still OutOfSync: the Rollout still runs 1.0.0.
    app = argoApplication('payments-api-dev', { rollout, revision: 'b'.repeat(40), sync: 'OutOfSync' });
    await refresher.refreshAll();
    expect(client.getResource).toHaveBeenCalledTimes(2);

    // Synced, rolled out and Healthy again before the next refresh: read again.
    app = argoApplication('payments-api-dev', { rollout, revision: 'b'.repeat(40) });
    app.status.operationState.finishedAt = '2026-11-22T11:00:00Z';
    live = { image: '1.1.0' };
    await refresher.refreshAll();
    expect(client.getResource).toHaveBeenCalledTimes(3);
    expect(store.apps[0].rollouts).toEqual([{ kind: 'Rollout', image: '1.1.0' }]);
  });

  it('reads the Rollouts of an application that is not Healthy on every refresh', async () => {
    app = argoApplication('payments-api-dev', { rollout, health: 'Suspended' });
    const refresher = new InventoryRefresher([client], memoryStore(), mockServices.logger.mock());
    await refresher.refreshAll();
    await refresher.refreshAll();
    expect(client.getResource).toHaveBeenCalledTimes(2);
  });
});
