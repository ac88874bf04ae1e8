/**
 * The live inventory against 10,000 Argo CD applications over 3 instances (every 10th
 * service with a canary Rollout), in one run, two configurations of our backend, each
 * alone in its own child process against its own fresh peers:
 * - polling: today's design, `gitops.argocd.stream: false`, `refreshIntervalSeconds: 30`
 *   (every 30 s a full list of every instance);
 * - streaming: the default configuration (the watch stream, a resync every 600 s, the
 *   scheduled task every 30 s).
 * Load: one change per second to a random application (a health flip or a deploy of a
 * new image tag, made at its peer, which broadcasts it to open watch streams) for
 * `--minutes` (default 3), the same sequence for both. Per configuration: backend RSS
 * above the harness floor, bytes read from Argo CD (counted at the peers) over the
 * window and extrapolated per hour, database rows written per change, the deployments
 * route's p50/p95 warm and right after a change, the time from a change at the peer to
 * the route showing it, and what the backend spent (CPU, polls, read-model updates).
 *
 * Options: --minutes N (default 3), --applications N (default 10000), --seed N,
 * --reconcile-seconds N (default 0: off; N re-broadcasts every application every N s
 * with only status.reconciledAt new, as Argo CD's controller does on each reconciliation,
 * default 180 s there), --only polling|streaming, --out FILE (default
 * results/live-inventory.json).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parseArgs } from 'util';
import {
  PEER_TOKEN,
  callsBetween,
  changeApplication,
  countBytes,
  countCalls,
  epochMs,
  showsChange,
  startPeers,
  type Change,
  type ChangeKind,
  type Peer,
} from './lib/argocdPeer';
import type { Memory, Stats } from './lib/backendProcess';
import { INSTANCES, applicationAt, applicationsOfService, serviceName, servicesOf } from './lib/dataSet';
import { forkBackend, measureHarnessFloor, type ForkedBackend } from './lib/forkBackend';
import { percentile } from './lib/percentile';
import { backendRevision } from './lib/revision';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    applications: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'reconcile-seconds': { type: 'string', default: '0' },
    only: { type: 'string' },
    'memory-samples-seconds': { type: 'string', default: '30' },
    out: { type: 'string', default: 'results/live-inventory.json' },
  },
});
const MINUTES = Number(args.minutes);
const APPLICATIONS = Number(args.applications);
const SEED = Number(args.seed);
const RECONCILE_SECONDS = Number(args['reconcile-seconds']);
const MEMORY_SAMPLE_MS = Number(args['memory-samples-seconds']) * 1000;
const SERVICES = servicesOf(APPLICATIONS);
const CHANGES = Math.round(MINUTES * 60);
const WARMUP_VIEWS = 20;
/** Probes of a change right after it: soon (to resolve a fast change), then rarer. */
const BACKOFF_MS = [5, 10, 20, 40, 80, 160];
/** Then only the oldest unseen change of each instance is probed, this often. */
const STEADY_PROBE_MS = 500;

type Configuration = {
  name: string;
  description: string;
  argocd: { stream?: boolean; refreshIntervalSeconds: number; resyncIntervalSeconds?: number };
};
const CONFIGURATIONS: Configuration[] = [
  {
    name: 'polling',
    description: "today's design: gitops.argocd.stream: false, refreshIntervalSeconds: 30",
    argocd: { stream: false, refreshIntervalSeconds: 30 },
  },
  {
    name: 'streaming',
    description: 'the default configuration: stream: true, refreshIntervalSeconds: 30, resyncIntervalSeconds: 600',
    argocd: { refreshIntervalSeconds: 30 },
  },
];
const RESYNC_SECONDS = 600;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
type Summary = { n: number; p50?: number; p95?: number; max?: number };
const stats = (values: number[]): Summary =>
  values.length
    ? { n: values.length, p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), max: round(Math.max(...values)) }
    : { n: 0 };
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)));
const sleepUntil = (at: number) => sleep(at - epochMs());

