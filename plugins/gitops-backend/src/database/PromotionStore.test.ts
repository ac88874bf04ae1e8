import { createTestDatabases } from '../__testUtils__/databases';
import { migrationsDirectory } from './migrations';
import { PromotionStore, type NewPromotion } from './PromotionStore';

const databases = createTestDatabases();

const promotion = (id: string, overrides: Partial<NewPromotion> = {}): NewPromotion => ({
  id,
  entityRef: 'component:default/payments-api',
  from: 'dev',
  to: 'staging',
  version: { tag: '1.5.0' },
  requestedBy: 'user:default/alice',
  status: 'approved',
  gates: [{ gate: 'source-healthy', passed: true, evidence: 'ok' }],
  requiredApprovals: 0,
  target: { instance: 'main', appName: 'payments-api-staging', repoURL: 'file:///r.git', branch: 'main', file: 'v.yaml', key: 'image.tag' },
  ...overrides,
});

describe.each(databases.eachSupportedId())('PromotionStore on %p', databaseId => {
  async function createStore() {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest({ directory: migrationsDirectory });
    return new PromotionStore(knex);
  }

  it('allows one active promotion per entity and target, and another once it ends', async () => {
    const store = await createStore();
    await store.create(promotion('a'));
    await expect(store.create(promotion('b'))).rejects.toThrow('Promotion a of component:default/payments-api to staging is still active');
    await store.create(promotion('c', { to: 'prod' }));
    expect(await store.transition('a', ['approved'], 'cancelled', { type: 'cancelled', message: 'by alice' })).toBe(true);
    await store.create(promotion('b'));
    expect((await store.list()).map(p => p.id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('moves state only from the expected states, appending events', async () => {
    const store = await createStore();
    await store.create(promotion('a'));
    expect(await store.transition('a', ['approved'], 'writing', { type: 'writing', message: 'w' })).toBe(true);
    expect(await store.transition('a', ['approved'], 'writing', { type: 'writing', message: 'again' })).toBe(false);
    expect(await store.transition('a', ['writing'], 'committed', { type: 'committed', message: 'c' }, { commitSha: 'abc' })).toBe(true);
    const stored = await store.get('a');
    expect(stored).toMatchObject({ status: 'committed', commit: { sha: 'abc', path: 'v.yaml' } });
    expect(stored!.events.map(e => e.type)).toEqual(['requested', 'writing', 'committed']);
  });

  it('leases a promotion to one worker at a time, until the lease expires', async () => {
    const store = await createStore();
    await store.create(promotion('a'));
    const now = new Date('2026-11-22T10:00:00Z');
    expect(await store.claim('replica-1', 60_000, 10, now)).toEqual(['a']);
    expect(await store.claim('replica-2', 60_000, 10, now)).toEqual([]);
    expect(await store.claim('replica-2', 60_000, 10, new Date(now.getTime() + 61_000))).toEqual(['a']);
    await store.release('a', 'replica-2');
    expect(await store.claim('replica-1', 60_000, 10, new Date(now.getTime() + 62_000))).toEqual(['a']);
  });

  it('records one decision per approver', async () => {
    const store = await createStore();
    await store.create(promotion('a', { status: 'awaiting-approval', requiredApprovals: 1 }));
    await store.addApproval('a', { approver: 'user:default/bob', decision: 'approved' });
    await expect(store.addApproval('a', { approver: 'user:default/bob', decision: 'rejected' })).rejects.toThrow('already decided');
    expect((await store.get('a'))!.approvals).toEqual([
      expect.objectContaining({ approver: 'user:default/bob', decision: 'approved' }),
    ]);
  });
});
