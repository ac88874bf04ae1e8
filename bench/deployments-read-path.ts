/**
 * The deployments route against 3 Argo CD instances serving 1,000 applications
 * (services x dev/staging/prod, every 10th service with a canary Rollout), viewed
 * for 200 entities: upstream calls per view, p50/p95 latency warm (snapshot cached)
 * and cold (right after a background refresh invalidated the cache), backend RSS.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'fs';
import type { AddressInfo } from 'net';
import path from 'path';
import { gitopsPlugin } from '../plugins/gitops-backend/src/plugin';
import { PEER_TOKEN, countCalls, startPeers } from './lib/argocdPeer';
import { APPLICATIONS, ENVIRONMENTS, INSTANCES, catalogEntities } from './lib/dataSet';
import { percentile } from './lib/percentile';

const VIEWS = 200;

async function main() {
  const peers = await startPeers();
  const scheduler = mockServices.scheduler() as ReturnType<typeof mockServices.scheduler> & {
    factory(options: object): never;
    triggerTask(id: string): Promise<void>;
  };
  const backend = await startTestBackend({
    features: [
      gitopsPlugin,
      scheduler.factory({ includeInitialDelayedTasksOnStartup: true }),
      catalogServiceMock.factory({ entities: catalogEntities(VIEWS) }),
      mockServices.rootConfig.factory({
        data: {
          gitops: {
            environments: ENVIRONMENTS.map(name => ({ name, match: { labels: { env: name } } })),
            argocd: {
              refreshIntervalSeconds: 3600,
              instances: peers.map(p => ({ name: p.name, url: p.url, token: PEER_TOKEN })),
            },
          },
        },
      }),
    ],
  });
  const base = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}/api/gitops`;
  const upstreamCalls = () => countCalls(peers).total;
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
  await Promise.all(peers.map(p => p.close()));
}

// Exit explicitly: Backstage's DatabaseManager leaves sqlite connections open at
// shutdown, and their pool's reaper interval would keep the process up.
main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
