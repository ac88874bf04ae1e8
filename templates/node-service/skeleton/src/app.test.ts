import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApp } from './app';

describe('${{ values.name }}', () => {
  const server = createApp();
  let base = '';

  before(async () => {
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>(resolve => server.close(() => resolve())));

  it('answers /healthz with 200 ok', async () => {
    const response = await fetch(`${base}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('counts responses by status code on /metrics', async () => {
    await fetch(`${base}/missing`);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /http_requests_total\{code="404"\} 1/);
    assert.match(text, /http_requests_total\{code="200"\} \d+/);
  });

  it('exposes the response-time histogram on /metrics', async () => {
    await fetch(`${base}/healthz`);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /# TYPE http_request_duration_seconds histogram/);
    const count = Number(text.match(/^http_request_duration_seconds_count (\d+)$/m)?.[1]);
    assert.ok(count >= 1);
    assert.match(text, new RegExp(`^http_request_duration_seconds_bucket\\{le="\\+Inf"\\} ${count}$`, 'm'));
    assert.match(text, /^http_request_duration_seconds_sum \d/m);
  });

  it('answers unknown routes with 404', async () => {
    const response = await fetch(`${base}/nope`);
    assert.equal(response.status, 404);
  });
});
