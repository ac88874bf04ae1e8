/**
 * The fleet view: 2,000 components x 3 environments (6,000 Argo CD applications in
 * the wire format over 3 instances, every 10th service with a live canary Rollout),
 * 200 fleet reads through FleetService over the real Inventory read side:
 * - warm: the inventory serves its cached snapshot (as for 2 s after each load);
 * - reloaded: the inventory reloads its snapshot before each read (its 2 s cache
 *   expired) but the content is unchanged, so the fleet index is reused;
 * - refreshed: before each read an Argo CD refresh wrote new content (new
 *   `refreshedAt`), so every read re-indexes the 6,000 applications;
 * - filtered: warm, narrowed to one owner;
 * plus the response size, JSON encoding time, and one pass of the naive approach
 * (the Deployments view's per-entity scan of the snapshot) for comparison.
 * The HTTP route is not measured here: it is not wired yet.
 */
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { argoApplication } from '../plugins/gitops-backend/src/__testUtils__/argoCdSwagger';
import type { ArgoApplication } from '../plugins/gitops-backend/src/argocd/types';
import { readGitopsConfig } from '../plugins/gitops-backend/src/config/gitopsConfig';
import type {
  InventoryApplication,
  InventoryStore,
} from '../plugins/gitops-backend/src/database/InventoryStore';
import { entityApplicationFilter } from '../plugins/gitops-backend/src/deployments/entityApplications';
import { EnvironmentPlacer } from '../plugins/gitops-backend/src/deployments/environments';
import { FleetService } from '../plugins/gitops-backend/src/fleet/FleetService';
import { Inventory } from '../plugins/gitops-backend/src/inventory/Inventory';
import { percentile } from './lib/percentile';

const COMPONENTS = 2000;
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const INSTANCES = 3;
const TEAMS = 40;
const CALLS = 200;
const COLD_CALLS = 50;
const INSTANCE_NAMES = Array.from({ length: INSTANCES }, (_, i) => `argocd-${i}`);

const rollout = parse(
  fs.readFileSync(path.resolve(__dirname, '../fixtures/upstream/argo-rollouts-canary-rollout.yaml'), 'utf8'),
);

function applications(): InventoryApplication[] {
  const apps: InventoryApplication[] = [];
  const refreshedAt = new Date();
  for (let s = 0; s < COMPONENTS; s++) {
    ENVIRONMENTS.forEach((env, e) => {
      const i = s * ENVIRONMENTS.length + e;
      apps.push({
        instance: `argocd-${i % INSTANCES}`,
        application: argoApplication(`svc-${s}-${env}`, {
          labels: { 'app.kubernetes.io/name': `svc-${s}`, 'app.kubernetes.io/part-of': `system-${s % 100}`, env },
          // dev runs ahead on a third of the services: drift in staging.
          image: `ghcr.io/example/svc-${s}:1.${e === 0 && s % 3 === 0 ? 1 : 0}.0`,
          health: s % 50 === 0 && env === 'prod' ? 'Degraded' : 'Healthy',
          sync: s % 20 === 5 ? 'OutOfSync' : 'Synced',
          rollout: s % 10 === 0 ? { name: `svc-${s}`, namespace: `svc-${s}-${env}` } : undefined,
        }) as unknown as ArgoApplication,
        rollouts: s % 10 === 0 ? [rollout] : [],
        refreshedAt,
      });
    });
  }
  return apps;
}

const entities: Entity[] = Array.from({ length: COMPONENTS }, (_, s) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: `svc-${s}`,
    namespace: 'default',
    // Mostly selectors (the common annotation), every 10th by app names.
    annotations: (s % 10 === 1
      ? { 'argocd/app-name': ENVIRONMENTS.map(env => `svc-${s}-${env}`).join(',') }
      : { 'argocd/app-selector': `app.kubernetes.io/name=svc-${s}` }) as Record<string, string>,
  },
  spec: { type: 'service', lifecycle: 'production', owner: `team-${s % TEAMS}`, system: `system-${s % 100}` },
}));

const round = (n: number) => Math.round(n * 100) / 100;
const stats = (values: number[]) => ({
  p50: round(percentile(values, 50)),
  p95: round(percentile(values, 95)),
  max: round(Math.max(...values)),
});

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - started) / 1e6, value];
}

