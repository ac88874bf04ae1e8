/**
 * The Argo CD side of the read-path benchmarks: the data set of dataSet.ts (every
 * 10th service with a canary Rollout), each instance an HTTP server on port 0 that
 * answers the Argo CD REST calls the backends make, in Argo CD's wire format, counts
 * them by kind and counts the response bytes it writes per kind.
 *
 * It serves Argo CD's watch stream with the semantics of Argo CD's server
 * (server/application/application.go, Watch): every application has a resourceVersion
 * and a list carries the collection's (the highest); a change bumps the collection's
 * version, gives it to the changed application and broadcasts the application as
 * MODIFIED to every open stream whose minVersion (its `resourceVersion` parameter) is
 * not above it. A stream opened without a resourceVersion first gets every application
 * as ADDED; one opened with a resourceVersion gets no initial burst. Nothing broadcast
 * while a client is away is replayed.
 */
import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import path from 'path';
import { parse } from 'yaml';
import { argoApplication } from '../../plugins/gitops-backend/src/__testUtils__/argoCdSwagger';
import { APPLICATIONS, ENVIRONMENTS, INSTANCES, applicationAt, hasRollout, serviceName } from './dataSet';

/** The bearer token every peer accepts, besides the session tokens it issued. */
export const PEER_TOKEN = 'bench-token';
export const PEER_USERNAME = 'bench';
export const PEER_PASSWORD = 'bench-password';

const rollout = parse(
  fs.readFileSync(path.resolve(__dirname, '../../fixtures/upstream/argo-rollouts-canary-rollout.yaml'), 'utf8'),
);

export type Application = ReturnType<typeof argoApplication>;
/** What a call was: the kinds a backend's read path can cost. `stream`: a watch connection. */
export type CallKind = 'session' | 'list' | 'get' | 'resource' | 'stream' | 'other';
export const CALL_KINDS: CallKind[] = ['session', 'list', 'get', 'resource', 'stream', 'other'];

export type Peer = {
  name: string;
  url: string;
  calls: Record<CallKind, number>;
  /** Response body bytes written, by kind (a stream's lines count under `stream`). */
  bytes: Record<CallKind, number>;
  /** Watch streams open now. */
  readonly openStreams: number;
  /** The application as the peer holds it now (do not mutate: use `change`). */
  application(name: string): Application | undefined;
  /**
   * Changes one application: `mutate` edits it, then it gets the next resourceVersion
   * and is broadcast as MODIFIED. Returns the new version and how many streams got it.
   */
  change(name: string, mutate: (app: Application) => void): { resourceVersion: string; streams: number };
  close(): Promise<void>;
};

const zeroes = (): Record<CallKind, number> => ({ session: 0, list: 0, get: 0, resource: 0, stream: 0, other: 0 });

/** Application i as Argo CD first reports it (see dataSet.ts for where i is). */
function initialApplication(i: number): Application {
  const { service, environment, name } = applicationAt(i);
  const e = ENVIRONMENTS.indexOf(environment);
  return argoApplication(name, {
    labels: { 'app.kubernetes.io/name': serviceName(service), env: environment },
    image: `ghcr.io/example/${serviceName(service)}:1.${e}.0`,
    rollout: hasRollout(service) ? { name: serviceName(service), namespace: `${serviceName(service)}-${environment}` } : undefined,
  });
}

/**
 * A Kubernetes label selector reduced to what the benchmarks send: comma-separated
 * `key=value`, `key==value` and `key!=value` requirements. Anything else is refused, so
 * a backend sending set-based selectors fails loudly instead of being measured on a
 * wrong answer.
 */
function labelMatcher(selector: string): (labels: Record<string, string>) => boolean {
  const requirements = selector.split(',').map(requirement => {
    const match = /^\s*([\w./-]+)\s*(==|!=|=)\s*([\w.-]*)\s*$/.exec(requirement);
    if (!match) throw new Error(`the bench peer does not support the selector '${selector}'`);
    const [, key, operator, value] = match;
    return (labels: Record<string, string>) => (labels[key] === value) === (operator !== '!=');
  });
  return labels => requirements.every(matches => matches(labels));
}

/** Argo CD's error body (runtimeError in the swagger). */
const argoError = (code: number, message: string) => JSON.stringify({ error: message, code, message });

async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/** The stream parameters the peer honours; any other is refused rather than ignored. */
const STREAM_PARAMETERS = new Set(['resourceVersion', 'name', 'selector']);

type Held = { app: Application; json: string };
type Stream = { res: http.ServerResponse; minVersion: number; matches: (app: Application) => boolean };

/**
 * One Argo CD instance. It checks credentials as Argo CD does (a bearer token on every
 * call, `POST /api/v1/session` trades a username and password for one), so a backend
 * that skips or repeats the login is counted as it behaves against the real thing.
 */
