import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Responses by status code, exposed on /metrics for the canary analysis. */
const requestsByCode = new Map<number, number>();

/** Upper bounds (seconds) of the response-time histogram's buckets; +Inf is implied. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const durationCounts = DURATION_BUCKETS.map(() => 0);
let durationSum = 0;
let durationCount = 0;

function observeDuration(seconds: number) {
  DURATION_BUCKETS.forEach((bound, i) => {
    if (seconds <= bound) durationCounts[i]++;
  });
  durationSum += seconds;
  durationCount++;
}

function send(res: ServerResponse, status: number, body: unknown) {
  requestsByCode.set(status, (requestsByCode.get(status) ?? 0) + 1);
  const started = startedAt.get(res);
  if (started !== undefined) observeDuration(Number(process.hrtime.bigint() - started) / 1e9);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Prometheus text format: http_requests_total by code and the response-time histogram
 * http_request_duration_seconds, what the AnalysisTemplate queries.
 */
function metrics(res: ServerResponse) {
  const lines = ['# TYPE http_requests_total counter'];
  for (const [code, count] of requestsByCode) {
    lines.push(`http_requests_total{code="${code}"} ${count}`);
  }
  lines.push('# TYPE http_request_duration_seconds histogram');
  DURATION_BUCKETS.forEach((bound, i) => {
    lines.push(`http_request_duration_seconds_bucket{le="${bound}"} ${durationCounts[i]}`);
  });
  lines.push(`http_request_duration_seconds_bucket{le="+Inf"} ${durationCount}`);
  lines.push(`http_request_duration_seconds_sum ${durationSum}`);
  lines.push(`http_request_duration_seconds_count ${durationCount}`);
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  res.end(`${lines.join('\n')}\n`);
}

/** When each response's request arrived: the histogram's observations. */
const startedAt = new WeakMap<ServerResponse, bigint>();

function handle(req: IncomingMessage, res: ServerResponse) {
  startedAt.set(res, process.hrtime.bigint());
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
