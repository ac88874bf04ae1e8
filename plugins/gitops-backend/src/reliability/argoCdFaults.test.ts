import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { DeploymentsResponse } from '@gitops-suite/backstage-plugin-gitops-common';
import request from 'supertest';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { startGitopsTestBackend, testConfig } from '../__testUtils__/testBackend';
import { hang, htmlError, json, slow, startFakePeer, timed, type FakePeer, type PeerBehaviour } from './__testUtils__/fakePeer';
import { alice, createWorld, ENTITY_PATH, startWorldBackend } from './__testUtils__/world';

/**
 * Fault injection on the Argo CD peers: real HTTP servers that fail, hang or answer
 * slowly. The Deployments view reads the inventory snapshot, so it must answer at once
 * whatever Argo CD does, name the failing instance, keep the last good data, and
 * recover at the next refresh once the instance does.
 */

const REQUEST_TIMEOUT_MS = 2_000;
const DEPLOYMENTS = '/api/gitops/v1/entities/component/default/payments-api/deployments';
/** A page view never waits on Argo CD: well under one upstream timeout. */
const VIEW_BUDGET_MS = 1_000;

type MockScheduler = ReturnType<typeof mockServices.scheduler> & { triggerTask(id: string): Promise<void> };

const labels = (env?: string) => ({ 'app.kubernetes.io/name': 'payments-api', ...(env ? { env } : {}) });
const applications = (tag: string) =>
  json(200, {
    items: [argoApplication('payments-api-dev', { labels: labels('dev'), image: `ghcr.io/example/payments-api:${tag}` })],
  });
const stagingApplications = json(200, {
  items: [argoApplication('payments-api-staging', { labels: labels(), image: 'ghcr.io/example/payments-api:1.4.2' })],
});

describe('Argo CD faults', () => {
  let main: FakePeer;
  let eu: FakePeer;
  let scheduler: MockScheduler;

  beforeEach(async () => {
    main = await startFakePeer(applications('1.5.0'));
    eu = await startFakePeer(stagingApplications);
    scheduler = mockServices.scheduler() as MockScheduler;
  });
  afterEach(async () => {
    await main.close();
    await eu.close();
  });

  const start = (requestTimeoutMs = REQUEST_TIMEOUT_MS) =>
    startGitopsTestBackend({
      scheduler,
      config: {
        gitops: {
          environments: testConfig.gitops.environments,
          argocd: {
            // These peers serve no watch stream: the inventory polls on the refresh task.
            stream: false,
            refreshIntervalSeconds: 1,
            requestTimeoutMs,
            instances: [
              { name: 'main', url: main.url, token: 'main-token' },
              { name: 'eu', url: eu.url, token: 'eu-token' },
            ],
          },
        },
      },
    });
  const refresh = () => scheduler.triggerTask('gitops-argocd-inventory-refresh');

  async function view(backend: Awaited<ReturnType<typeof start>>) {
    const { ms, result } = await timed(() => request(backend).get(DEPLOYMENTS));
    expect(result.status).toBe(200);
    expect(ms).toBeLessThan(VIEW_BUDGET_MS);
    return result.body as DeploymentsResponse;
  }
  const tagIn = (body: DeploymentsResponse, env: string) => body.environments.find(e => e.name === env)?.version?.tag;

  it.each<[string, PeerBehaviour, RegExp]>([
    ['answers 500', json(500, { error: 'boom', code: 13, message: 'internal error' }), /answered 500 for \/api\/v1\/applications: internal error/],
    ['answers a proxy HTML 502 page', htmlError(502), /answered 502 for \/api\/v1\/applications/],
    ['answers 200 with a body that is not JSON', (_req, res) => res.end('<html>login</html>'), /not valid JSON/],
    ['hangs', hang, new RegExp(`timed out after ${REQUEST_TIMEOUT_MS} ms`)],
    ['answers after 5 s, past the timeout', slow(5_000, applications('1.5.0')), new RegExp(`timed out after ${REQUEST_TIMEOUT_MS} ms`)],
  ])('when one instance %s, the view shows the other instance and names the failing one', async (_what, fault, message) => {
    main.behave(fault);
    const { ms: startup, result: backend } = await timed(() => start());
    // The start-up refresh waits at most one request timeout on the failing instance.
    expect(startup).toBeLessThan(REQUEST_TIMEOUT_MS + 3_000);

    const body = await view(backend);
    expect(tagIn(body, 'staging')).toBe('1.4.2');
    expect(body.environments.find(e => e.name === 'dev')?.applications).toEqual([]);
    expect(body.errors).toEqual([{ source: 'argocd:main', message: expect.stringMatching(message) }]);
    // An HTML error page is cut short, never echoed whole.
    expect(body.errors[0].message.length).toBeLessThan(400);
  });

  it('keeps the last good snapshot while an instance hangs, and recovers when it answers again', async () => {
    const backend = await start();
    expect(tagIn(await view(backend), 'dev')).toBe('1.5.0');

    main.behave(hang);
    const { ms } = await timed(refresh);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1_000);
    const stale = await view(backend);
    expect(tagIn(stale, 'dev')).toBe('1.5.0');
    expect(tagIn(stale, 'staging')).toBe('1.4.2');
    expect(stale.errors).toEqual([
      {
        source: 'argocd:main',
        message: expect.stringMatching(/^Argo CD instance 'main' GET \/api\/v1\/applications failed: timed out after 2000 ms \(showing data from .+\)$/),
      },
    ]);
    const health = await request(backend).get('/api/gitops/health').expect(200);
    expect(health.body.instances).toEqual([
      expect.objectContaining({ name: 'main', error: expect.stringContaining('timed out') }),
      { name: 'eu', refreshedAt: expect.any(String), lastEventAt: expect.any(String), mode: 'polling', modeReason: 'gitops.argocd.stream is off' },
    ]);

    main.behave(applications('1.6.0'));
    await refresh();
    const recovered = await view(backend);
    expect(tagIn(recovered, 'dev')).toBe('1.6.0');
    expect(recovered.errors).toEqual([]);
  });

  it('answers page views at once while a refresh waits 5 s on a slow instance', async () => {
    const backend = await start(8_000);
    main.behave(slow(5_000, applications('1.6.0')));
    const slowRefresh = timed(refresh);

    // Ten page views during the slow refresh: each answered from the snapshot.
    for (let i = 0; i < 10; i++) {
      const body = await view(backend);
      expect(tagIn(body, 'dev')).toBe('1.5.0');
      expect(body.errors).toEqual([]);
      await new Promise(resolve => setTimeout(resolve, 100));
    }

    const { ms } = await slowRefresh;
    expect(ms).toBeGreaterThanOrEqual(4_900);
    expect(tagIn(await view(backend), 'dev')).toBe('1.6.0');
  }, 15_000);

  it('reports an instance that refuses connections, keeping its last good data', async () => {
    const backend = await start();
    await main.close();
    await refresh();
    const down = await view(backend);
    expect(down.errors).toEqual([
      // Refused, or reset or closed (undici's UND_ERR_SOCKET) where a pooled connection
      // to it was cut when it went away: which one depends on the timing.
      { source: 'argocd:main', message: expect.stringMatching(/Argo CD instance 'main' GET \/api\/v1\/applications failed: (ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)/) },
    ]);
    expect(tagIn(down, 'dev')).toBe('1.5.0');
  });
});

