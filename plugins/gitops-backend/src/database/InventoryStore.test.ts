import { createTestDatabases } from '../__testUtils__/databases';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { DatabaseInventoryStore } from './InventoryStore';
import { migrationsDirectory } from './migrations';

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('DatabaseInventoryStore on %p', databaseId => {
  async function createStore() {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest({ directory: migrationsDirectory });
    return new DatabaseInventoryStore(knex);
  }

  it('replaces the applications of one instance and leaves the others', async () => {
    const store = await createStore();
    const at = new Date('2026-11-22T10:00:00Z');
    await store.replaceInstance('a', [
      { application: argoApplication('one') as never, rollouts: [] },
      { application: argoApplication('two') as never, rollouts: [{ kind: 'Rollout' }] },
    ], at);
    await store.replaceInstance('b', [{ application: argoApplication('three') as never, rollouts: [] }], at);
    await store.replaceInstance('a', [{ application: argoApplication('two') as never, rollouts: [] }], at);

    const apps = await store.listApplications();
    expect(apps.map(a => `${a.instance}/${a.application.metadata.name}`).sort()).toEqual(['a/two', 'b/three']);
    expect(apps.find(a => a.instance === 'b')?.refreshedAt.toISOString()).toBe(at.toISOString());
  });

  it('stores more applications than one statement can bind', async () => {
    const store = await createStore();
    const apps = Array.from({ length: 450 }, (_, i) => ({
      application: argoApplication(`app-${i}`) as never,
      rollouts: [],
    }));
    await store.replaceInstance('big', apps, new Date());
    expect(await store.listApplications()).toHaveLength(450);
  });

  it('records a failed refresh without losing the last good snapshot', async () => {
    const store = await createStore();
    const good = new Date('2026-11-22T10:00:00Z');
    const bad = new Date('2026-11-22T10:01:00Z');
    await store.replaceInstance('a', [{ application: argoApplication('one') as never, rollouts: [] }], good);
    await store.recordFailure('a', 'connection refused', bad);
    const [refresh] = await store.listRefreshes();
    expect(refresh).toMatchObject({ instance: 'a', error: 'connection refused' });
    expect(refresh.refreshedAt?.toISOString()).toBe(good.toISOString());
    expect(refresh.attemptedAt.toISOString()).toBe(bad.toISOString());
    expect(await store.listApplications()).toHaveLength(1);

    await store.replaceInstance('a', [], new Date('2026-11-22T10:02:00Z'));
    expect((await store.listRefreshes())[0].error).toBeUndefined();
  });
});
