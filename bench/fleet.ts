/**
 * The fleet view: 2,000 components x 3 environments (6,000 Argo CD applications in
 * the wire format over 3 instances, every 10th service with a live canary Rollout),
 * fleet reads through FleetService over the inventory's real read model
 * (InventoryIndex), fed here with inventory entries as the Inventory feeds it (each
 * change applied to the index as it happens, one application at a time):
 * - warm: nothing changed since the last read;
 * - after one change: before each read one application changed (a streamed event,
 *   applied to the index), so the read places every entity again (the index drops its
 *   entity lookups on every change, and the fleet's placements are kept per lookup);
 * - after a poll: before each read 30 applications changed at once (a 30 s poll while
 *   one application changes per second);
 * - filtered: warm, narrowed to one owner;
 * plus what applying the change to the index costs (at change time, not in the read),
 * the response size, JSON encoding time, and one pass of the naive approach (each
 * entity's filter over every application) for comparison. The HTTP route is not
 * measured here.
 */
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { argoApplication } from '../plugins/gitops-backend/src/__testUtils__/argoCdSwagger';
import { trimApplication } from '../plugins/gitops-backend/src/argocd/trimApplication';
import type { ArgoApplication } from '../plugins/gitops-backend/src/argocd/types';
import { readGitopsConfig } from '../plugins/gitops-backend/src/config/gitopsConfig';
import { FleetService } from '../plugins/gitops-backend/src/fleet/FleetService';
import { EnvironmentPlacer } from '../plugins/gitops-backend/src/inventory/EnvironmentPlacer';
import { entityApplicationFilter } from '../plugins/gitops-backend/src/inventory/entityApplications';
import { entryKey, type InventoryEntry } from '../plugins/gitops-backend/src/inventory/InventoryEntry';
import { InventoryIndex } from '../plugins/gitops-backend/src/inventory/InventoryIndex';
import { percentile } from './lib/percentile';
import { backendRevision } from './lib/revision';

const COMPONENTS = 2000;
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const INSTANCES = 3;
const TEAMS = 40;
const CALLS = 200;
const CHANGED_CALLS = 50;
/** Changes one poll finds: one a second over a 30 s interval. */
const CHANGES_PER_POLL = 30;
const INSTANCE_NAMES = Array.from({ length: INSTANCES }, (_, i) => `argocd-${i}`);

const rollout = parse(
  fs.readFileSync(path.resolve(__dirname, '../fixtures/upstream/argo-rollouts-canary-rollout.yaml'), 'utf8'),
);

/** Application i = service floor(i/3) in environment i%3, as the inventory holds it (trimmed). */
function entryOf(i: number, version: number, health?: string): InventoryEntry {
  const s = Math.floor(i / ENVIRONMENTS.length);
  const e = i % ENVIRONMENTS.length;
  const env = ENVIRONMENTS[e];
  const application = argoApplication(`svc-${s}-${env}`, {
    labels: { 'app.kubernetes.io/name': `svc-${s}`, 'app.kubernetes.io/part-of': `system-${s % 100}`, env },
    // dev runs ahead on a third of the services: drift in staging.
    image: `ghcr.io/example/svc-${s}:1.${e === 0 && s % 3 === 0 ? 1 : 0}.0`,
    health: health ?? (s % 50 === 0 && env === 'prod' ? 'Degraded' : 'Healthy'),
    sync: s % 20 === 5 ? 'OutOfSync' : 'Synced',
    rollout: s % 10 === 0 ? { name: `svc-${s}`, namespace: `svc-${s}-${env}` } : undefined,
    resourceVersion: String(version),
  }) as unknown as ArgoApplication;
  return {
    instance: `argocd-${i % INSTANCES}`,
    application: trimApplication(application),
    rollouts: s % 10 === 0 ? [rollout] : [],
    rolloutErrors: [],
    observedAt: new Date(),
  };
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
  const revision = backendRevision();
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
  const APPS = COMPONENTS * ENVIRONMENTS.length;
  let resourceVersion = 1;
  const entries = Array.from({ length: APPS }, (_, i) => entryOf(i, resourceVersion));
  const sources = () => ({ errors: [], observedAt: new Date() });

  // The Inventory's read side: one index, changes applied to it as they happen.
  const index = new InventoryIndex(config, sources, entries);
  const inventory = { index: () => index };
  let changed = 0;
  /** `count` applications change (health flips), as the model reports them to the index. */
  const change = (count: number) => {
    const changes = Array.from({ length: count }, () => {
      const i = (++changed * 7919) % APPS;
      const held = entries[i].application.status?.health?.status;
      entries[i] = entryOf(i, ++resourceVersion, held === 'Healthy' ? 'Degraded' : 'Healthy');
      return { key: entryKey(entries[i].instance, entries[i].application), entry: entries[i] };
    });
    return timed(() => index.apply(changes)).then(([ms]) => ms);
  };

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

  // getFleet right after one application changed (the change applied to the index first).
  const applyOneChange: number[] = [];
  const afterOneChange: number[] = [];
  for (let i = 0; i < CHANGED_CALLS; i++) {
    applyOneChange.push(await change(1));
    afterOneChange.push((await timed(() => fleet.getFleet(entities)))[0]);
  }

  // getFleet right after a poll's worth of changes.
  const applyPoll: number[] = [];
  const afterPoll: number[] = [];
  for (let i = 0; i < CHANGED_CALLS; i++) {
    applyPoll.push(await change(CHANGES_PER_POLL));
    afterPoll.push((await timed(() => fleet.getFleet(entities)))[0]);
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

  // The naive way: each entity's filter over every application, then placed.
  const [naiveMs] = await timed(async () => {
    const placer = new EnvironmentPlacer(config.environments);
    let placed = 0;
    for (const entity of entities) {
      const belongs = entityApplicationFilter(entity);
      for (const app of index.applications.filter(belongs)) {
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
    backend: revision,
    components: COMPONENTS,
    environments: ENVIRONMENTS.length,
    applications: APPS,
    instances: INSTANCES,
    calls: { warm: CALLS, afterOneChange: CHANGED_CALLS, afterPoll: CHANGED_CALLS, filtered: CALLS },
    changesPerPoll: CHANGES_PER_POLL,
    rows: first.items.length,
    risk: {
      high: first.items.filter(i => i.risk === 'high').length,
      low: first.items.filter(i => i.risk === 'low').length,
      drift: first.items.filter(i => i.drift).length,
    },
    latencyMs: {
      // getFleet over the whole fleet, read model current.
      warm: stats(warm),
      // getFleet right after one application changed (a stream event): every entity
      // placed again.
      afterOneChange: stats(afterOneChange),
      // getFleet right after 30 applications changed at once (a poll).
      afterPoll: stats(afterPoll),
      // Applying the change(s) to the index (InventoryIndex.apply), at change time.
      applyOneChange: stats(applyOneChange),
      applyPoll: stats(applyPoll),
      // getFleet narrowed to one owner (50 services), warm.
      filteredByOwner: stats(filtered),
      // JSON.stringify of the full answer (the route's serialisation cost).
      encodeFullResponse: stats(encode),
      // One pass of the per-entity scan of every application, for comparison.
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

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