async function main() {
  const config = readGitopsConfig(
    new ConfigReader({
      gitops: {
        environments: ENVIRONMENTS.map((name, i) => ({
          name,
          promotesFrom: i ? ENVIRONMENTS[i - 1] : undefined,
          match: { labels: { env: name } },
        })),
        argocd: {
          instances: INSTANCE_NAMES.map(name => ({ name, url: `http://${name}.example.com`, token: 't' })),
        },
      },
    } as never),
  );
  let apps = applications();
  // As the database store: every load returns new objects.
  const store: InventoryStore = {
    listApplications: async () => apps.map(a => ({ ...a })),
    listRefreshes: async () =>
      config.argocd.instances.map(i => ({ instance: i.name, refreshedAt: new Date(), attemptedAt: new Date() })),
    replaceInstance: async () => {},
    recordFailure: async () => {},
  };
  // A long TTL for the warm series; the cold series invalidates before each read.
  const inventory = new Inventory(store, config.argocd.instances.map(i => i.name), 3_600_000);
  const fleet = new FleetService(config, inventory);
  const rssBefore = process.memoryUsage().rss;

  // Sanity: every component has a row with its three environments.
  const first = await fleet.getFleet(entities);
  if (first.items.length !== COMPONENTS || first.items.some(i => Object.keys(i.environments).length !== 3)) {
    throw new Error('unexpected fleet answer');
  }
  for (let i = 0; i < 5; i++) await fleet.getFleet(entities); // JIT warm-up

  const warm: number[] = [];
  for (let i = 0; i < CALLS; i++) warm.push((await timed(() => fleet.getFleet(entities)))[0]);

  const reloaded: number[] = [];
  for (let i = 0; i < COLD_CALLS; i++) {
    inventory.invalidate();
    reloaded.push((await timed(() => fleet.getFleet(entities)))[0]);
  }

  const refreshed: number[] = [];
  for (let i = 0; i < COLD_CALLS; i++) {
    const refreshedAt = new Date(Date.now() + i);
    apps = apps.map(a => ({ ...a, refreshedAt }));
    inventory.invalidate();
    refreshed.push((await timed(() => fleet.getFleet(entities)))[0]);
  }

  const filtered: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    filtered.push((await timed(() => fleet.getFleet(entities, { owner: `team-${i % TEAMS}` })))[0]);
  }

  const encode: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 20; i++) {
    const [ms, json] = await timed(() => JSON.stringify(first));
    encode.push(ms);
    bytes = Buffer.byteLength(json);
  }

  // The naive way (as the Deployments view does for one entity): scan the snapshot per entity.
  const [naiveMs] = await timed(async () => {
    const snapshot = await inventory.snapshot();
    const placer = new EnvironmentPlacer(config.environments);
    let placed = 0;
    for (const entity of entities) {
      const belongs = entityApplicationFilter(entity);
      for (const app of snapshot.applications.filter(belongs)) {
        if (placer.place(app.application)) placed++;
      }
    }
    return placed;
  });

  const memory = process.memoryUsage();
  const results = {
    benchmark: 'fleet',
    date: new Date().toISOString(),
    node: process.version,
    components: COMPONENTS,
    environments: ENVIRONMENTS.length,
    applications: apps.length,
    instances: INSTANCES,
    calls: { warm: CALLS, reloaded: COLD_CALLS, refreshed: COLD_CALLS, filtered: CALLS },
    rows: first.items.length,
    risk: {
      high: first.items.filter(i => i.risk === 'high').length,
      low: first.items.filter(i => i.risk === 'low').length,
      drift: first.items.filter(i => i.drift).length,
    },
    latencyMs: {
      // getFleet over the whole fleet, snapshot index reused (inventory cache fresh).
      warm: stats(warm),
      // getFleet after the inventory reloaded an unchanged snapshot (index reused).
      reloaded: stats(reloaded),
      // getFleet after an Argo CD refresh changed the snapshot: includes indexing 6,000 apps.
      refreshed: stats(refreshed),
      // getFleet narrowed to one owner (50 services), warm.
      filteredByOwner: stats(filtered),
      // JSON.stringify of the full answer (the route's serialisation cost).
      encodeFullResponse: stats(encode),
      // One pass of the per-entity snapshot scan, for comparison.
      naivePerEntityScan: round(naiveMs),
    },
    responseBytes: bytes,
    upstreamCallsPerRead: 0,
    processRssMiB: Math.round(memory.rss / 2 ** 20),
    rssGrowthMiB: Math.round((memory.rss - rssBefore) / 2 ** 20),
    heapUsedMiB: Math.round(memory.heapUsed / 2 ** 20),
  };
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results/fleet.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

// The test backend keeps its database connection open after stopping: exit when done.
main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
