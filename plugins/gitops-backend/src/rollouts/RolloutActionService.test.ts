import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { http, HttpResponse } from 'msw';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { parse } from 'yaml';
import { argoApplication, checkAgainstArgoCdSwagger } from '../__testUtils__/argoCdSwagger';
import {
  ARGOCD_URL,
  setupUpstreamServer,
  startGitopsTestBackend,
  testConfig,
} from '../__testUtils__/testBackend';

const fixture = (name: string) =>
  parse(fs.readFileSync(path.resolve(__dirname, `../../../../fixtures/upstream/${name}`), 'utf8'));

/** The upstream canary fixture, paused at its `pause: {}` step like the controller leaves it. */
function pausedCanary() {
  const rollout = fixture('argo-rollouts-canary-rollout.yaml');
  rollout.status.conditions = [];
  rollout.status.currentStepIndex = 1;
  rollout.status.pauseConditions = [{ reason: 'CanaryPauseStep', startTime: '2026-11-22T10:00:00Z' }];
  rollout.status.controllerPause = true;
  return rollout;
}

const ROUTE = '/api/gitops/v1/entities/component/default/payments-api/rollouts';
const target = { environment: 'dev', namespace: 'jesse-test', name: 'canary-demo' };

describe('rollout controls', () => {
  const { server, counter } = setupUpstreamServer();
  let live: Record<string, any>;
  let actionBodies: unknown[];

  beforeEach(() => {
    live = pausedCanary();
    actionBodies = [];
    server.use(
      http.get(`${ARGOCD_URL}/api/v1/applications`, () =>
        HttpResponse.json({
          items: [
            argoApplication('payments-api-dev', {
              labels: { 'app.kubernetes.io/name': 'payments-api', env: 'dev' },
              rollout: { name: 'canary-demo', namespace: 'jesse-test' },
              health: 'Suspended',
            }),
          ],
        }),
      ),
      http.get(`${ARGOCD_URL}/api/v1/applications/:name/resource`, () =>
        HttpResponse.json({ manifest: JSON.stringify(live) }),
      ),
      http.get(`${ARGOCD_URL}/api/v1/applications/:name/resource/actions`, () =>
        HttpResponse.json({
          actions: [
            { name: 'resume', disabled: !live.status.pauseConditions?.length },
            { name: 'restart', disabled: false, displayName: 'Restart Pods' },
            { name: 'abort', disabled: Boolean(live.status.abort) },
            { name: 'retry', disabled: !live.status.abort },
            { name: 'promote-full', disabled: false },
            { name: 'pause', disabled: Boolean(live.status.pauseConditions?.length) },
          ],
        }),
      ),
      http.post(`${ARGOCD_URL}/api/v1/applications/:name/resource/actions/v2`, async ({ request: req }) => {
        const body = (await req.json()) as { action: string };
        actionBodies.push(body);
        if (body.action === 'resume') {
          live.status.pauseConditions = [];
          live.status.currentStepIndex = 2;
        }
        return HttpResponse.json({});
      }),
    );
  });

  it('promotes a paused canary with exactly the request Argo CD expects', async () => {
    const backend = await startGitopsTestBackend();
    const response = await request(backend).post(`${ROUTE}/promote`).send(target);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'canary-demo', paused: false, step: { index: 2, count: 8 } });
    expect(actionBodies).toEqual([
      {
        name: 'payments-api-dev',
        appNamespace: 'argocd',
        namespace: 'jesse-test',
        resourceName: 'canary-demo',
        version: 'v1alpha1',
        kind: 'Rollout',
        group: 'argoproj.io',
        action: 'resume',
      },
    ]);
    for (const upstream of counter.requests) {
      expect(checkAgainstArgoCdSwagger(upstream.method, new URL(upstream.url))).toEqual([]);
    }
  });

  it.each([
    ['promote-full', 'promote-full'],
    ['abort', 'abort'],
    ['restart', 'restart'],
  ])('maps %s to the Argo CD action %s', async (action, argoAction) => {
    const backend = await startGitopsTestBackend();
    await request(backend).post(`${ROUTE}/${action}`).send(target).expect(200);
    expect(actionBodies).toEqual([expect.objectContaining({ action: argoAction })]);
  });

  it('refuses an action the live state does not allow with 409 and the reason', async () => {
    live.status.pauseConditions = [];
    live.status.controllerPause = false;
    const backend = await startGitopsTestBackend();
    const response = await request(backend).post(`${ROUTE}/promote`).send(target);
    expect(response.status).toBe(409);
    expect(response.body.error.message).toBe('Cannot promote: Rollout jesse-test/canary-demo is not paused');
    const retry = await request(backend).post(`${ROUTE}/retry`).send(target);
    expect(retry.status).toBe(409);
    expect(actionBodies).toEqual([]);
  });

  it('only targets rollouts of the entity in that environment', async () => {
    const backend = await startGitopsTestBackend();
    const other = await request(backend).post(`${ROUTE}/promote`).send({ ...target, name: 'someone-else' });
    expect(other.status).toBe(404);
    const wrongEnv = await request(backend).post(`${ROUTE}/promote`).send({ ...target, environment: 'prod' });
    expect(wrongEnv.status).toBe(404);
    const unknownEnv = await request(backend).post(`${ROUTE}/promote`).send({ ...target, environment: 'qa' });
    expect(unknownEnv.status).toBe(400);
    expect(unknownEnv.body.error.message).toBe("environment: 'qa' is not configured");
    expect(actionBodies).toEqual([]);
  });

  it.each([
    ['an unknown action', 'explode', target],
    ['a missing field', 'promote', { environment: 'dev', name: 'canary-demo' }],
    ['an extra field', 'promote', { ...target, force: true }],
    ['a malformed name', 'promote', { ...target, name: 'bad name\n' }],
  ])('answers 400 for %s and changes nothing', async (_, action, body) => {
    const backend = await startGitopsTestBackend();
    const response = await request(backend).post(`${ROUTE}/${action}`).send(body);
    expect(response.status).toBe(400);
    expect(response.body.error.name).toBe('InputError');
    expect(actionBodies).toEqual([]);
  });

  it('answers 403 without the rollout control permission', async () => {
    const backend = await startGitopsTestBackend({
      features: [mockServices.permissions.factory({ result: AuthorizeResult.DENY })],
    });
    const response = await request(backend).post(`${ROUTE}/promote`).send(target);
    expect(response.status).toBe(403);
    expect(actionBodies).toEqual([]);
  });
});