/** A small seeded PRNG (mulberry32): the same change sequence for both configurations. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Step = { index: number; kind: ChangeKind; warmService: number };

/** One change per second: distinct applications (so no change hides another), and a warm view's entity. */
function changeSequence(): Step[] {
  const next = random(SEED);
  const used = new Set<number>();
  return Array.from({ length: CHANGES }, () => {
    let index: number;
    do index = Math.floor(next() * APPLICATIONS);
    while (used.has(index));
    used.add(index);
    return { index, kind: next() < 0.5 ? 'health' : 'deploy', warmService: Math.floor(next() * SERVICES) };
  });
}

/** Runs requests one at a time, so no measured request queues behind another of ours. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

type Body = Parameters<typeof showsChange>[0];
type View = { ms: number; at: number; body: Body };
/** One change followed until the route shows it. */
type Tracked = { change: Change; seenAt?: number; firstShowingMs?: number; gaveUp?: boolean; wake?: () => void };

/** Reconciliation noise: every application re-broadcast every N s with only reconciledAt new. */
function startReconciliations(peers: Peer[]) {
  if (!RECONCILE_SECONDS) return () => undefined;
  const perTick = APPLICATIONS / RECONCILE_SECONDS / 10;
  let next = 0;
  let owed = 0;
  const timer = setInterval(() => {
    owed += perTick;
    for (; owed >= 1; owed--, next = (next + 1) % APPLICATIONS) {
      const { instance, name } = applicationAt(next);
      peers[instance].change(name, app => {
        app.status.reconciledAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      });
    }
  }, 100);
  return () => clearInterval(timer);
}


