import { loadConfigSchema } from '@backstage/config-loader';
import path from 'path';
import request from 'supertest';
import { http, HttpResponse } from 'msw';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import {
  ARGOCD_URL,
  setupUpstreamServer,
  startGitopsTestBackend,
  testConfig,
} from '../__testUtils__/testBackend';

const SECRET = 'super-secret-argocd-token';

describe('secrets', () => {
  const { server } = setupUpstreamServer();

  it('keeps every gitops key away from the frontend, and marks credentials secret', async () => {
    const schema = await loadConfigSchema({
      dependencies: [],
      packagePaths: [path.resolve(__dirname, '../../package.json')],
    });
    const data = {
      gitops: {
        ...testConfig.gitops,
        argocd: { instances: [{ name: 'main', url: ARGOCD_URL, token: SECRET, password: 'pw', username: 'u' }] },
      },
    };
    const frontend = schema.process([{ data, context: 'test' }], { visibility: ['frontend'], ignoreSchemaErrors: true });
    expect(JSON.stringify(frontend)).not.toContain('gitops');
    const secrets = schema.process([{ data, context: 'test' }], { visibility: ['secret'], ignoreSchemaErrors: true });
    expect(JSON.stringify(secrets)).toContain(SECRET);
    expect(JSON.stringify(secrets)).toContain('"password":"pw"');
  });

  it('never sends a configured credential in a response', async () => {
    server.use(
      http.get(`${ARGOCD_URL}/api/v1/applications`, ({ request: req }) =>
        req.headers.get('authorization') === `Bearer ${SECRET}`
          ? HttpResponse.json({ items: [argoApplication('payments-api-dev', { labels: { 'app.kubernetes.io/name': 'payments-api', env: 'dev' } })] })
          : HttpResponse.json({ message: 'unauthorized' }, { status: 401 }),
      ),
    );
    const backend = await startGitopsTestBackend({
      config: { gitops: { ...testConfig.gitops, argocd: { instances: [{ name: 'main', url: ARGOCD_URL, token: SECRET }] } } },
    });
    const routes = [
      '/api/gitops/health',
      '/api/gitops/v1/environments',
      '/api/gitops/v1/fleet',
      '/api/gitops/v1/entities/component/default/payments-api/deployments',
      '/api/gitops/v1/promotions',
    ];
    for (const route of routes) {
      const response = await request(backend).get(route);
      expect(response.status).toBe(200);
      expect(response.text).not.toContain(SECRET);
    }
  });
});