export async function startPeer(instance: number, applications = APPLICATIONS): Promise<Peer> {
  /** The collection's resourceVersion: the last one handed out. */
  let version = 0;
  const held = new Map<string, Held>();
  for (let i = instance; i < applications; i += INSTANCES) {
    const app = initialApplication(i);
    app.metadata.resourceVersion = String(++version);
    held.set(app.metadata.name, { app, json: JSON.stringify(app) });
  }
  // The unfiltered list is what our inventory lists; serialised again only after a change.
  let fullList: string | undefined;
  const listBody = (items: string[]) => `{"metadata":{"resourceVersion":"${version}"},"items":[${items.join(',')}]}`;
  const manifest = JSON.stringify({ manifest: JSON.stringify(rollout) });
  const sessions = new Set<string>();
  const streams = new Set<Stream>();
  const calls = zeroes();
  const bytes = zeroes();

  function send(res: http.ServerResponse, kind: CallKind, status: number, body: string) {
    bytes[kind] += Buffer.byteLength(body);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(body);
  }

  function write(stream: Stream, type: 'ADDED' | 'MODIFIED', app: Application) {
    const line = `${JSON.stringify({ result: { type, application: app } })}\n`;
    bytes.stream += Buffer.byteLength(line);
    stream.res.write(line);
  }

  function openStream(url: URL, res: http.ServerResponse) {
    const unsupported = [...url.searchParams.keys()].filter(key => !STREAM_PARAMETERS.has(key));
    if (unsupported.length) throw new Error(`the bench peer does not support the stream parameters ${unsupported.join(', ')}`);
    const requested = url.searchParams.get('resourceVersion');
    // Argo CD: strconv.Atoi, a version that is not a number counts as 0.
    const minVersion = requested && /^\d+$/.test(requested) ? Number(requested) : 0;
    const name = url.searchParams.get('name');
    const selector = url.searchParams.get('selector');
    const labels = selector ? labelMatcher(selector) : undefined;
    const stream: Stream = {
      res,
      minVersion,
      matches: app => (!name || app.metadata.name === name) && (!labels || labels(app.metadata.labels)),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    if (!requested) {
      // Argo CD sends what it has first, sorted by qualified name.
      const apps = [...held.values()].map(h => h.app).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
      for (const app of apps) if (stream.matches(app)) write(stream, 'ADDED', app);
    }
    streams.add(stream);
    res.on('close', () => streams.delete(stream));
  }

  async function answer(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url!, 'http://peer');
    if (req.method === 'POST' && url.pathname === '/api/v1/session') {
      calls.session++;
      const { username, password } = JSON.parse(await readBody(req));
      if (username !== PEER_USERNAME || password !== PEER_PASSWORD) {
        return send(res, 'session', 401, argoError(16, 'Invalid username or password'));
      }
      const token = `session-${instance}-${sessions.size}`;
      sessions.add(token);
      return send(res, 'session', 200, JSON.stringify({ token }));
    }
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    const authorised = token === PEER_TOKEN || sessions.has(token ?? '');
    if (req.method === 'GET' && url.pathname === '/api/v1/stream/applications') {
      calls.stream++;
      if (!authorised) return send(res, 'stream', 401, argoError(16, 'no session information'));
      return openStream(url, res);
    }
    const [, name, sub] = /^\/api\/v1\/applications(?:\/([^/]+))?(\/.*)?$/.exec(url.pathname) ?? [];
    if (req.method !== 'GET' || !url.pathname.startsWith('/api/v1/applications')) {
      calls.other++;
      return send(res, 'other', 404, argoError(5, `${req.method} ${url.pathname} is not served by the bench peer`));
    }
    if (!authorised) {
      calls.other++;
      return send(res, 'other', 401, argoError(16, 'no session information'));
    }
    if (!name) {
      calls.list++;
      const selector = url.searchParams.get('selector');
      if (!selector) return send(res, 'list', 200, (fullList ??= listBody([...held.values()].map(h => h.json))));
      const matches = labelMatcher(selector);
      const items = [...held.values()].filter(h => matches(h.app.metadata.labels)).map(h => h.json);
      return send(res, 'list', 200, listBody(items));
    }
    if (sub === '/resource') {
      calls.resource++;
      return send(res, 'resource', 200, manifest);
    }
    if (!sub) {
      calls.get++;
      const app = held.get(decodeURIComponent(name));
      return app
        ? send(res, 'get', 200, app.json)
        : send(res, 'get', 404, argoError(5, `applications.argoproj.io "${name}" not found`));
    }
    calls.other++;
    return send(res, 'other', 404, argoError(5, `${url.pathname} is not served by the bench peer`));
  }

  const server = http.createServer((req, res) => {
    answer(req, res).catch(error => {
      calls.other++;
      send(res, 'other', 400, argoError(3, (error as Error).message));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    name: `argocd-${instance}`,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    bytes,
    get openStreams() {
      return streams.size;
    },
    application: name => held.get(name)?.app,
    change(name, mutate) {
      const entry = held.get(name);
      if (!entry) throw new Error(`the bench peer argocd-${instance} has no application ${name}`);
      mutate(entry.app);
      entry.app.metadata.resourceVersion = String(++version);
      entry.json = JSON.stringify(entry.app);
      fullList = undefined;
      let sent = 0;
      for (const stream of streams) {
        if (version >= stream.minVersion && stream.matches(entry.app)) {
          write(stream, 'MODIFIED', entry.app);
          sent++;
        }
      }
      return { resourceVersion: String(version), streams: sent };
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function startPeers(applications = APPLICATIONS): Promise<Peer[]> {
  return Promise.all(Array.from({ length: INSTANCES }, (_, i) => startPeer(i, applications)));
}

/** What the route must show once a change reached it. */
export type Expectation = { health: string } | { image: string; revision: string };
/** One change made at a peer: which application, its new version and when it was broadcast. */
export type Change = {
  /** The application's index in the data set. */
  index: number;
  name: string;
  service: number;
  instance: number;
  resourceVersion: string;
  expect: Expectation;
  /** Streams the change was broadcast to. */
  streams: number;
  /** When it was broadcast: epoch milliseconds, comparable across processes. */
  at: number;
};
export type ChangeKind = 'health' | 'deploy';

/** Epoch milliseconds with sub-millisecond resolution, comparable with a child's. */
export const epochMs = () => performance.timeOrigin + performance.now();

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Health flips between Healthy and Degraded, with the managed resources' health. */
function flipHealth(app: Application): Expectation {
  const health = app.status.health.status === 'Healthy' ? 'Degraded' : 'Healthy';
  app.status.health = { status: health };
  for (const resource of app.status.resources as { health?: { status: string } }[]) {
    if (resource.health) resource.health = { status: health };
  }
  app.status.reconciledAt = now();
  return { health };
}

/**
 * A deployment as Argo CD reports it once synced: a new revision with a new image tag,
 * a new history entry (Argo CD keeps 10) and a finished sync operation.
 */
function deploy(app: Application, step: number): Expectation {
  const [repository] = app.status.summary.images[0].split(':');
  const image = `${repository}:2.${step}.0`;
  const revision = step.toString(16).padStart(40, 'c');
  const at = now();
  const history = app.status.history;
  history.push({ id: history[history.length - 1].id + 1, revision, deployedAt: at, deployStartedAt: at, source: {} });
  app.status.history = history.slice(-10);
  app.status.sync = { ...app.status.sync, status: 'Synced', revision };
  app.status.summary = { images: [image] };
  app.status.operationState = { phase: 'Succeeded', startedAt: at, finishedAt: at, operation: {}, syncResult: { revision } };
  app.status.reconciledAt = at;
  return { image, revision };
}

/**
 * Changes application `index` of the data set at its peer (a health flip, or a deploy
 * of a new image tag numbered `step`) and broadcasts it.
 */
export function changeApplication(peers: Peer[], index: number, kind: ChangeKind, step: number): Change {
  const { service, instance, name } = applicationAt(index);
  let expect: Expectation | undefined;
  const { resourceVersion, streams } = peers[instance].change(name, app => {
    expect = kind === 'health' ? flipHealth(app) : deploy(app, step);
  });
  return { index, name, service, instance, resourceVersion, expect: expect!, streams, at: epochMs() };
}

/** Whether a deployments answer shows the change (or a later state of the same application). */
export function showsChange(
  body: { environments: { applications: { name: string; health: { status: string }; images: string[] }[] }[] },
  change: Pick<Change, 'name' | 'expect'>,
): boolean {
  const app = body.environments.flatMap(env => env.applications).find(a => a.name === change.name);
  if (!app) return false;
  return 'health' in change.expect ? app.health.status === change.expect.health : app.images.includes(change.expect.image);
}

/** Upstream calls so far over all peers, by kind and in total. */
export function countCalls(peers: Peer[]): Record<CallKind | 'total', number> {
  return sumOver(peers.map(peer => peer.calls));
}

/** Response bytes written so far over all peers, by kind and in total. */
export function countBytes(peers: Peer[]): Record<CallKind | 'total', number> {
  return sumOver(peers.map(peer => peer.bytes));
}

function sumOver(counters: Record<CallKind, number>[]) {
  const counts = { ...zeroes(), total: 0 };
  for (const counter of counters) {
    for (const kind of CALL_KINDS) {
      counts[kind] += counter[kind];
      counts.total += counter[kind];
    }
  }
  return counts;
}

/** Calls (or bytes) made between two countCalls (countBytes) snapshots. */
export function callsBetween(before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(Object.keys(after).map(kind => [kind, after[kind] - before[kind]])) as Record<
    CallKind | 'total',
    number
  >;
}