describe('rollout controls through the Kubernetes API (kubectl plugin patches)', () => {
  const { server } = setupUpstreamServer();
  const K8S = 'https://k8s.example.com';
  const PATH = '/apis/argoproj.io/v1alpha1/namespaces/jesse-test/rollouts/canary-demo';
  let live: Record<string, any>;
  let patches: { path: string; contentType: string | null; body: unknown }[];
  let statusSubresource: boolean;

  const config = {
    gitops: {
      ...testConfig.gitops,
      environments: testConfig.gitops.environments.map(e =>
        e.name === 'dev' ? { ...e, rolloutControl: 'kubernetes', kubernetesCluster: 'dev-cluster' } : e,
      ),
    },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        { type: 'config', clusters: [{ name: 'dev-cluster', url: K8S, authProvider: 'serviceAccount', serviceAccountToken: 'k8s-token' }] },
      ],
    },
  };

  beforeEach(() => {
    live = pausedCanary();
    patches = [];
    statusSubresource = true;
    server.use(
      http.get(`${ARGOCD_URL}/api/v1/applications`, () =>
        HttpResponse.json({
          items: [
            argoApplication('payments-api-dev', {
              labels: { 'app.kubernetes.io/name': 'payments-api', env: 'dev' },
              rollout: { name: 'canary-demo', namespace: 'jesse-test' },
              health: 'Suspended',
            }),
          ],
        }),
      ),
      http.get(`${ARGOCD_URL}/api/v1/applications/:name/resource`, () => HttpResponse.json({ manifest: JSON.stringify(live) })),
      http.get(`${K8S}${PATH}`, ({ request: req }) =>
        req.headers.get('authorization') === 'Bearer k8s-token' ? HttpResponse.json(live) : new HttpResponse(null, { status: 401 }),
      ),
      http.patch(`${K8S}${PATH}/status`, async ({ request: req }) => {
        if (!statusSubresource) return HttpResponse.json({ kind: 'Status', code: 404 }, { status: 404 });
        patches.push({ path: `${PATH}/status`, contentType: req.headers.get('content-type'), body: await req.json() });
        live.status.pauseConditions = [];
        return HttpResponse.json(live);
      }),
      http.patch(`${K8S}${PATH}`, async ({ request: req }) => {
        patches.push({ path: PATH, contentType: req.headers.get('content-type'), body: await req.json() });
        return HttpResponse.json(live);
      }),
    );
  });

  it('promotes with the status-subresource merge patch the kubectl plugin sends', async () => {
    const backend = await startGitopsTestBackend({ config });
    const response = await request(backend).post(`${ROUTE}/promote`).send(target);
    expect(response.status).toBe(200);
    expect(patches).toEqual([
      { path: `${PATH}/status`, contentType: 'application/merge-patch+json', body: { status: { pauseConditions: null } } },
    ]);
  });

  it('falls back to patching the object when the CRD has no status subresource', async () => {
    statusSubresource = false;
    const backend = await startGitopsTestBackend({ config });
    await request(backend).post(`${ROUTE}/abort`).send(target).expect(200);
    expect(patches).toEqual([
      { path: PATH, contentType: 'application/merge-patch+json', body: { status: { abort: true } } },
    ]);
  });

  it('pauses through the spec', async () => {
    live.status.pauseConditions = [];
    live.status.controllerPause = false;
    const backend = await startGitopsTestBackend({ config });
    await request(backend).post(`${ROUTE}/pause`).send(target).expect(200);
    expect(patches).toEqual([{ path: PATH, contentType: 'application/merge-patch+json', body: { spec: { paused: true } } }]);
  });
});
