/**
 * The Argo CD side of the read-path benchmarks: the data set of dataSet.ts (every
 * 10th service with a canary Rollout), each instance an HTTP server on port 0 that
 * answers the Argo CD REST calls both backends make, in Argo CD's wire format, and
 * counts them by kind.
 */
import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import path from 'path';
import { parse } from 'yaml';
import { argoApplication } from '../../plugins/gitops-backend/src/__testUtils__/argoCdSwagger';
import { APPLICATIONS, ENVIRONMENTS, INSTANCES, serviceName } from './dataSet';

/** The bearer token every peer accepts, besides the session tokens it issued. */
export const PEER_TOKEN = 'bench-token';
export const PEER_USERNAME = 'bench';
export const PEER_PASSWORD = 'bench-password';

const rollout = parse(
  fs.readFileSync(path.resolve(__dirname, '../../fixtures/upstream/argo-rollouts-canary-rollout.yaml'), 'utf8'),
);

type Application = ReturnType<typeof argoApplication>;
/** What a call was: the kinds a backend's read path can cost. */
export type CallKind = 'session' | 'list' | 'get' | 'resource' | 'other';
export type Peer = {
  name: string;
  url: string;
  calls: Record<CallKind, number>;
  close(): Promise<void>;
};

/** Application i is service floor(i/3) in environment i%3, on instance i%INSTANCES. */
function applicationsOf(instance: number): Application[] {
  const apps = [];
  for (let i = instance; i < APPLICATIONS; i += INSTANCES) {
    const s = Math.floor(i / ENVIRONMENTS.length);
    const e = i % ENVIRONMENTS.length;
    const env = ENVIRONMENTS[e];
    apps.push(
      argoApplication(`${serviceName(s)}-${env}`, {
        labels: { 'app.kubernetes.io/name': serviceName(s), env },
        image: `ghcr.io/example/${serviceName(s)}:1.${e}.0`,
        rollout: s % 10 === 0 ? { name: serviceName(s), namespace: `${serviceName(s)}-${env}` } : undefined,
      }),
    );
  }
  return apps;
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

function send(res: http.ServerResponse, status: number, body: string) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(body);
}

/** Argo CD's error body (runtimeError in the swagger). */
const argoError = (code: number, message: string) => JSON.stringify({ error: message, code, message });

async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/**
 * One Argo CD instance. It checks credentials as Argo CD does (a bearer token on every
 * call, `POST /api/v1/session` trades a username and password for one), so a backend
 * that skips or repeats the login is counted as it behaves against the real thing.
 */
export async function startPeer(instance: number): Promise<Peer> {
  const applications = applicationsOf(instance);
  const byName = new Map(applications.map(app => [app.metadata.name, JSON.stringify(app)]));
  // The unfiltered list is what our inventory refresh reads; serialise it once.
  const fullList = JSON.stringify({ metadata: { resourceVersion: '1' }, items: applications });
  const manifest = JSON.stringify({ manifest: JSON.stringify(rollout) });
  const sessions = new Set<string>();
  const calls: Record<CallKind, number> = { session: 0, list: 0, get: 0, resource: 0, other: 0 };

  async function answer(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url!, 'http://peer');
    if (req.method === 'POST' && url.pathname === '/api/v1/session') {
      calls.session++;
      const { username, password } = JSON.parse(await readBody(req));
      if (username !== PEER_USERNAME || password !== PEER_PASSWORD) {
        return send(res, 401, argoError(16, 'Invalid username or password'));
      }
      const token = `session-${instance}-${sessions.size}`;
      sessions.add(token);
      return send(res, 200, JSON.stringify({ token }));
    }
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    const authorised = token === PEER_TOKEN || sessions.has(token ?? '');
    const [, name, sub] = /^\/api\/v1\/applications(?:\/([^/]+))?(\/.*)?$/.exec(url.pathname) ?? [];
    if (req.method !== 'GET' || !url.pathname.startsWith('/api/v1/applications')) {
      calls.other++;
      return send(res, 404, argoError(5, `${req.method} ${url.pathname} is not served by the bench peer`));
    }
    if (!authorised) {
      calls.other++;
      return send(res, 401, argoError(16, 'no session information'));
    }
    if (!name) {
      calls.list++;
      const selector = url.searchParams.get('selector');
      if (!selector) return send(res, 200, fullList);
      const matches = labelMatcher(selector);
      const items = applications.filter(app => matches(app.metadata.labels));
      return send(res, 200, JSON.stringify({ metadata: { resourceVersion: '1' }, items }));
    }
    if (sub === '/resource') {
      calls.resource++;
      return send(res, 200, manifest);
    }
    if (!sub) {
      calls.get++;
      const app = byName.get(decodeURIComponent(name));
      return app ? send(res, 200, app) : send(res, 404, argoError(5, `applications.argoproj.io "${name}" not found`));
    }
    calls.other++;
    return send(res, 404, argoError(5, `${url.pathname} is not served by the bench peer`));
  }

  const server = http.createServer((req, res) => {
    answer(req, res).catch(error => send(res, 400, argoError(3, (error as Error).message)));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    name: `argocd-${instance}`,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function startPeers(): Promise<Peer[]> {
  return Promise.all(Array.from({ length: INSTANCES }, (_, i) => startPeer(i)));
}

/** Upstream calls so far over all peers, by kind and in total. */
export function countCalls(peers: Peer[]): Record<CallKind | 'total', number> {
  const counts = { session: 0, list: 0, get: 0, resource: 0, other: 0, total: 0 };
  for (const peer of peers) {
    for (const [kind, n] of Object.entries(peer.calls) as [CallKind, number][]) {
      counts[kind] += n;
      counts.total += n;
    }
  }
  return counts;
}

/** Calls made between two countCalls snapshots. */
export function callsBetween(before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(Object.keys(after).map(kind => [kind, after[kind] - before[kind]])) as Record<
    CallKind | 'total',
    number
  >;
}
