import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/databases';
import { ArgoCdClient } from '../argocd/ArgoCdClient';
import { DatabaseInventoryStore } from '../database/InventoryStore';
import { migrationsDirectory } from '../database/migrations';
import { InstanceFollower } from './InstanceFollower';
import { InventoryModel, type InventoryChange } from './InventoryModel';
import { StreamingArgoCd } from './__testUtils__/streamingArgoCd';

const databases = createTestDatabases();

async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

describe('InstanceFollower', () => {
  let argocd: StreamingArgoCd;
  let follower: InstanceFollower;
  let running: Promise<void>;
  let model: InventoryModel;
  let store: DatabaseInventoryStore;
  let changes: InventoryChange[];
  let ticker: NodeJS.Timeout;

  async function follow(timing: { pollIntervalMs?: number; resyncIntervalMs?: number; stream?: boolean } = {}) {
    const url = await argocd.start();
    const knex = await databases.init('SQLITE_3');
    await knex.migrate.latest({ directory: migrationsDirectory });
    store = new DatabaseInventoryStore(knex);
    model = new InventoryModel();
    changes = [];
    model.onChange(change => changes.push(change));
    follower = new InstanceFollower(
      new ArgoCdClient({ name: 'main', url, token: 't' }, 2_000),
      model,
      store,
      mockServices.logger.mock(),
      { stream: true, pollIntervalMs: 60_000, resyncIntervalMs: 60_000, minBackoffMs: 20, maxBackoffMs: 50, ...timing },
    );
    running = follower.run();
    // The plugin's scheduled task, every pollIntervalMs.
    ticker = setInterval(() => follower.tick(), timing.pollIntervalMs ?? 60_000);
    await follower.firstList;
    await eventually(() => argocd.openStreams > 0 || follower.state.mode === 'polling');
  }

  const health = (name: string) => model.get(`main/argocd/${name}`)?.application.status?.health?.status;
  const streamRequests = () => argocd.requests.filter(r => r.startsWith('GET /api/v1/stream/applications'));
  const listRequests = () => argocd.requests.filter(r => r.startsWith('GET /api/v1/applications?') || r === 'GET /api/v1/applications');

  beforeEach(() => {
    argocd = new StreamingArgoCd();
    argocd.put('checkout-dev');
    argocd.put('checkout-prod');
  });

  afterEach(async () => {
    clearInterval(ticker);
    follower.stop();
    await running;
    await argocd.close();
  });

  it('opens the stream, lists once while it opens, and applies each event as one upsert', async () => {
    await follow();
    expect(follower.state.mode).toBe('streaming');
    expect(streamRequests()).toEqual(['GET /api/v1/stream/applications?resourceVersion=1']);
    expect(changes).toHaveLength(1);

    argocd.put('checkout-dev', { health: 'Degraded' });
    await eventually(() => health('checkout-dev') === 'Degraded');
    expect(changes.at(-1)?.entries.map(e => e.application.metadata.name)).toEqual(['checkout-dev']);
    expect(listRequests()).toHaveLength(1);
    const stored = await store.listApplications();
    expect(stored.find(e => e.application.metadata.name === 'checkout-dev')?.application.status?.health?.status).toBe('Degraded');
  });

  it('removes a deleted application and leaves a tombstone a late event cannot revive', async () => {
    await follow();
    const before = argocd.apps.get('checkout-prod')!;
    argocd.delete('checkout-prod');
    await eventually(() => !model.get('main/argocd/checkout-prod'));
    await eventually(async () => (await store.listApplications()).length === 1);
    // A slower replica's MODIFIED from before the deletion.
    await store.upsert([{ instance: 'main', application: before as never, rollouts: [], rolloutErrors: [], observedAt: new Date() }]);
    expect((await store.listApplications()).map(e => e.application.metadata.name)).toEqual(['checkout-dev']);
  });

  it('reconnects after a break, resuming from the last resourceVersion, and lists once to close the gap', async () => {
    await follow();
    argocd.put('checkout-dev', { health: 'Progressing' });
    await eventually(() => health('checkout-dev') === 'Progressing');
    argocd.breakStreams();
    // Changed while no stream was open: Argo CD will not replay it.
    argocd.put('checkout-prod', { health: 'Degraded' });
    await eventually(() => health('checkout-prod') === 'Degraded');
    await eventually(() => argocd.openStreams > 0);
    expect(streamRequests()[1]).toMatch(/resourceVersion=10[34]$/);
    expect(listRequests()).toHaveLength(2);
    argocd.put('checkout-dev', { health: 'Healthy' });
    await eventually(() => health('checkout-dev') === 'Healthy');
  });

  it('reconnects when Argo CD ends the stream with an error line', async () => {
    await follow();
    argocd.failStreams('permission denied');
    await eventually(() => streamRequests().length === 2 && argocd.openStreams > 0);
    argocd.put('checkout-dev', { health: 'Degraded' });
    await eventually(() => health('checkout-dev') === 'Degraded');
    // The second stream resumed where the first ended, not from the start.
    expect(streamRequests()[1]).toMatch(/resourceVersion=(?!1$)\d+$/);
  });

  it('ignores an event older than what it holds', async () => {
    await follow();
    const stale = { ...argocd.apps.get('checkout-dev')!, metadata: { ...argocd.apps.get('checkout-dev')!.metadata, resourceVersion: '50' } };
    (stale as any).status = { ...stale.status, health: { status: 'Missing' } };
    model.upsert('main', [{ instance: 'main', application: stale as never, rollouts: [], rolloutErrors: [], observedAt: new Date() }]);
    expect(health('checkout-dev')).toBe('Healthy');
  });

  it('polls, and says why, where the stream is refused', async () => {
    argocd.streamMode = 'refused';
    await follow({ pollIntervalMs: 50 });
    expect(follower.state).toMatchObject({ mode: 'polling', modeReason: expect.stringContaining('does not serve the watch stream (404') });
    argocd.put('checkout-dev', { health: 'Degraded' });
    await eventually(() => health('checkout-dev') === 'Degraded');
  });

  it('polls where a proxy buffers the stream: resyncs keep finding changes it never delivered', async () => {
    argocd.streamMode = 'buffered';
    await follow({ pollIntervalMs: 30, resyncIntervalMs: 150 });
    expect(follower.state.mode).toBe('streaming');
    const timer = setInterval(() => argocd.put('checkout-dev', { health: Math.random() > 0.5 ? 'Degraded' : 'Progressing' }), 40);
    try {
      await eventually(() => follower.state.mode === 'polling', 5_000);
    } finally {
      clearInterval(timer);
    }
    expect(follower.state.modeReason).toMatch(/proxy may buffer/);
    argocd.put('checkout-prod', { health: 'Degraded' });
    await eventually(() => health('checkout-prod') === 'Degraded');
  });

  it('polls when streaming is switched off', async () => {
    await follow({ stream: false, pollIntervalMs: 50 });
    expect(follower.state).toMatchObject({ mode: 'polling', modeReason: 'gitops.argocd.stream is off' });
    expect(streamRequests()).toEqual([]);
    argocd.put('checkout-dev', { health: 'Degraded' });
    await eventually(() => health('checkout-dev') === 'Degraded');
  });

  it('keeps a Rollout that could not be read as unknown with the error, and one Argo CD does not have as absent', async () => {
    argocd.put('checkout-dev', { rollout: { name: 'checkout', namespace: 'checkout-dev' } });
    argocd.put('checkout-prod', { rollout: { name: 'checkout', namespace: 'checkout-prod' } });
    argocd.rolloutStatus.set('checkout-dev', 403);
    argocd.rolloutStatus.set('checkout-prod', 404);
    await follow();
    const dev = model.get('main/argocd/checkout-dev')!;
    expect(dev.rollouts).toEqual([]);
    expect(dev.rolloutErrors).toEqual([
      { namespace: 'checkout-dev', name: 'checkout', message: expect.stringContaining('403') },
    ]);
    const prod = model.get('main/argocd/checkout-prod')!;
    expect(prod).toMatchObject({ rollouts: [], rolloutErrors: [] });

    argocd.rolloutStatus.delete('checkout-dev');
    argocd.put('checkout-dev', { rollout: { name: 'checkout', namespace: 'checkout-dev' }, health: 'Progressing' });
    await eventually(() => model.get('main/argocd/checkout-dev')!.rollouts.length === 1);
    expect(model.get('main/argocd/checkout-dev')!.rolloutErrors).toEqual([]);
  });

  it('re-reads a settled application\'s Rollouts only when the event changed it', async () => {
    argocd.put('checkout-dev', { rollout: { name: 'checkout', namespace: 'checkout-dev' } });
    await follow();
    const reads = () => argocd.requests.filter(r => r.includes('/checkout-dev/resource?')).length;
    expect(reads()).toBe(1);
    // Same state, new resourceVersion (a reconciliation): no live read.
    argocd.put('checkout-dev', { rollout: { name: 'checkout', namespace: 'checkout-dev' } });
    await eventually(() => model.get('main/argocd/checkout-dev')!.application.metadata.resourceVersion === argocd.apps.get('checkout-dev')!.metadata.resourceVersion);
    expect(reads()).toBe(1);
    argocd.put('checkout-dev', { rollout: { name: 'checkout', namespace: 'checkout-dev' }, revision: 'b'.repeat(40) });
    await eventually(() => reads() === 2);
  });

  it('reads the Rollouts of an application whose analysis runs again on each tick: its measurements change, the Application does not', async () => {
    const rollout = (status: string) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'checkout', namespace: 'checkout-prod' },
      spec: {},
      status: { canary: { currentStepAnalysisRunStatus: { name: 'checkout-run', status } } },
    });
    const run = (measured: number) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'checkout-run', namespace: 'checkout-prod' },
      spec: { metrics: [{ name: 'success-rate', successCondition: 'result[0] >= 0.95', provider: { prometheus: {} } }] },
      status: { phase: 'Running', metricResults: [{ name: 'success-rate', phase: 'Running', count: measured, successful: measured }] },
    });
    argocd.liveObjects.set('Rollout/checkout', rollout('Running'));
    argocd.liveObjects.set('AnalysisRun/checkout-run', run(1));
    argocd.put('checkout-prod', { health: 'Progressing', rollout: { name: 'checkout', namespace: 'checkout-prod' } });
    await follow();
    const measurements = () => model.get('main/argocd/checkout-prod')?.analysisRuns?.[0]?.status?.metricResults?.[0]?.count;
    expect(measurements()).toBe(1);

    argocd.liveObjects.set('AnalysisRun/checkout-run', run(2));
    await follower.tick();
    expect(measurements()).toBe(2);
    const stored = await store.listApplications();
    expect(stored.find(e => e.application.metadata.name === 'checkout-prod')?.analysisRuns?.[0]?.status?.metricResults?.[0]?.count).toBe(2);

    // Once the run is done nothing is read again until Argo CD reports a change.
    argocd.liveObjects.set('Rollout/checkout', rollout('Successful'));
    await follower.tick();
    const reads = argocd.requests.filter(r => r.includes('/resource?')).length;
    await follower.tick();
    expect(argocd.requests.filter(r => r.includes('/resource?')).length).toBe(reads);
  });
});
