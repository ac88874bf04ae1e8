/**
 * A child process that holds one backend and nothing else, so its RSS is that
 * backend's: our gitops plugin or Roadie's Argo CD backend, in Backstage's test
 * backend, configured for the peers the parent started. The parent drives it over
 * IPC (see `forkBackend`) and sends every HTTP request to it from outside.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { AddressInfo } from 'net';
import { ENVIRONMENTS, catalogEntities } from './dataSet';
import type { InventoryProbe } from './inventoryProbe';

/** `none`: the test backend with no plugin, the floor both backends' RSS stands on. */
export type BackendKind = 'gitops' | 'roadie' | 'none';
/** The credentials the backend gets for every instance: what it logs in with, if at all. */
export type AuthMode = 'token' | 'password';
export type BackendOptions = {
  kind: BackendKind;
  instances: { name: string; url: string; token?: string; username?: string; password?: string }[];
  /** Services the catalog holds (gitops reads entities from it; Roadie does not). */
  services: number;
  /**
   * Ours: merged into `gitops.argocd` (default: refreshIntervalSeconds 3600 and the
   * plugin's defaults, i.e. the watch stream on).
   */
  argocd?: { stream?: boolean; refreshIntervalSeconds?: number; resyncIntervalSeconds?: number };
  /**
   * Ours: run the inventory's scheduled task every `refreshIntervalSeconds`, as
   * Backstage's scheduler runs a local task. Without it the task runs once at start-up
   * and then only when the parent asks (`tick`).
   */
  scheduleTicks?: boolean;
  /**
   * Ours: give the plugin its own in-memory SQLite (as the test backend's) through a
   * knex instance whose `query` events count the statements that write
   * `gitops_applications`.
   */
  countDbWrites?: boolean;
};
/** heapUsed is what is retained; RSS also holds the heap V8 grew to and has not given back. */
export type Memory = {
  rssMiB: number;
  maxRssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  /** Memory of C++ objects bound to JavaScript ones (Buffers, native handles). */
  externalMiB: number;
};
/** Statements that wrote `gitops_applications`, and the rows they carried. */
export type DbWrites = { insert: number; update: number; delete: number; rows: number; otherTableWrites: number };
export type Stats = {
  memory: Memory;
  /** CPU time of the process so far (user + system), milliseconds. */
  cpuMs: number;
  dbWrites: DbWrites;
  /** Each run of the scheduled inventory task: when it started (epoch ms) and how long it took. */
  ticks: { at: number; ms: number }[];
  /** Read-model updates (InventoryIndex.apply): applications in each, and milliseconds. */
  readModelUpdates: { applications: number; ms: number }[];
  /** How each instance is followed, as /health reports it. */
  modes: string[];
  /** The inventory's start-up: load the stored copy, list every instance once. */
  inventoryStartMs?: number;
};
type Request = { id: number; type: string; name?: string; names?: string[]; gc?: boolean };

const INVENTORY_TASK = 'gitops-argocd-inventory-refresh';
const epochMs = () => performance.timeOrigin + performance.now();

/**
 * Loads only the plugin this process measures: the other one's code would count in
 * its RSS. `require`, not `import()`: the Node transform leaves dynamic imports to
 * Node's ESM loader, which does not see the named exports of transpiled TypeScript.
 */
function loadPlugin<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id);
}