async function measure(configuration: Configuration, sequence: Step[], floor: Memory) {
  const loadAtStart = os.loadavg()[0];
  const peers = await startPeers(APPLICATIONS);
  const instances = peers.map(peer => ({ name: peer.name, url: peer.url, token: PEER_TOKEN }));
  const started = epochMs();
  const backend: ForkedBackend = await forkBackend({
    kind: 'gitops',
    instances,
    services: SERVICES,
    argocd: configuration.argocd,
    scheduleTicks: true,
    countDbWrites: true,
  });
  const startup = { ms: Math.round(epochMs() - started), calls: countCalls(peers), bytes: countBytes(peers) };
  const afterStartup = await backend.stats();
  const expectedMode = configuration.argocd.stream === false ? 'polling' : 'streaming';
  if (afterStartup.modes.some(mode => mode !== expectedMode)) {
    throw new Error(`${configuration.name}: instances are ${afterStartup.modes.join(', ')}, not ${expectedMode}`);
  }

  const serial = new Serial();
  const allViews: number[] = [];
  const view = (s: number): Promise<View> =>
    serial.run(async () => {
      const begun = epochMs();
      const response = await fetch(`${backend.baseUrl}/gitops/v1/entities/component/default/${serviceName(s)}/deployments`);
      const body = (await response.json()) as Body;
      const at = epochMs();
      const apps = body.environments?.flatMap(env => env.applications) ?? [];
      if (!response.ok || apps.length !== applicationsOfService(s, APPLICATIONS)) {
        throw new Error(`${configuration.name}: unexpected answer for ${serviceName(s)}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
      }
      allViews.push(at - begun);
      return { ms: at - begun, at, body };
    });

  for (let i = 0; i < WARMUP_VIEWS; i++) await view((i * 997) % SERVICES);
  const stopReconciliations = startReconciliations(peers);
  await backend.record();
  const atStart = await backend.stats();
  const callsAtStart = countCalls(peers);
  const bytesAtStart = countBytes(peers);
  allViews.length = 0;

  // Following changes: per instance, the changes the route does not show yet, oldest first.
  const pending: Tracked[][] = Array.from({ length: INSTANCES }, () => []);
  const warm: number[] = [];
  const afterChange: number[] = [];
  let probes = 0;
  const deadlineMs = (configuration.argocd.stream === false ? 2 * configuration.argocd.refreshIntervalSeconds : 10) * 1000 + 10_000;

  const settle = (t: Tracked, seen: View) => {
    if (t.seenAt) return false;
    t.seenAt = seen.at;
    t.firstShowingMs = seen.ms;
    const list = pending[t.change.instance];
    list.splice(list.indexOf(t), 1);
    // If it was waiting for a sweep, its follow() is done.
    t.wake?.();
    return true;
  };
  /** When a change shows, so may the others of its instance (a poll lists them all at once). */
  const sweep = async (instance: number) => {
    for (const other of [...pending[instance]]) {
      if (other.seenAt) continue;
      const seen = await view(other.change.service);
      probes++;
      if (showsChange(seen.body, other.change)) settle(other, seen);
    }
    pending[instance][0]?.wake?.();
  };
  const follow = async (t: Tracked) => {
    // The request right after the peer broadcast the change.
    const first = await view(t.change.service);
    afterChange.push(first.ms);
    if (showsChange(first.body, t.change)) {
      if (settle(t, first)) await sweep(t.change.instance);
      return;
    }
    for (let attempt = 0; !t.seenAt; attempt++) {
      if (epochMs() - t.change.at > deadlineMs) {
        t.gaveUp = true;
        const list = pending[t.change.instance];
        list.splice(list.indexOf(t), 1);
        list[0]?.wake?.();
        return;
      }
      const early = attempt < BACKOFF_MS.length;
      await sleep(early ? BACKOFF_MS[attempt] : STEADY_PROBE_MS);
      if (t.seenAt) return;
      if (!early && pending[t.change.instance][0] !== t) {
        // Not the oldest: woken by a sweep, or once it is the oldest.
        await new Promise<void>(resolve => (t.wake = resolve));
        t.wake = undefined;
        continue;
      }
      const seen = await view(t.change.service);
      probes++;
      if (showsChange(seen.body, t.change) && settle(t, seen)) await sweep(t.change.instance);
    }
  };

  const t0 = epochMs() + 200;
  // Memory over the window, read without a collection (not to disturb the views).
  const memorySamples: (Memory & { atSeconds: number })[] = [];
  const sampling = setInterval(() => {
    const atSeconds = Math.round((epochMs() - t0) / 1000);
    backend.stats({ gc: false }).then(s => memorySamples.push({ atSeconds, ...s.memory }), () => undefined);
  }, MEMORY_SAMPLE_MS);
  const changes: Tracked[] = [];
  const following: Promise<void>[] = [];
  const warmPairs: Promise<void>[] = [];
  for (let k = 0; k < sequence.length; k++) {
    await sleepUntil(t0 + k * 1000);
    const step = sequence[k];
    const tracked: Tracked = { change: changeApplication(peers, step.index, step.kind, k + 1) };
    changes.push(tracked);
    pending[tracked.change.instance].push(tracked);
    following.push(follow(tracked));
    // Warm: the second of two views in a row of an entity nothing changed for.
    warmPairs.push(
      sleep(500).then(async () => {
        await view(step.warmService);
        warm.push((await view(step.warmService)).ms);
      }),
    );
  }
  await sleepUntil(t0 + sequence.length * 1000);
  const windowSeconds = (epochMs() - t0) / 1000;
  const windowCalls = callsBetween(callsAtStart, countCalls(peers));
  const windowBytes = callsBetween(bytesAtStart, countBytes(peers));
  const atEnd = await backend.stats({ gc: false });
  clearInterval(sampling);
  stopReconciliations();
  await Promise.all([...following, ...warmPairs]);
  const afterDrain = await backend.stats();
  const applied = await backend.appliedAt(changes.map(t => t.change.name));
  await backend.stop();
  await Promise.all(peers.map(peer => peer.close()));
  const unserved = countCalls(peers).other;
  if (unserved) throw new Error(`${configuration.name}: ${unserved} upstream calls the peers do not serve`);

  const seen = changes.filter(t => t.seenAt);
  const changeToRoute = seen.map(t => t.seenAt! - t.change.at);
  const changeToApplied = changes.flatMap(t => {
    const a = applied[t.change.name];
    return a && a.resourceVersion === t.change.resourceVersion ? [a.at - t.change.at] : [];
  });
  const ticks = atEnd.ticks.filter(tick => tick.at >= t0);
  const updates = atEnd.readModelUpdates.slice(atStart.readModelUpdates.length);
  const writes = (key: keyof Stats['dbWrites']) => afterDrain.dbWrites[key] - atStart.dbWrites[key];
  const statements = writes('insert') + writes('update') + writes('delete');
  const perHour = (n: number) => Math.round((n * 3600) / windowSeconds);
  const interval = configuration.argocd.refreshIntervalSeconds * 1000;
  const pollMs = ticks.map(tick => tick.ms);
  const streaming = configuration.argocd.stream !== false;
  // One resync's lists cost what the start-up lists did (the same applications).
  const listBytes = startup.bytes.list;
  const bytesPerHour = streaming
    ? perHour(windowBytes.total - windowBytes.list) + Math.round((3600 / RESYNC_SECONDS) * listBytes)
    : perHour(windowBytes.total);

  return {
    configuration,
    modes: afterStartup.modes,
    loadAverage1m: { start: round(loadAtStart), end: round(os.loadavg()[0]) },
    // ms: the child's fork to its backend answering; inventoryMs: the inventory's own start.
    startup: {
      ms: startup.ms,
      inventoryMs: Math.round(afterStartup.inventoryStartMs ?? NaN),
      calls: startup.calls,
      bytes: startup.bytes.total,
    },
    window: { seconds: round(windowSeconds, 1), changes: changes.length, views: allViews.length, probes },
    memory: {
      floorRssMiB: floor.rssMiB,
      atWindowStart: atStart.memory,
      atWindowEnd: afterDrain.memory,
      rssAboveFloorMiB: afterDrain.memory.rssMiB - floor.rssMiB,
      heapUsedGrowthMiB: afterDrain.memory.heapUsedMiB - atStart.memory.heapUsedMiB,
      rssGrowthMiB: afterDrain.memory.rssMiB - atStart.memory.rssMiB,
      // Every --memory-samples-seconds over the window, without a collection first.
      samples: memorySamples,
    },
    cpu: {
      windowMs: atEnd.cpuMs - atStart.cpuMs,
      // Of one CPU, over the window.
      percent: round(((atEnd.cpuMs - atStart.cpuMs) / (windowSeconds * 1000)) * 100, 1),
    },
    upstream: {
      windowCalls,
      windowBytes,
      bytesPerHourExtrapolated: bytesPerHour,
      bytesPerHourMethod: streaming
        ? `window bytes other than lists x 3600 / window, plus ${3600 / RESYNC_SECONDS} resyncs an hour at the start-up lists' ${listBytes} bytes (the window has no resync: it is due every ${RESYNC_SECONDS} s)`
        : `window bytes x 3600 / window (${ticks.length} polls in the window)`,
    },
    dbWrites: {
      method: "knex 'query' events in the backend's process: INSERT/UPDATE/DELETE statements on gitops_applications; rows = tuples an INSERT carries, 1 per UPDATE/DELETE (SQLite does not report upserted rows); from the window's start until every change was seen",
      statements,
      rows: writes('rows'),
      byStatement: { insert: writes('insert'), update: writes('update'), delete: writes('delete') },
      perChange: { statements: round(statements / changes.length, 3), rows: round(writes('rows') / changes.length, 3) },
      otherTableWrites: writes('otherTableWrites'),
    },
    routeMs: {
      warm: stats(warm),
      // The request made right after the peer broadcast the change (it may not show it yet).
      afterChange: stats(afterChange),
      // The first request that showed the change: the first read after the change was applied.
      firstShowingChange: stats(seen.map(t => t.firstShowingMs!)),
      everyView: stats(allViews),
    },
    changeToRouteMs: {
      ...stats(changeToRoute),
      notSeen: changes.length - seen.length,
      resolution: `probes at ${BACKOFF_MS.join(', ')} ms apart after the change, then every ${STEADY_PROBE_MS} ms for the oldest unseen change of each instance; one request at a time`,
      ...(streaming
        ? {}
        : {
            // A change waits for the next poll (uniform over the interval), then the poll's duration.
            analytic: {
              p50: Math.round(interval * 0.5 + (percentile(pollMs, 50) ?? 0)),
              p95: Math.round(interval * 0.95 + (percentile(pollMs, 50) ?? 0)),
              max: Math.round(interval + Math.max(0, ...pollMs)),
            },
          }),
    },
    // When the backend's inventory applied the change (in its process), from the peer's change.
    changeToAppliedMs: stats(changeToApplied),
    scheduledTask: { runs: ticks.length, ms: stats(pollMs) },
    // InventoryIndex.apply, inside the backend: what each change (or poll) cost the read model.
    readModelUpdates: {
      count: updates.length,
      applications: updates.reduce((n, u) => n + u.applications, 0),
      ms: stats(updates.map(u => u.ms)),
    },
  };
}

type Figures = Awaited<ReturnType<typeof measure>>;

function goals(byConfiguration: Record<string, Figures>) {
  return Object.fromEntries(
    Object.entries(byConfiguration).map(([name, f]) => {
      const warmP95 = f.routeMs.warm.p95 ?? NaN;
      const after = Math.max(f.routeMs.afterChange.p95 ?? 0, f.routeMs.firstShowingChange.p95 ?? 0);
      return [
        name,
        {
          routeP95AfterChangeOverWarm: round(after / warmP95),
          routeP95AfterChangeWithin2xWarm: after <= 2 * warmP95,
          changeToRouteP95Ms: f.changeToRouteMs.p95,
          changeToRouteP95Under1s: (f.changeToRouteMs.p95 ?? Infinity) < 1000,
        },
      ];
    }),
  );
}

async function main() {
  const revision = backendRevision();
  const loadAtStart = os.loadavg()[0];
  const sequence = changeSequence();
  const floor = await measureHarnessFloor();
  const byConfiguration: Record<string, Figures> = {};
  for (const configuration of CONFIGURATIONS) {
    if (args.only && args.only !== configuration.name) continue;
    console.error(`live-inventory: ${configuration.name}, ${CHANGES} changes over ${MINUTES} min`);
    byConfiguration[configuration.name] = await measure(configuration, sequence, floor);
  }
  const after = backendRevision();
  if (after.commit !== revision.commit || after.uncommittedBackendFiles !== revision.uncommittedBackendFiles) {
    console.error(`live-inventory: the backend changed during the run (${JSON.stringify(revision)} -> ${JSON.stringify(after)})`);
  }
  const results = {
    benchmark: 'live-inventory',
    date: new Date().toISOString(),
    node: process.version,
    backend: revision,
    machine: { cpus: os.cpus().length, loadAverage1m: { start: round(loadAtStart), end: round(os.loadavg()[0]) } },
    applications: APPLICATIONS,
    instances: INSTANCES,
    services: SERVICES,
    minutes: MINUTES,
    changesPerSecond: 1,
    seed: SEED,
    reconcileSeconds: RECONCILE_SECONDS,
    route: 'GET /api/gitops/v1/entities/component/default/{name}/deployments',
    harnessFloor: floor,
    ...byConfiguration,
    goals: goals(byConfiguration),
  };
  const out = path.resolve(__dirname, args.out!);
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
