import { http, HttpResponse } from 'msw';
import request from 'supertest';
import { argoApplication, checkAgainstArgoCdSwagger } from '../__testUtils__/argoCdSwagger';
import { ARGOCD_URL, setupUpstreamServer, startGitopsTestBackend } from '../__testUtils__/testBackend';

const ROUTE = '/api/gitops/v1/entities/component/default/payments-api/argocd-rollback';

describe("Argo CD's own rollback", () => {
  const { server, counter } = setupUpstreamServer();
  let automated: boolean;
  let bodies: unknown[];

  beforeEach(() => {
    automated = false;
    bodies = [];
    server.use(
      http.get(`${ARGOCD_URL}/api/v1/applications`, () => {
        const app = argoApplication('payments-api-dev', { labels: { 'app.kubernetes.io/name': 'payments-api', env: 'dev' } });
        if (!automated) delete (app.spec as { syncPolicy?: unknown }).syncPolicy;
        return HttpResponse.json({ items: [app] });
      }),
      http.post(`${ARGOCD_URL}/api/v1/applications/:name/rollback`, async ({ request: req }) => {
        bodies.push(await req.json());
        return HttpResponse.json(argoApplication('payments-api-dev'));
      }),
    );
  });

  it('rolls an application without auto-sync back to a history entry, as Argo CD expects', async () => {
    const backend = await startGitopsTestBackend();
    const response = await request(backend).post(ROUTE).send({ environment: 'dev', application: 'payments-api-dev', historyId: 1 });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ application: 'payments-api-dev', historyId: 1, revision: 'b'.repeat(40) });
    expect(bodies).toEqual([{ name: 'payments-api-dev', id: 1, appNamespace: 'argocd' }]);
    for (const upstream of counter.requests) {
      expect(checkAgainstArgoCdSwagger(upstream.method, new URL(upstream.url))).toEqual([]);
    }
    const view = await request(backend).get('/api/gitops/v1/entities/component/default/payments-api/deployments');
    expect(view.body.environments[0].applications[0].autoSync).toBe(false);
  });

  it('refuses it with automated sync, as Argo CD does, and writes nothing', async () => {
    automated = true;
    const backend = await startGitopsTestBackend();
    const response = await request(backend).post(ROUTE).send({ environment: 'dev', application: 'payments-api-dev', historyId: 1 });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toContain('automated sync');
    expect(bodies).toEqual([]);
  });

  it.each([
    [{ environment: 'dev', application: 'payments-api-dev', historyId: 9 }, 400, 'historyId: 9 is not in'],
    [{ environment: 'dev', application: 'orders-api-dev', historyId: 1 }, 404, 'No Argo CD application orders-api-dev'],
    [{ environment: 'qa', application: 'payments-api-dev', historyId: 1 }, 400, "environment: 'qa' is not configured"],
    [{ environment: 'dev', application: 'payments-api-dev', historyId: -1 }, 400, 'historyId'],
  ])('answers %j with %i', async (body, status, message) => {
    const backend = await startGitopsTestBackend();
    const response = await request(backend).post(ROUTE).send(body);
    expect(response.status).toBe(status);
    expect(response.body.error.message).toContain(message);
    expect(bodies).toEqual([]);
  });
});