describe('Argo CD faults on the routes that call Argo CD', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  // createWorld's Argo CD answers within requestTimeoutMs: 2 s.
  const WORLD_TIMEOUT_MS = 2_000;

  it.each<[string, PeerBehaviour, number, RegExp]>([
    ['rejects our token (401)', json(401, { message: 'invalid session' }), 502, /answered 401 for .+: invalid session/],
    ['fails (500)', json(500, { message: 'internal error' }), 502, /answered 500 for .+: internal error/],
    ['hangs', hang, 502, new RegExp(`failed: timed out after ${WORLD_TIMEOUT_MS} ms`)],
    ['refuses the action by its RBAC (403)', json(403, { message: 'permission denied' }), 403, /answered 403 for .+: permission denied/],
  ])('when Argo CD %s, rollout controls and its rollback answer %i naming the instance, within one timeout', async (_what, fault, status, message) => {
    const world = await createWorld(databases);
    try {
      const backend = await startWorldBackend(world);
      world.argocd.behave(fault);
      const calls = [
        () => request(backend).post(`${ENTITY_PATH}/rollouts/restart`).set('authorization', alice)
          .send({ environment: 'dev', namespace: 'payments-dev', name: 'canary-demo' }),
        () => request(backend).post(`${ENTITY_PATH}/argocd-rollback`).set('authorization', alice)
          .send({ environment: 'prod', application: 'payments-api-prod', historyId: 1 }),
      ];
      for (const call of calls) {
        const { ms, result } = await timed(call);
        expect({ status: result.status, message: result.body.error?.message }).toEqual({
          status,
          message: expect.stringMatching(new RegExp(`^Argo CD instance 'main' .*${message.source}`)),
        });
        expect(ms).toBeLessThan(WORLD_TIMEOUT_MS + 1_500);
      }
      // Nothing was half-done: the inventory still answers, with the instance's last good data.
      world.argocd.behave(json(500, { message: 'still down' }));
      await request(backend).get(`${ENTITY_PATH}/deployments`).set('authorization', alice).expect(200);
    } finally {
      await world.dispose();
    }
  }, 15_000);
});
