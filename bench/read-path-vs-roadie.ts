/**
 * The entity-page read path side by side, in one run against the same Argo CD peers
 * (1,000 applications over 3 instances, see lib/argocdPeer.ts): our deployments route
 * vs `@roadiehq/backstage-plugin-argo-cd-backend`'s find routes, 200 entity views each.
 * Per backend: upstream calls per view, p50/p95 latency, RSS; then Roadie / ours. Ours
 * follows the peers' watch streams (its default); its "after a change" views are each
 * the first view after one application changed at a peer and the inventory applied it.
 *
 * Each backend runs alone in its own child process, so its RSS is that backend's, not
 * the peers' or the load generator's. Views run one at a time, so the peers' call
 * counters between two points are one view's calls. Both backends run once with a
 * bearer token and once with a username and password, where they differ most
 * (Roadie logs in on every call).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import {
  PEER_PASSWORD,
  PEER_TOKEN,
  PEER_USERNAME,
  callsBetween,
  changeApplication,
  countBytes,
  countCalls,
  showsChange,
  startPeers,
  type Change,
  type Peer,
} from './lib/argocdPeer';
import type { AuthMode, BackendKind, Memory } from './lib/backendProcess';
import {
  APPLICATIONS,
  ENVIRONMENTS,
  INSTANCES,
  SERVICES,
  applicationsOfService,
  serviceName,
  serviceSelector,
} from './lib/dataSet';
import { forkBackend, measureHarnessFloor, type ForkedBackend } from './lib/forkBackend';
import { percentile } from './lib/percentile';
import { backendRevision } from './lib/revision';

const VIEWS = 200;
/** Untimed views first, the same for both: JIT and connection pools warm, not measured. */
const WARMUP_VIEWS = 20;
/** Our views each right after one application of the entity changed and the inventory applied it. */
const AFTER_CHANGE_VIEWS = 20;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const latency = (values: number[]) => ({ p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) });
const elapsedMs = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

function credentials(peers: Peer[], auth: AuthMode) {
  return peers.map(peer => ({
    name: peer.name,
    url: peer.url,
    ...(auth === 'token' ? { token: PEER_TOKEN } : { username: PEER_USERNAME, password: PEER_PASSWORD }),
  }));
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as T;
}

/** Both views must answer the same applications, or the comparison is meaningless. */
function checkApplications(kind: BackendKind, s: number, names: string[]) {
  if (names.length !== applicationsOfService(s) || names.some(name => !name.startsWith(`${serviceName(s)}-`))) {
    throw new Error(`${kind}: unexpected applications for ${serviceName(s)}: ${names.join(', ')}`);
  }
}

type DeploymentsBody = Parameters<typeof showsChange>[0];

/** Our entity page: one call, every environment side by side (and the change it must show). */
async function gitopsView(backend: ForkedBackend, s: number, change?: Change) {
  const started = process.hrtime.bigint();
  const body = await getJson<DeploymentsBody>(
    `${backend.baseUrl}/gitops/v1/entities/component/default/${serviceName(s)}/deployments`,
  );
  const ms = elapsedMs(started);
  checkApplications('gitops', s, body.environments.flatMap(env => env.applications.map(app => app.name)));
  if (change && !showsChange(body, change)) throw new Error(`gitops: ${serviceName(s)} does not show ${change.name}'s change`);
  return { ms };
}

/**
 * Roadie's entity card for an `argocd/app-selector` entity when `appLocatorMethods` is
 * configured (useAppDetails in @roadiehq/backstage-plugin-argo-cd): find the instances
 * with `/find/selector`, then read each one's applications with the selector, in parallel.
 */
async function roadieView(backend: ForkedBackend, peers: Peer[], s: number) {
  const base = `${backend.baseUrl}/argocd`;
  const selector = encodeURIComponent(serviceSelector(s));
  const before = countCalls(peers);
  const started = process.hrtime.bigint();
  const found = await getJson<{ name: string }[]>(`${base}/find/selector/${selector}`);
  const findMs = elapsedMs(started);
  const findCalls = callsBetween(before, countCalls(peers)).total;
  const lists = await Promise.all(
    found.map(instance =>
      getJson<{ items: { metadata: { name: string } }[] }>(
        `${base}/argoInstance/${instance.name}/applications/selector/${selector}`,
      ),
    ),
  );
  const ms = elapsedMs(started);
  checkApplications('roadie', s, lists.flatMap(list => list.items.map(app => app.metadata.name)));
  return { ms, findMs, findCalls };
}

