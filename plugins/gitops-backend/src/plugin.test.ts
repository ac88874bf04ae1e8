import { http, HttpResponse } from 'msw';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { parse } from 'yaml';
import type { DeploymentsResponse } from '@gitops-suite/backstage-plugin-gitops-common';
import { argoApplication } from './__testUtils__/argoCdSwagger';
import {
  ARGOCD_URL as ARGOCD,
  setupUpstreamServer,
  startGitopsTestBackend,
} from './__testUtils__/testBackend';

const canary = parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../fixtures/upstream/argo-rollouts-canary-rollout.yaml'),
    'utf8',
  ),
);

const labels = { 'app.kubernetes.io/name': 'payments-api' };

describe('gitops backend plugin', () => {
  const { server, counter } = setupUpstreamServer();

  beforeEach(() => {
    server.use(
      http.get(`${ARGOCD}/api/v1/applications`, () =>
        HttpResponse.json({
          items: [
            argoApplication('payments-api-dev', {
              labels: { ...labels, env: 'dev' },
              image: 'ghcr.io/example/payments-api:1.5.0',
              rollout: { name: 'canary-demo', namespace: 'jesse-test' },
              health: 'Degraded',
            }),
            argoApplication('payments-api-staging', { labels, image: 'ghcr.io/example/payments-api:1.4.2' }),
            argoApplication('payments-api-prod', { labels, namespace: 'prod-payments', image: 'ghcr.io/example/payments-api:1.4.2' }),
            argoApplication('payments-api-sandbox', { labels }),
            argoApplication('orders-api-dev', { labels: { 'app.kubernetes.io/name': 'orders-api', env: 'dev' } }),
          ],
        }),
      ),
      http.get(`${ARGOCD}/api/v1/applications/:name/resource`, () =>
        HttpResponse.json({ manifest: JSON.stringify(canary) }),
      ),
    );
  });
  const start = () => startGitopsTestBackend();

  async function deploymentsWhenRefreshed(httpServer: Awaited<ReturnType<typeof start>>) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const response = await request(httpServer).get(
        '/api/gitops/v1/entities/component/default/payments-api/deployments',
      );
      if (response.status === 200 && response.body.errors.length === 0) {
        return response.body as DeploymentsResponse;
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error('the inventory was never refreshed');
  }

  it('serves every environment of an entity from the inventory, without upstream calls per view', async () => {
    const httpServer = await start();
    const body = await deploymentsWhenRefreshed(httpServer);

    expect(body.environments.map(e => [e.name, e.applications.map(a => a.name)])).toEqual([
      ['dev', ['payments-api-dev']],
      ['staging', ['payments-api-staging']],
      ['prod', ['payments-api-prod']],
    ]);
    expect(body.unassigned.map(a => a.name)).toEqual(['payments-api-sandbox']);
    const [dev, staging, prod] = body.environments;
    expect(dev.version).toMatchObject({ tag: 'does-not-exist', revision: 'a'.repeat(40) });
    expect(dev.rollouts[0]).toMatchObject({ name: 'canary-demo', phase: 'Degraded', step: { index: 0, count: 8 } });
    expect(dev.applications[0].health.status).toBe('Degraded');
    expect(staging).toMatchObject({ version: { tag: '1.4.2' }, behindSource: true, lastDeployedAt: '2026-11-02T10:00:00Z' });
    expect(prod).toMatchObject({ behindSource: false });
    expect(staging.applications[0].history.map(h => h.id)).toEqual([2, 1]);

    const before = counter.calls;
    await request(httpServer)
      .get('/api/gitops/v1/entities/component/default/payments-api/deployments')
      .expect(200);
    // A page view reads the snapshot: no call to Argo CD.
    expect(counter.calls - before).toBe(0);
  });

  it('answers 404 for an unknown entity and 400 for a malformed reference', async () => {
    const httpServer = await start();
    const missing = await request(httpServer).get(
      '/api/gitops/v1/entities/component/default/unknown/deployments',
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ name: 'NotFoundError', message: expect.stringContaining('component:default/unknown') });
    const malformed = await request(httpServer).get(
      '/api/gitops/v1/entities/component/default/..%2F..%2Fetc/deployments',
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toContain('name');
  });

  it('keeps answering with an error per source when Argo CD is down', async () => {
    server.use(
      http.get(`${ARGOCD}/api/v1/applications`, () =>
        HttpResponse.json({ error: 'boom', code: 13, message: 'internal error' }, { status: 500 }),
      ),
    );
    const httpServer = await start();
    const response = await request(httpServer)
      .get('/api/gitops/v1/entities/component/default/payments-api/deployments')
      .expect(200);
    expect(response.body.environments).toHaveLength(3);
    expect(response.body.errors).toEqual([
      { source: 'argocd:main', message: expect.stringContaining('answered 500') },
    ]);
  });

  it('serves the fleet: every readable annotated entity across environments', async () => {
    const httpServer = await start();
    const response = await request(httpServer).get('/api/gitops/v1/fleet').expect(200);
    expect(response.body.environments.map((e: { name: string }) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(response.body.items).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/payments-api',
        drift: true,
        environments: expect.objectContaining({
          dev: expect.objectContaining({ version: expect.objectContaining({ tag: 'does-not-exist' }), health: 'Degraded' }),
          staging: expect.objectContaining({ version: expect.objectContaining({ tag: '1.4.2' }), behindSource: true }),
        }),
      }),
    ]);
    const bad = await request(httpServer).get('/api/gitops/v1/fleet').query({ findings: 'maybe' });
    expect(bad.status).toBe(400);
  });

  it('serves its health and the configured environments', async () => {
    const httpServer = await start();
    await request(httpServer).get('/api/gitops/health').expect(200);
    const environments = await request(httpServer).get('/api/gitops/v1/environments').expect(200);
    expect(environments.body.environments.map((e: { name: string }) => e.name)).toEqual(['dev', 'staging', 'prod']);
  });
});
