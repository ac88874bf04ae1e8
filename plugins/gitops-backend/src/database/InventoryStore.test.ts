import { createTestDatabases } from '../__testUtils__/databases';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { inventoryEntry } from '../__testUtils__/inventory';
import type { ArgoApplication } from '../argocd/types';
import { DatabaseInventoryStore } from './InventoryStore';
import { migrationsDirectory } from './migrations';

const databases = createTestDatabases();

function entry(instance: string, name: string, resourceVersion: string, health = 'Healthy') {
  return inventoryEntry({
    instance,
    application: argoApplication(name, { resourceVersion, health }) as unknown as ArgoApplication,
  });
}

describe.each(databases.eachSupportedId())('DatabaseInventoryStore on %p', databaseId => {
  async function createStore() {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest({ directory: migrationsDirectory });
    return new DatabaseInventoryStore(knex);
  }

  const health = (apps: { application: ArgoApplication }[]) =>
    Object.fromEntries(apps.map(a => [a.application.metadata.name, a.application.status?.health?.status]));

  it('upserts one application at a time and keeps the other instances', async () => {
    const store = await createStore();
    await store.upsert([entry('a', 'one', '10'), entry('a', 'two', '11'), entry('b', 'one', '5')]);
    await store.upsert([entry('a', 'two', '12', 'Degraded')]);
    expect(health(await store.listApplications('a'))).toEqual({ one: 'Healthy', two: 'Degraded' });
    expect(await store.listApplications()).toHaveLength(3);
  });

  it('never lets an older resourceVersion overwrite a newer one (a replica that is behind)', async () => {
    const store = await createStore();
    await store.upsert([entry('a', 'one', '20', 'Degraded')]);
    await store.upsert([entry('a', 'one', '19', 'Healthy')]);
    expect(health(await store.listApplications())).toEqual({ one: 'Degraded' });
    await store.upsert([entry('a', 'one', '21', 'Healthy')]);
    expect(health(await store.listApplications())).toEqual({ one: 'Healthy' });
  });

  it('keeps a tombstone so a late event cannot revive a deleted application, but a re-created one returns', async () => {
    const store = await createStore();
    await store.upsert([entry('a', 'one', '30')]);
    expect(await store.remove('a', [{ namespace: 'argocd', name: 'one', resourceVersion: '32' }], new Date())).toBe(1);
    expect(await store.listApplications()).toHaveLength(0);

    await store.upsert([entry('a', 'one', '31')]);
    expect(await store.listApplications()).toHaveLength(0);

    await store.upsert([entry('a', 'one', '40')]);
    expect(await store.listApplications()).toHaveLength(1);
  });

  it('does not delete a row newer than the deletion it is told about', async () => {
    const store = await createStore();
    await store.upsert([entry('a', 'one', '50')]);
    expect(await store.remove('a', [{ namespace: 'argocd', name: 'one', resourceVersion: '45' }], new Date())).toBe(0);
    expect(await store.listApplications()).toHaveLength(1);
  });

  it('purges tombstones older than a cut-off', async () => {
    const store = await createStore();
    await store.upsert([entry('a', 'one', '1'), entry('a', 'two', '1')]);
    await store.remove('a', [{ namespace: 'argocd', name: 'one', resourceVersion: '2' }], new Date('2026-11-01T00:00:00Z'));
    expect(await store.purgeTombstones(new Date('2026-11-02T00:00:00Z'))).toBe(1);
    expect(await store.listApplications()).toHaveLength(1);
  });

  it('stores more applications than one statement can bind, with their rollouts and rollout errors', async () => {
    const store = await createStore();
    const apps = Array.from({ length: 450 }, (_, i) => ({
      ...entry('big', `app-${i}`, String(i + 1)),
      rollouts: [{ kind: 'Rollout', metadata: { name: `r-${i}` } }] as never,
      rolloutErrors: i === 0 ? [{ namespace: 'ns', name: 'r-0', message: 'permission denied' }] : [],
    }));
    await store.upsert(apps);
    const stored = await store.listApplications();
    expect(stored).toHaveLength(450);
    expect(stored.find(a => a.application.metadata.name === 'app-0')?.rolloutErrors).toEqual([
      { namespace: 'ns', name: 'r-0', message: 'permission denied' },
    ]);
  });

  it('records a failed list without losing the last good one', async () => {
    const store = await createStore();
    const good = new Date('2026-11-22T10:00:00Z');
    const bad = new Date('2026-11-22T10:01:00Z');
    await store.recordList('a', good);
    await store.recordFailure('a', 'connection refused', bad);
    const [refresh] = await store.listRefreshes();
    expect(refresh).toMatchObject({ instance: 'a', error: 'connection refused' });
    expect(refresh.refreshedAt?.toISOString()).toBe(good.toISOString());
    expect(refresh.attemptedAt.toISOString()).toBe(bad.toISOString());

    await store.recordList('a', new Date('2026-11-22T10:02:00Z'));
    expect((await store.listRefreshes())[0].error).toBeUndefined();
  });
});