/** One view and the upstream calls (and bytes) it caused (views run one at a time, so they are its own). */
async function counted<T>(peers: Peer[], view: () => Promise<T>) {
  const before = countCalls(peers);
  const bytesBefore = countBytes(peers);
  const result = await view();
  return { ...result, calls: callsBetween(before, countCalls(peers)), bytes: callsBetween(bytesBefore, countBytes(peers)).total };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Both backends up side by side, their views alternating (ours for service s, then
 * Roadie's for the same s), so load elsewhere on the machine hits both alike. Then our
 * views right after a change, which Roadie has no equivalent of: it keeps nothing
 * between requests.
 */
async function measurePair(peers: Peer[], auth: AuthMode) {
  const instances = credentials(peers, auth);
  let before = countCalls(peers);
  let bytesBefore = countBytes(peers);
  const gitops = await forkBackend({ kind: 'gitops', instances, services: SERVICES });
  // Our start-up includes the first list of every instance and opening its watch stream
  // (and, with a password, the logins).
  const gitopsStartup = callsBetween(before, countCalls(peers));
  const gitopsStartupBytes = callsBetween(bytesBefore, countBytes(peers)).total;
  before = countCalls(peers);
  bytesBefore = countBytes(peers);
  const roadie = await forkBackend({ kind: 'roadie', instances, services: SERVICES });
  const roadieStartup = callsBetween(before, countCalls(peers));
  const roadieStartupBytes = callsBetween(bytesBefore, countBytes(peers)).total;

  for (let s = 0; s < WARMUP_VIEWS; s++) {
    await gitopsView(gitops, s);
    await roadieView(roadie, peers, s);
  }
  const gitopsViews = [];
  const roadieViews = [];
  for (let s = 0; s < VIEWS; s++) {
    gitopsViews.push(await counted(peers, () => gitopsView(gitops, s)));
    roadieViews.push(await counted(peers, () => roadieView(roadie, peers, s)));
  }

  // Memory now, both having served the same 220 views; ours has listed once.
  const [gitopsMemory, roadieMemory] = [await gitops.memory(), await roadie.memory()];

  // One change per view: the prod application of service s flips its health at its peer,
  // which broadcasts it on the watch stream; the view is made once our inventory applied
  // it, so it is the first read after the change.
  const afterChange = [];
  const changeCalls = [];
  const changeBytes = [];
  for (let s = 0; s < AFTER_CHANGE_VIEWS; s++) {
    const index = s * ENVIRONMENTS.length + ENVIRONMENTS.indexOf('prod');
    const beforeChange = countCalls(peers);
    const bytesBeforeChange = countBytes(peers);
    const applied = await gitops.watchChange(`${serviceName(s)}-prod`);
    const change = changeApplication(peers, index, 'health', s);
    await applied();
    changeCalls.push(callsBetween(beforeChange, countCalls(peers)).total);
    changeBytes.push(callsBetween(bytesBeforeChange, countBytes(peers)).total);
    afterChange.push(await counted(peers, () => gitopsView(gitops, s, change)));
  }

  const gitopsMemoryAfterChanges = await gitops.memory();
  await Promise.all([gitops.stop(), roadie.stop()]);
  const perView = (views: { calls: Record<string, number> }[], kind: string) =>
    sum(views.map(view => view.calls[kind])) / views.length;
  return {
    gitops: {
      upstreamCallsAtStartup: gitopsStartup,
      upstreamBytesAtStartup: gitopsStartupBytes,
      upstreamCallsPerView: {
        warm: perView(gitopsViews, 'total'),
        afterChange: perView(afterChange, 'total'),
        // The start-up list spread over this run's views: the figure set against
        // Roadie's, since ours calls nothing upstream while viewing.
        amortised: round((gitopsStartup.total + sum(gitopsViews.map(view => view.calls.total))) / VIEWS, 3),
      },
      upstreamBytesPerView: {
        warm: sum(gitopsViews.map(view => view.bytes)) / VIEWS,
        amortised: Math.round((gitopsStartupBytes + sum(gitopsViews.map(view => view.bytes))) / VIEWS),
      },
      // What one change costs upstream: its stream line, and a Rollout read where the app has one.
      upstreamCallsPerChange: sum(changeCalls) / AFTER_CHANGE_VIEWS,
      upstreamBytesPerChange: Math.round(sum(changeBytes) / AFTER_CHANGE_VIEWS),
      latencyMs: {
        warm: latency(gitopsViews.map(view => view.ms)),
        afterChange: latency(afterChange.map(view => view.ms)),
      },
      memory: gitopsMemory,
      // After 20 more changes, each applied to the read model.
      memoryAfterChanges: gitopsMemoryAfterChanges,
    },
    roadie: {
      upstreamCallsAtStartup: roadieStartup,
      upstreamBytesAtStartup: roadieStartupBytes,
      upstreamCallsPerView: {
        total: perView(roadieViews, 'total'),
        session: perView(roadieViews, 'session'),
        list: perView(roadieViews, 'list'),
        findRoute: sum(roadieViews.map(view => view.findCalls)) / VIEWS,
      },
      upstreamBytesPerView: sum(roadieViews.map(view => view.bytes)) / VIEWS,
      latencyMs: {
        view: latency(roadieViews.map(view => view.ms)),
        // The find route alone: instances and names only, no application data yet.
        findRoute: latency(roadieViews.map(view => view.findMs)),
      },
      memory: roadieMemory,
    },
  };
}


type Figures = Awaited<ReturnType<typeof measurePair>>;

/**
 * Roadie / ours, against our steady state (warm) and our worst case (right after a
 * change); RSS also above the harness floor, i.e. what each plugin adds to a backend.
 */
function ratios({ gitops, roadie }: Figures, floor: Memory) {
  const ratio = (a: number, b: number) => round(a / b);
  return {
    upstreamCallsPerView: ratio(roadie.upstreamCallsPerView.total, gitops.upstreamCallsPerView.amortised),
    upstreamBytesPerView: ratio(roadie.upstreamBytesPerView, gitops.upstreamBytesPerView.amortised),
    p50: ratio(roadie.latencyMs.view.p50, gitops.latencyMs.warm.p50),
    p95: ratio(roadie.latencyMs.view.p95, gitops.latencyMs.warm.p95),
    p50VsAfterChange: ratio(roadie.latencyMs.view.p50, gitops.latencyMs.afterChange.p50),
    p95VsAfterChange: ratio(roadie.latencyMs.view.p95, gitops.latencyMs.afterChange.p95),
    findRouteP50: ratio(roadie.latencyMs.findRoute.p50, gitops.latencyMs.warm.p50),
    findRouteP95: ratio(roadie.latencyMs.findRoute.p95, gitops.latencyMs.warm.p95),
    rss: ratio(roadie.memory.rssMiB, gitops.memory.rssMiB),
    rssAboveFloor: ratio(roadie.memory.rssMiB - floor.rssMiB, gitops.memory.rssMiB - floor.rssMiB),
    heapUsedAboveFloor: ratio(
      roadie.memory.heapUsedMiB - floor.heapUsedMiB,
      gitops.memory.heapUsedMiB - floor.heapUsedMiB,
    ),
  };
}

function packageVersion(name: string) {
  return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version as string;
}

async function main() {
  const revision = backendRevision();
  // The machine may be shared: its load goes with the latencies so they can be read.
  const loadAtStart = os.loadavg()[0];
  const peers = await startPeers();
  // The test backend with no plugin: the harness both backends' RSS includes.
  const harnessFloor = await measureHarnessFloor();
  const byAuth: Record<string, object> = {};
  for (const auth of ['token', 'password'] as AuthMode[]) {
    const figures = await measurePair(peers, auth);
    byAuth[auth] = { ...figures, roadieOverOurs: ratios(figures, harnessFloor) };
  }
  const unserved = countCalls(peers).other;
  await Promise.all(peers.map(peer => peer.close()));
  if (unserved) throw new Error(`${unserved} upstream calls the peers do not serve: the figures would be wrong`);

  const results = {
    benchmark: 'read-path-vs-roadie',
    date: new Date().toISOString(),
    node: process.version,
    backend: revision,
    machine: { cpus: os.cpus().length, loadAverage1m: { start: round(loadAtStart), end: round(os.loadavg()[0]) } },
    applications: APPLICATIONS,
    instances: INSTANCES,
    views: VIEWS,
    warmupViews: WARMUP_VIEWS,
    afterChangeViews: AFTER_CHANGE_VIEWS,
    gitopsInventory: 'watch stream (gitops.argocd.stream default: true)',
    gitopsView: 'GET /api/gitops/v1/entities/component/default/{name}/deployments',
    roadieView:
      'GET /api/argocd/find/selector/{selector}, then GET /api/argocd/argoInstance/{instance}/applications/selector/{selector} per instance found',
    roadieVersions: {
      backend: packageVersion('@roadiehq/backstage-plugin-argo-cd-backend'),
      node: packageVersion('@roadiehq/backstage-plugin-argo-cd-node'),
    },
    harnessFloor,
    ...byAuth,
  };
  fs.writeFileSync(path.join(__dirname, 'results/read-path-vs-roadie.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
