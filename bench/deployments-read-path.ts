/**
 * The deployments route against 3 Argo CD instances serving 1,000 applications
 * (services x dev/staging/prod, every 10th service with a canary Rollout), viewed
 * for 200 entities: upstream calls per view, p50/p95 latency warm (read model current)
 * and right after a change (one application changed at its peer, broadcast on the
 * watch stream our inventory follows, applied: the view is the first read after it),
 * what a change and a resync cost upstream, backend RSS.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'fs';
import type { AddressInfo } from 'net';
import path from 'path';
import { gitopsPlugin } from '../plugins/gitops-backend/src/plugin';
import {
  PEER_TOKEN,
  callsBetween,
  changeApplication,
  countCalls,
  showsChange,
  startPeers,
  type Change,
} from './lib/argocdPeer';
import { APPLICATIONS, ENVIRONMENTS, INSTANCES, catalogEntities, serviceName } from './lib/dataSet';
import { nextChangeOf, probeInventory } from './lib/inventoryProbe';
import { percentile } from './lib/percentile';
import { backendRevision } from './lib/revision';

const VIEWS = 200;
const AFTER_CHANGE_VIEWS = 20;
/** Untimed views first: JIT and connections warm, so neither series pays for them. */
const WARMUP_VIEWS = 20;

const round = (n: number) => Math.round(n * 100) / 100;
const latency = (values: number[]) => ({ p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) });

async function main() {
  const revision = backendRevision();
  const probe = probeInventory();
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
              // The plugin's defaults otherwise: the watch stream on, a resync every 600 s.
              refreshIntervalSeconds: 3600,
              instances: peers.map(p => ({ name: p.name, url: p.url, token: PEER_TOKEN })),
            },
          },
        },
      }),
    ],
  });
  const base = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}/api/gitops`;
  const inventory = probe.inventory();
  const startup = countCalls(peers);
  const modes = inventory.statuses().map(s => s.mode);
  if (modes.some(mode => mode !== 'streaming')) throw new Error(`the inventory does not stream: ${modes.join(', ')}`);

  // A resync (every resyncIntervalSeconds while streaming): the lists only, since settled
  // applications keep the Rollouts read before.
  let before = countCalls(peers);
  await inventory.resync();
  const resync = callsBetween(before, countCalls(peers));

  async function view(s: number, change?: Change) {
    const started = process.hrtime.bigint();
    const response = await fetch(`${base}/v1/entities/component/default/${serviceName(s)}/deployments`);
    const body = await response.json();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.status !== 200 || body.environments[0].applications.length !== 1) {
      throw new Error(`unexpected answer for svc-${s}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
    }
    if (change && !showsChange(body, change)) throw new Error(`svc-${s} does not show the change of ${change.name}`);
    return ms;
  }

  for (let s = 0; s < WARMUP_VIEWS; s++) await view(VIEWS - 1 - s);

  // After a change: the prod application of service s flips its health at its peer; once
  // the inventory applied it, the view is the first read after it (the index's entity
  // lookups are dropped on every change, so this view places its entity again).
  const afterChange: number[] = [];
  let afterChangeUpstream = 0;
  let changeUpstream = 0;
  const updatesBefore = probe.updates.length;
  for (let s = 0; s < AFTER_CHANGE_VIEWS; s++) {
    before = countCalls(peers);
    const applied = nextChangeOf(inventory, `${serviceName(s)}-prod`);
    const change = changeApplication(peers, s * ENVIRONMENTS.length + ENVIRONMENTS.indexOf('prod'), 'health', s);
    await applied;
    await inventory.settled();
    const afterApplied = countCalls(peers);
    changeUpstream += callsBetween(before, afterApplied).total;
    afterChange.push(await view(s, change));
    afterChangeUpstream += callsBetween(afterApplied, countCalls(peers)).total;
  }
  const updates = probe.updates.slice(updatesBefore).map(u => u.ms);

  // Warm: 200 views in a row.
  before = countCalls(peers);
  const warm: number[] = [];
  for (let s = 0; s < VIEWS; s++) warm.push(await view(s));
  const warmUpstream = callsBetween(before, countCalls(peers)).total;

  const results = {
    benchmark: 'deployments-read-path',
    date: new Date().toISOString(),
    node: process.version,
    backend: revision,
    applications: APPLICATIONS,
    instances: INSTANCES,
    views: VIEWS,
    afterChangeViews: AFTER_CHANGE_VIEWS,
    warmupViews: WARMUP_VIEWS,
    inventory: 'watch stream (gitops.argocd.stream default: true)',
    // Start-up lists every instance, reads every managed Rollout and opens the streams.
    upstreamCallsAtStartup: startup,
    upstreamCallsPerResync: resync,
    // A health flip re-reads the app's Rollouts (every 10th service has one).
    upstreamCallsPerChange: changeUpstream / AFTER_CHANGE_VIEWS,
    upstreamCallsPerView: { warm: warmUpstream / VIEWS, afterChange: afterChangeUpstream / AFTER_CHANGE_VIEWS },
    latencyMs: {
      warm: latency(warm),
      afterChange: latency(afterChange),
      // Each change's read-model update (InventoryIndex.apply, inside the plugin, before the view).
      readModelUpdate: latency(updates),
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
