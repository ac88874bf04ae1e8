import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Responses by status code, exposed on /metrics for the canary analysis. */
const requestsByCode = new Map<number, number>();

function send(res: ServerResponse, status: number, body: unknown) {
  requestsByCode.set(status, (requestsByCode.get(status) ?? 0) + 1);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Prometheus text format: http_requests_total by code, what the AnalysisTemplate queries. */
function metrics(res: ServerResponse) {
  const lines = ['# TYPE http_requests_total counter'];
  for (const [code, count] of requestsByCode) {
    lines.push(`http_requests_total{code="${code}"} ${count}`);
  }
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  res.end(`${lines.join('\n')}\n`);
}

function handle(req: IncomingMessage, res: ServerResponse) {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') return send(res, 405, { error: 'method not allowed' });
  switch (pathname) {
    case '/healthz':
      // Liveness and readiness: the process serves requests. Add dependency checks here.
      return send(res, 200, { status: 'ok' });
    case '/metrics':
      return metrics(res);
    case '/':
      return send(res, 200, {
        service: '${{ values.name }}',
        version: process.env.APP_VERSION ?? 'dev',
      });
    default:
      return send(res, 404, { error: `no route ${pathname}` });
  }
}

/** The HTTP server, not yet listening: tests start it on a free port. */
export function createApp(): Server {
  return createServer(handle);
}
