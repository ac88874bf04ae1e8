/**
 * The deployments route against 3 Argo CD instances serving 1,000 applications
 * (services x dev/staging/prod, every 10th service with a canary Rollout), viewed
 * for 200 entities: upstream calls per view, p50/p95 latency warm (snapshot cached)
 * and cold (right after a background refresh invalidated the cache), backend RSS.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import path from 'path';
import { parse } from 'yaml';
import { argoApplication } from '../plugins/gitops-backend/src/__testUtils__/argoCdSwagger';
import { gitopsPlugin } from '../plugins/gitops-backend/src/plugin';

const INSTANCES = 3;
const APPLICATIONS = 1000;
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const VIEWS = 200;
const rollout = parse(
  fs.readFileSync(path.resolve(__dirname, '../fixtures/upstream/argo-rollouts-canary-rollout.yaml'), 'utf8'),
);

type Peer = { url: string; calls: number; close(): void };

/** Application i is service floor(i/3) in environment i%3, on instance i%INSTANCES. */
function applicationsOf(instance: number) {
  const apps = [];
  for (let i = instance; i < APPLICATIONS; i += INSTANCES) {
    const s = Math.floor(i / ENVIRONMENTS.length);
    const e = i % ENVIRONMENTS.length;
    const env = ENVIRONMENTS[e];
    {
      apps.push(
        argoApplication(`svc-${s}-${env}`, {
          labels: { 'app.kubernetes.io/name': `svc-${s}`, env },
          image: `ghcr.io/example/svc-${s}:1.${e}.0`,
          rollout: s % 10 === 0 ? { name: `svc-${s}`, namespace: `svc-${s}-${env}` } : undefined,
        }),
      );
    }
  }
  return apps;
}

async function startPeer(instance: number): Promise<Peer> {
  const list = JSON.stringify({ metadata: { resourceVersion: '1' }, items: applicationsOf(instance) });
  const manifest = JSON.stringify({ manifest: JSON.stringify(rollout) });
  const peer = { url: '', calls: 0, close: () => server.close() };
  const server = http.createServer((req, res) => {
    peer.calls++;
    res.setHeader('content-type', 'application/json');
    res.end(req.url!.includes('/resource?') ? manifest : list);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return peer;
}

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const peers = await Promise.all(Array.from({ length: INSTANCES }, (_, i) => startPeer(i)));
  const scheduler = mockServices.scheduler() as ReturnType<typeof mockServices.scheduler> & {
    factory(options: object): never;
    triggerTask(id: string): Promise<void>;
  };
  const entities = Array.from({ length: VIEWS }, (_, s) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: `svc-${s}`, namespace: 'default', annotations: { 'argocd/app-selector': `app.kubernetes.io/name=svc-${s}` } },
    spec: { type: 'service', owner: 'team', lifecycle: 'production' },
  }));
  const backend = await startTestBackend({
    features: [
      gitopsPlugin,
      scheduler.factory({ includeInitialDelayedTasksOnStartup: true }),
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          gitops: {
            environments: ENVIRONMENTS.map(name => ({ name, match: { labels: { env: name } } })),
            argocd: {
              refreshIntervalSeconds: 3600,
              instances: peers.map((p, i) => ({ name: `argocd-${i}`, url: p.url, token: 't' })),
            },
          },
        },
      }),
    ],
  });
  const base = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}/api/gitops`;
  const upstreamCalls = () => peers.reduce((sum, p) => sum + p.calls, 0);
  const firstRefreshCalls = upstreamCalls();
  await scheduler.triggerTask('gitops-argocd-inventory-refresh');
  const steadyRefreshCalls = upstreamCalls() - firstRefreshCalls;

  async function view(s: number) {
    const started = process.hrtime.bigint();
    const response = await fetch(`${base}/v1/entities/component/default/svc-${s}/deployments`);
    const body = await response.json();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.status !== 200 || body.environments[0].applications.length !== 1) {
      throw new Error(`unexpected answer for svc-${s}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
    }
    return ms;
  }

  // Cold: each view right after a background refresh invalidated the snapshot cache.
  const cold: number[] = [];
  let coldUpstream = 0;
  for (let s = 0; s < 20; s++) {
    await scheduler.triggerTask('gitops-argocd-inventory-refresh');
    const afterRefresh = upstreamCalls();
    cold.push(await view(s));
    coldUpstream += upstreamCalls() - afterRefresh;
  }

  // Warm: 200 views in a row.
  const before = upstreamCalls();
  const warm: number[] = [];
  for (let s = 0; s < VIEWS; s++) warm.push(await view(s));
  const warmUpstream = upstreamCalls() - before;

  const results = {
    benchmark: 'deployments-read-path',
    date: new Date().toISOString(),
    node: process.version,
    applications: APPLICATIONS,
    instances: INSTANCES,
    views: VIEWS,
    // The first refresh reads every managed Rollout; later ones only those of moving apps.
    upstreamCallsPerRefresh: { first: firstRefreshCalls, steady: steadyRefreshCalls },
    upstreamCallsPerView: { warm: warmUpstream / VIEWS, cold: coldUpstream / cold.length },
    latencyMs: {
      warm: { p50: percentile(warm, 50), p95: percentile(warm, 95) },
      cold: { p50: percentile(cold, 50), p95: percentile(cold, 95) },
    },
    // One process holds the backend and the three peers: an upper bound for the backend.
    processRssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  fs.writeFileSync(path.join(__dirname, 'results/deployments-read-path.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  await backend.stop();
  peers.forEach(p => p.close());
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
