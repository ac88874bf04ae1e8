import type { PullRequestProvider, RepositoryChange } from '@gitops-suite/backstage-plugin-gitops-node';
import { createTestDatabases } from '../__testUtils__/databases';
import { createEngineHarness, newPromotion, sleep, type EngineHarness } from './__testUtils__/engineHarness';

/*
 * Issue 16: a lease never expires mid-work. A replica works one promotion step while a
 * single git command may take minutes (with push retries) or a pull request host may
 * hang; the promotion must stay its own for as long as it works on it, so a second
 * replica never writes, or opens a pull request for, the same promotion at once. A
 * replica that dies stops renewing, and its lease runs out (replicas.test.ts).
 *
 * Two engines (two replicas, each with its own store) share one database; the step of
 * the first takes several leases long; the second runs over and over meanwhile.
 */

const LEASE_MS = 1_000;
const SLOW_STEP_MS = LEASE_MS * 3;

/** Counts how many engines are inside a step of each promotion at once. */
function overlapMeter() {
  const inside = new Map<string, number>();
  const entered: string[] = [];
  let most = 0;
  return {
    entered,
    most: () => most,
    async step(promotionId: string, who: string, ms: number) {
      const now = (inside.get(promotionId) ?? 0) + 1;
      inside.set(promotionId, now);
      most = Math.max(most, now);
      entered.push(who);
      try {
        await sleep(ms);
      } finally {
        inside.set(promotionId, inside.get(promotionId)! - 1);
      }
    },
  };
}

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('promotion leases on %s', databaseId => {
  let harness: EngineHarness;

  beforeEach(async () => {
    harness = await createEngineHarness(databases, databaseId);
  });

  /** Runs `b` again and again while `a`'s run lasts. */
  async function race(a: () => Promise<void>, b: () => Promise<void>) {
    let done = false;
    const first = a().finally(() => {
      done = true;
    });
    await sleep(LEASE_MS / 4);
    while (!done) {
      await b();
      await sleep(20);
    }
    await first;
  }

  it('keeps a promotion with the replica whose git write outlasts the lease', async () => {
    await harness.store.create(newPromotion('p1'));
    const meter = overlapMeter();
    const writer = (who: string) => ({
      async write(change: RepositoryChange) {
        await meter.step(change.trailer.value, who, SLOW_STEP_MS);
        return { sha: 'c'.repeat(40), alreadyPushed: false, unchanged: false };
      },
    });
    const a = harness.engine('replica-a', { leaseMs: LEASE_MS, writer: writer('a') });
    const b = harness.engine('replica-b', { leaseMs: LEASE_MS, writer: writer('b') });
    const leasedUntil: number[] = [];
    await race(
      () => a.runOnce(),
      async () => {
        await b.runOnce();
        const row = await harness.knex('gitops_promotions').where({ id: 'p1' }).first('claimed_by', 'claimed_until');
        if (row.claimed_by) leasedUntil.push(new Date(row.claimed_until).getTime());
      },
    );

    expect(meter.entered).toEqual(['a']);
    expect(meter.most()).toBe(1);
    const p1 = await harness.store.get('p1');
    // (b may have taken the next step once a let go: `syncing`.)
    expect(p1!.events.map(e => e.type).slice(0, 3)).toEqual(['requested', 'writing', 'committed']);
    // The lease moved forward while a worked: renewed, not one long lease.
    const writing = new Date(p1!.events[1].at).getTime();
    expect(Math.max(...leasedUntil)).toBeGreaterThan(writing + LEASE_MS * 2);
  }, 20_000);

  it('never lets two replicas open the pull request of one promotion, however long the host takes', async () => {
    await harness.store.create(newPromotion('p1', {}, { method: 'pull-request' }));
    const meter = overlapMeter();
    const writer = {
      async write() {
        return { sha: 'c'.repeat(40), alreadyPushed: false, unchanged: false };
      },
    };
    const github = (who: string): PullRequestProvider => ({
      supports: () => true,
      async open(request) {
        await meter.step(request.head, who, SLOW_STEP_MS);
        return { url: 'https://github.com/acme/gitops/pull/12', number: 12, state: 'open' };
      },
      get: async () => ({ url: 'https://github.com/acme/gitops/pull/12', number: 12, state: 'open' }),
      close: async () => ({ url: 'https://github.com/acme/gitops/pull/12', number: 12, state: 'closed' }),
    });
    const a = harness.engine('replica-a', { leaseMs: LEASE_MS, writer, pullRequests: [github('a')] });
    const b = harness.engine('replica-b', { leaseMs: LEASE_MS, writer, pullRequests: [github('b')] });
    await race(() => a.runOnce(), () => b.runOnce());

    expect(meter.entered).toEqual(['a']);
    expect(meter.most()).toBe(1);
    const p1 = await harness.store.get('p1');
    expect(p1).toMatchObject({ status: 'pull-request-open', pullRequestUrl: 'https://github.com/acme/gitops/pull/12' });
    expect(p1!.events.map(e => e.type)).toEqual(['requested', 'writing', 'pull-request-opened']);
  }, 20_000);

  it('shares the queue: while one replica is held on a slow promotion, another works the rest', async () => {
    await harness.store.create(newPromotion('p1'), new Date(Date.now() - 2));
    await harness.store.create(newPromotion('p2', { to: 'staging', entityRef: 'component:default/orders-api' }), new Date(Date.now() - 1));
    const meter = overlapMeter();
    const writer = (who: string) => ({
      async write(change: RepositoryChange) {
        await meter.step(change.trailer.value, `${who}:${change.trailer.value}`, change.trailer.value === 'p1' ? SLOW_STEP_MS : 10);
        return { sha: 'c'.repeat(40), alreadyPushed: false, unchanged: false };
      },
    });
    // One lane each: this is about replicas sharing the queue, not one engine's lanes.
    const a = harness.engine('replica-a', { leaseMs: LEASE_MS, concurrency: 1, writer: writer('a') });
    const b = harness.engine('replica-b', { leaseMs: LEASE_MS, concurrency: 1, writer: writer('b') });
    await race(() => a.runOnce(), () => b.runOnce());

    // a took the oldest and stayed on it; b did not wait for a to write p2.
    expect(meter.entered).toEqual(['a:p1', 'b:p2']);
    expect(meter.most()).toBe(1);
  }, 20_000);
});
