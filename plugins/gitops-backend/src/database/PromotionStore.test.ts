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
    const later = (ms: number) => new Date(now.getTime() + ms);
    expect(await store.claimNext('replica-1', 60_000, now)).toBe('a');
    expect(await store.claimNext('replica-2', 60_000, now)).toBeUndefined();
    expect(await store.claimNext('replica-2', 60_000, later(61_000))).toBe('a');
    await store.release('a', 'replica-2');
    expect(await store.claimNext('replica-1', 60_000, later(62_000))).toBe('a');
  });

  it('leases one promotion at a time, oldest first, passing over those asked to skip', async () => {
    const store = await createStore();
    const now = new Date('2026-11-22T10:00:00Z');
    await store.create(promotion('a'), now);
    await store.create(promotion('b', { to: 'prod' }), new Date(now.getTime() + 1));
    expect(await store.claimNext('replica-1', 60_000, now)).toBe('a');
    expect(await store.claimNext('replica-2', 60_000, now)).toBe('b');
    await store.release('a', 'replica-1');
    expect(await store.claimNext('replica-1', 60_000, now, ['a'])).toBeUndefined();
  });

  it('renews a lease only for its holder, and moves a promotion only for the lease holder when asked to', async () => {
    const store = await createStore();
    await store.create(promotion('a'));
    const now = new Date('2026-11-22T10:00:00Z');
    const later = (ms: number) => new Date(now.getTime() + ms);
    await store.claimNext('replica-1', 60_000, now);
    // Renewed before it ran out: nobody else can take it.
    expect(await store.renew('a', 'replica-1', 60_000, later(50_000))).toBe(true);
    expect(await store.claimNext('replica-2', 60_000, later(70_000))).toBeUndefined();
    // Not renewed: it runs out, replica-2 takes it, and replica-1 has lost it.
    expect(await store.claimNext('replica-2', 60_000, later(111_000))).toBe('a');
    expect(await store.renew('a', 'replica-1', 60_000, later(112_000))).toBe(false);
    const writing = { type: 'writing', message: 'w' };
    expect(await store.transition('a', ['approved'], 'writing', writing, {}, later(113_000), 'replica-1')).toBe(false);
    expect(await store.transition('a', ['approved'], 'writing', writing, {}, later(113_000), 'replica-2')).toBe(true);
    expect((await store.get('a'))!.events.map(e => e.type)).toEqual(['requested', 'writing']);
  });

  it('stores the events a promotion is created with in order, after its request', async () => {
    const store = await createStore();
    const changed: string[] = [];
    store.onChange(ref => changed.push(ref));
    await store.create(promotion('a'), new Date(), [{ type: 'gates-overridden', message: 'alice overrode', actor: 'user:default/alice' }]);
    expect((await store.get('a'))!.events.map(e => [e.type, e.actor])).toEqual([
      ['requested', 'user:default/alice'],
      ['gates-overridden', 'user:default/alice'],
    ]);
    expect(changed).toEqual(['component:default/payments-api']);
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
