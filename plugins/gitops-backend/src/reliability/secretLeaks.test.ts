import { mockServices } from '@backstage/backend-test-utils';
import { loadConfigSchema } from '@backstage/config-loader';
import request from 'supertest';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { startGitopsTestBackend } from '../__testUtils__/testBackend';
import { json, routes, startFakePeer, type FakePeer, type PeerBehaviour } from './__testUtils__/fakePeer';

/**
 * No configured credential reaches a browser, on the error paths too. src/config/secrets.test.ts
 * checks the gitops keys' visibility and the happy path; this adds the credentials the suite
 * reads from other plugins' config (Kubernetes service account tokens, SCM integration
 * tokens used for GitOps pushes), and peers that echo the credential back in an error,
 * as proxies and API servers do. Every route's answer is searched for every secret.
 */

const ARGO_TOKEN = 'argo-token-0123456789abcdef';
const ARGO_PASSWORD = 'argo-password-0123456789';
const SESSION_TOKEN = 'argo-session-0123456789abcdef';
const K8S_TOKEN = 'k8s-sa-token-0123456789abcdef';
const GITHUB_TOKEN = 'ghp_0123456789abcdefghijklmnopqrstuvwxyz';
const SECRETS = [ARGO_TOKEN, ARGO_PASSWORD, SESSION_TOKEN, K8S_TOKEN, GITHUB_TOKEN];
const ENTITY = '/api/gitops/v1/entities/component/default/payments-api';

type MockScheduler = ReturnType<typeof mockServices.scheduler> & { triggerTask(id: string): Promise<void> };

/** Answers `status` with a message quoting the request's credentials back. */
const echo = (status: number): PeerBehaviour => (req, res) => {
  let body = '';
  req.on('data', chunk => (body += chunk));
  req.on('end', () =>
    json(status, {
      kind: 'Status',
      code: status,
      message: `rejected authorization ${req.headers.authorization} for body ${body}`,
    })(req, res),
  );
};

const app = (name: string, env: string) =>
  argoApplication(name, {
    labels: { 'app.kubernetes.io/name': 'payments-api', env },
    image: 'ghcr.io/example/payments-api:1.5.0',
    rollout: { name: 'canary-demo', namespace: 'payments' },
  });

describe('secret leaks', () => {
  let tokenPeer: FakePeer;
  let sessionPeer: FakePeer;
  let cluster: FakePeer;
  let scheduler: MockScheduler;

  beforeEach(async () => {
    tokenPeer = await startFakePeer(json(200, { items: [app('payments-api-dev', 'dev')] }));
    sessionPeer = await startFakePeer(
      routes({
        '/api/v1/session': json(200, { token: SESSION_TOKEN }),
        '/api/v1/applications': json(200, { items: [app('payments-api-prod', 'prod')] }),
      }),
    );
    cluster = await startFakePeer(echo(401));
    scheduler = mockServices.scheduler() as MockScheduler;
  });
  afterEach(async () => {
    await Promise.all([tokenPeer.close(), sessionPeer.close(), cluster.close()]);
  });

  const config = () => ({
    gitops: {
      environments: [
        { name: 'dev', match: { labels: { env: 'dev' } } },
        { name: 'prod', promotesFrom: 'dev', match: { labels: { env: 'prod' } } },
      ],
      argocd: {
        // These peers serve no watch stream: the inventory polls on the refresh task.
        stream: false,
        requestTimeoutMs: 2_000,
        instances: [
          { name: 'main', url: tokenPeer.url, token: ARGO_TOKEN },
          { name: 'sso', url: sessionPeer.url, username: 'admin', password: ARGO_PASSWORD },
        ],
      },
    },
    integrations: { github: [{ host: 'github.com', token: GITHUB_TOKEN }] },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        { type: 'config', clusters: [{ name: 'dev', url: cluster.url, authProvider: 'serviceAccount', serviceAccountToken: K8S_TOKEN }] },
      ],
    },
  });

  it('marks the credentials the suite reads from other plugins secret, and keeps them from the frontend', async () => {
    const schema = await loadConfigSchema({
      dependencies: [],
      packagePaths: [
        require.resolve('@backstage/integration/package.json'),
        require.resolve('@backstage/plugin-kubernetes-backend/package.json'),
      ],
    });
    const data = config();
    const frontend = JSON.stringify(schema.process([{ data, context: 'test' }], { visibility: ['frontend'], ignoreSchemaErrors: true }));
    const secret = JSON.stringify(schema.process([{ data, context: 'test' }], { visibility: ['secret'], ignoreSchemaErrors: true }));
    for (const value of [K8S_TOKEN, GITHUB_TOKEN]) {
      expect(frontend).not.toContain(value);
      expect(secret).toContain(value);
    }
  }, 15_000);

  it('never answers with a credential, even when a peer echoes it in an error', async () => {
    const backend = await startGitopsTestBackend({ scheduler, config: config() });
    // Both instances were read once; now every peer rejects and quotes what it was sent.
    tokenPeer.behave(echo(401));
    sessionPeer.behave(routes({ '/api/v1/session': echo(401), '/api/v1/applications': echo(401) }));
    await scheduler.triggerTask('gitops-argocd-inventory-refresh');

    const calls: Array<[string, () => request.Test]> = [
      ['health', () => request(backend).get('/api/gitops/health')],
      ['environments', () => request(backend).get('/api/gitops/v1/environments')],
      ['fleet', () => request(backend).get('/api/gitops/v1/fleet?findings=true')],
      ['deployments', () => request(backend).get(`${ENTITY}/deployments`)],
      ['vulnerabilities', () => request(backend).get(`${ENTITY}/vulnerabilities?environment=dev`)],
      ['policies', () => request(backend).get(`${ENTITY}/policies?environment=dev`)],
      ['rollout promote', () => request(backend).post(`${ENTITY}/rollouts/promote`).send({ environment: 'dev', namespace: 'payments', name: 'canary-demo' })],
      ['rollout abort', () => request(backend).post(`${ENTITY}/rollouts/abort`).send({ environment: 'prod', namespace: 'payments', name: 'canary-demo' })],
      ['argocd-rollback', () => request(backend).post(`${ENTITY}/argocd-rollback`).send({ environment: 'dev', application: 'payments-api-dev', historyId: 1 })],
      ['preview', () => request(backend).post('/api/gitops/v1/promotions/preview').send({ entityRef: 'component:default/payments-api', from: 'dev', to: 'prod' })],
      ['promotions', () => request(backend).get('/api/gitops/v1/promotions')],
    ];
    const answers: Array<{ route: string; text: string }> = [];
    for (const [route, call] of calls) answers.push({ route, text: (await call()).text });
    // The error paths were taken: the peers' refusals are reported.
    expect(answers.map(a => a.text).join('\n')).toMatch(/answered 401/);

    for (const answer of answers) {
      for (const secret of SECRETS) {
        expect(answer).not.toEqual({ route: answer.route, text: expect.stringContaining(secret) });
        expect(answer.text).not.toContain(Buffer.from(secret).toString('base64').slice(0, 16));
      }
    }
  }, 15_000);
});
