import type http from 'http';
import { argoApplication } from '../../__testUtils__/argoCdSwagger';
import { startFakePeer, type FakePeer } from '../../reliability/__testUtils__/fakePeer';

type App = ReturnType<typeof argoApplication>;

/** How the stream route behaves: Argo CD's, missing (404), or held by a buffering proxy. */
export type StreamMode = 'argocd' | 'refused' | 'buffered';

/**
 * An Argo CD API over real HTTP with the watch semantics of Argo CD's server
 * (server/application/application.go, Watch): a list carries the collection's
 * resourceVersion; the stream sends every app as ADDED unless resumed from a
 * resourceVersion, then each broadcast event whose app is not older than it; nothing
 * broadcast while a client is away is replayed. Rollout reads answer per app.
 */
export class StreamingArgoCd {
  private version = 100;
  readonly apps = new Map<string, App>();
  private readonly streams = new Set<{ res: http.ServerResponse; minVersion: number }>();
  streamMode: StreamMode = 'argocd';
  /** Status the resource route answers for an app's Rollout (200 serves a live Rollout). */
  rolloutStatus = new Map<string, number>();
  /** Live objects the resource route serves instead, by `kind/name` (a Rollout with status, an AnalysisRun). */
  liveObjects = new Map<string, object>();
  private peer?: FakePeer;

  async start(): Promise<string> {
    this.peer = await startFakePeer((req, res) => this.handle(req, res));
    return this.peer.url;
  }

  get requests(): string[] {
    return this.peer?.requests ?? [];
  }

  async close() {
    await this.peer?.close();
  }

  /** Creates or changes an app (a new resourceVersion) and broadcasts it. */
  put(name: string, overrides: Parameters<typeof argoApplication>[1] = {}) {
    const type = this.apps.has(name) ? 'MODIFIED' : 'ADDED';
    const app = argoApplication(name, { ...overrides, resourceVersion: String(++this.version) });
    this.apps.set(name, app);
    this.broadcast(type, app);
    return app;
  }

  delete(name: string) {
    const app = structuredClone(this.apps.get(name)!);
    this.apps.delete(name);
    app.metadata.resourceVersion = String(++this.version);
    this.broadcast('DELETED', app);
  }

  /** Cuts every open stream (a restart of the API server, a proxy timeout). */
  breakStreams() {
    for (const stream of this.streams) stream.res.destroy();
    this.streams.clear();
  }

  /** Sends a grpc-gateway error line on every open stream. */
  failStreams(message: string) {
    for (const { res } of this.streams) res.write(`${JSON.stringify({ error: { grpc_code: 7, http_code: 403, message } })}\n`);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  private broadcast(type: string, app: App) {
    if (this.streamMode !== 'argocd') return;
    for (const { res, minVersion } of this.streams) {
      if (Number(app.metadata.resourceVersion) >= minVersion) {
        res.write(`${JSON.stringify({ result: { type, application: app } })}\n`);
      }
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://argocd');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v1/applications') {
      return send(200, { metadata: { resourceVersion: String(this.version) }, items: [...this.apps.values()] });
    }
    if (url.pathname === '/api/v1/stream/applications') return this.stream(url, res);
    const resource = url.pathname.match(/^\/api\/v1\/applications\/([^/]+)\/resource$/);
    if (resource) {
      const status = this.rolloutStatus.get(resource[1]) ?? 200;
      if (status !== 200) return send(status, { code: status === 404 ? 5 : 7, message: `rollout of ${resource[1]}: ${status}` });
      const live = this.liveObjects.get(`${url.searchParams.get('kind')}/${url.searchParams.get('resourceName')}`);
      const manifest = live ?? { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: url.searchParams.get('resourceName'), namespace: url.searchParams.get('namespace') }, spec: {}, status: {} };
      return send(200, { manifest: JSON.stringify(manifest) });
    }
    const one = url.pathname.match(/^\/api\/v1\/applications\/([^/]+)$/);
    const app = one && this.apps.get(one[1]);
    return app ? send(200, app) : send(404, { code: 5, message: 'not found' });
  }

  private stream(url: URL, res: http.ServerResponse) {
    if (this.streamMode === 'refused') {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>404 Not Found</html>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    if (this.streamMode === 'buffered') {
      this.streams.add({ res, minVersion: Number.MAX_SAFE_INTEGER });
      return;
    }
    const minVersion = Number(url.searchParams.get('resourceVersion') ?? 0) || 0;
    if (!url.searchParams.get('resourceVersion')) {
      for (const app of this.apps.values()) res.write(`${JSON.stringify({ result: { type: 'ADDED', application: app } })}\n`);
    }
    const stream = { res, minVersion };
    this.streams.add(stream);
    res.on('close', () => this.streams.delete(stream));
  }
}