/** A knex on in-memory SQLite that counts what is written to the inventory table. */
function countingDatabase() {
  const { knex } = loadPlugin<typeof import('knex')>('knex');
  const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  const writes: DbWrites = { insert: 0, update: 0, delete: 0, rows: 0, otherTableWrites: 0 };
  db.on('query', ({ sql, bindings }: { sql: string; bindings?: unknown[] }) => {
    const match = /^\s*(insert into|update|delete from)\s+[`"]?(\w+)[`"]?\s*(\(([^)]*)\))?/i.exec(sql);
    if (!match) return;
    if (match[2] !== 'gitops_applications') {
      writes.otherTableWrites++;
      return;
    }
    const verb = match[1].split(' ')[0].toLowerCase() as 'insert' | 'update' | 'delete';
    writes[verb]++;
    // An insert carries one row per tuple of its column list; an update or delete here is one key.
    const columns = match[4]?.split(',').length;
    writes.rows += verb === 'insert' && columns ? Math.round((bindings?.length ?? 0) / columns) : 1;
  });
  return { db, writes };
}

/**
 * Our plugin with a scheduler the parent can trigger: the inventory task runs at
 * start-up (where it does nothing: the inventory lists every instance before start-up
 * completes), then on `tick` or, with `scheduleTicks`, every refresh interval.
 */
function gitopsFeatures(options: BackendOptions) {
  const { gitopsPlugin } = loadPlugin<typeof import('../../plugins/gitops-backend/src/plugin')>(
    '../../plugins/gitops-backend/src/plugin',
  );
  const probe = loadPlugin<typeof import('./inventoryProbe')>('./inventoryProbe').probeInventory();
  const scheduler = mockServices.scheduler() as ReturnType<typeof mockServices.scheduler> & {
    factory(options: object): never;
    triggerTask(id: string): Promise<void>;
  };
  const argocd = { refreshIntervalSeconds: 3600, ...options.argocd, instances: options.instances };
  const database = options.countDbWrites ? countingDatabase() : undefined;
  const features = [
    gitopsPlugin,
    scheduler.factory({ includeInitialDelayedTasksOnStartup: true }),
    catalogServiceMock.factory({ entities: catalogEntities(options.services) }),
    mockServices.rootConfig.factory({
      data: {
        gitops: {
          environments: ENVIRONMENTS.map(name => ({ name, match: { labels: { env: name } } })),
          argocd,
        },
      },
    }),
    ...(database ? [mockServices.database.factory({ knex: database.db })] : []),
  ];
  const ticks: { at: number; ms: number }[] = [];
  const tick = async () => {
    const at = epochMs();
    await scheduler.triggerTask(INVENTORY_TASK);
    ticks.push({ at, ms: epochMs() - at });
  };
  return {
    features,
    tick,
    probe,
    started() {
      if (!options.scheduleTicks) return;
      const timer = setInterval(() => void tick(), argocd.refreshIntervalSeconds * 1000);
      timer.unref();
    },
    stats: (): Omit<Stats, 'memory'> => ({
      cpuMs: cpuMs(),
      dbWrites: { ...(database?.writes ?? { insert: 0, update: 0, delete: 0, rows: 0, otherTableWrites: 0 }) },
      ticks: [...ticks],
      readModelUpdates: [...probe.updates],
      modes: probe.inventory().statuses().map(s => s.mode),
      inventoryStartMs: probe.startMs,
    }),
  };
}

/** Roadie's backend as its README configures it: every instance under `appLocatorMethods`. */
function roadieFeatures(options: BackendOptions) {
  const { default: roadiePlugin } = loadPlugin<typeof import('@roadiehq/backstage-plugin-argo-cd-backend')>(
    '@roadiehq/backstage-plugin-argo-cd-backend',
  );
  const features = [
    roadiePlugin,
    mockServices.rootConfig.factory({
      data: { argocd: { appLocatorMethods: [{ type: 'config', instances: options.instances }] } },
    }),
  ];
  return { features };
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
};

/** Memory after a full collection (the parent forks us with --expose-gc), or as it is now. */
function memory(gc = true): Memory {
  if (gc) global.gc!();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return {
    rssMiB: Math.round(rss / 2 ** 20),
    heapUsedMiB: Math.round(heapUsed / 2 ** 20),
    heapTotalMiB: Math.round(heapTotal / 2 ** 20),
    externalMiB: Math.round(external / 2 ** 20),
    // maxRSS is in KiB.
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 2 ** 10),
  };
}

async function main() {
  const options: BackendOptions = JSON.parse(process.argv[2]);
  const gitops = options.kind === 'gitops' ? gitopsFeatures(options) : undefined;
  const features = gitops?.features ?? (options.kind === 'roadie' ? roadieFeatures(options).features : []);
  const backend = await startTestBackend({ features });
  gitops?.started();
  const probe: InventoryProbe | undefined = gitops?.probe;

  // Changes the parent is about to make, and when the inventory applied them.
  const awaited = new Map<string, Promise<number>>();
  const applied = new Map<string, { resourceVersion?: string; at: number }>();
  let recording = false;
  probe?.inventory().onChange(change => {
    if (!recording) return;
    const at = epochMs();
    for (const entry of change.entries) {
      applied.set(entry.application.metadata.name, { resourceVersion: entry.application.metadata.resourceVersion, at });
    }
  });

  async function handle({ type, name, names, gc }: Request): Promise<object> {
    switch (type) {
      // Runs our inventory's scheduled task now: a poll when polling, a resync when due.
      case 'tick':
        await gitops?.tick();
        return {};
      case 'resync':
        await probe?.inventory().resync();
        return {};
      // Subscribe before the parent changes the application...
      case 'watchChange':
        if (probe) {
          const { nextChangeOf } = loadPlugin<typeof import('./inventoryProbe')>('./inventoryProbe');
          awaited.set(name!, nextChangeOf(probe.inventory(), name!));
        }
        return {};
      // ...then wait until the inventory applied it.
      case 'changeApplied': {
        const at = await awaited.get(name!);
        awaited.delete(name!);
        return { at };
      }
      // From now on, remember when each changed application was applied.
      case 'record':
        recording = true;
        return {};
      case 'appliedAt':
        return { applied: Object.fromEntries((names ?? []).map(n => [n, applied.get(n)])) };
      case 'memory':
        return memory();
      // `gc: false`: without a full collection first, so as not to disturb a measurement.
      case 'stats':
        return gitops ? { memory: memory(gc), ...gitops.stats() } : { memory: memory(gc), cpuMs: cpuMs() };
      default:
        throw new Error(`unknown request '${type}'`);
    }
  }

  process.on('message', async (request: Request) => {
    if (request.type === 'stop') {
      await backend.stop();
      // Exit once the reply is out: Backstage leaves sqlite connections open at shutdown
      // (their pool's reaper interval would keep this process up).
      process.send!({ id: request.id }, () => process.exit(0));
      return;
    }
    handle(request).then(
      reply => process.send!({ id: request.id, ...reply }),
      error => process.send!({ id: request.id, error: String(error?.stack ?? error) }),
    );
  });
  process.send!({ port: (backend.server.address() as AddressInfo).port });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
