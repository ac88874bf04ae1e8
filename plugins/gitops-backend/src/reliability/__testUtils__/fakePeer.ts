import http from 'http';
import type { AddressInfo } from 'net';

/** How the peer answers one request. */
export type PeerBehaviour = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
) => void;

/**
 * A real HTTP server on 127.0.0.1, port 0, standing in for an Argo CD or Kubernetes
 * API server: real sockets, so timeouts, slow answers and refused connections behave
 * as they do in production. The test changes its behaviour as it goes.
 */
export interface FakePeer {
  url: string;
  /** `METHOD path?query` of each request received, in order. */
  requests: string[];
  behave(behaviour: PeerBehaviour): void;
  close(): Promise<void>;
}

export async function startFakePeer(behaviour: PeerBehaviour): Promise<FakePeer> {
  let current = behaviour;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    current(req, res);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    behave(next) {
      current = next;
    },
    async close() {
      // Destroying the sockets also clears the timers of slow answers (on 'close').
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

/** Answers JSON with a status. */
export function json(status: number, body: unknown): PeerBehaviour {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

/** Answers by route: the first handler whose path prefix matches; else 404 as Kubernetes does. */
export function routes(table: Record<string, PeerBehaviour>): PeerBehaviour {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const match = Object.keys(table)
      .sort((a, b) => b.length - a.length)
      .find(prefix => path.startsWith(prefix));
    if (match) return table[match](req, res);
    return json(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', message: `${path} not found`, code: 404 })(req, res);
  };
}

/** Accepts the connection and never answers (a hung upstream). */
export const hang: PeerBehaviour = () => undefined;

/** Answers as `behaviour` does, after `ms`. */
export function slow(ms: number, behaviour: PeerBehaviour): PeerBehaviour {
  return (req, res) => {
    const timer = setTimeout(() => {
      if (!res.destroyed) behaviour(req, res);
    }, ms);
    res.on('close', () => clearTimeout(timer));
  };
}

/** An error page from a proxy in front of the peer: HTML, not JSON. */
export function htmlError(status: number): PeerBehaviour {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(`<html><body><h1>${status}</h1>${'<p>upstream trouble</p>'.repeat(100)}</body></html>`);
  };
}

/** Milliseconds `fn` takes, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
}
