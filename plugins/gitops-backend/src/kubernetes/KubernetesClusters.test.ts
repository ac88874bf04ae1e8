import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  backgroundReadProblem,
  KubernetesClusterSource,
  KubernetesClustersError,
} from './KubernetesClusters';
import {
  backstageError,
  KUBERNETES_PLUGIN_URL,
  testConnection,
} from './__testUtils__/connection';

describe('KubernetesClusterSource', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let answers: Array<() => Response>;
  let calls: Request[];
  beforeEach(() => {
    calls = [];
    server.use(
      http.get(`${KUBERNETES_PLUGIN_URL}/clusters`, ({ request }) => {
        calls.push(request);
        return (answers.length > 1 ? answers.shift()! : answers[0])();
      }),
    );
  });
  const list = (...names: Array<[string, string]>) => () =>
    HttpResponse.json({
      items: names.map(([name, authProvider]) => ({ name, authProvider, title: name.toUpperCase() })),
    });
  const source = (options: { ttlMs?: number; retryMs?: number } = {}) =>
    new KubernetesClusterSource({
      connection: testConnection(),
      logger: mockServices.logger.mock(),
      ...options,
    });

  it("reads the Kubernetes plugin's clusters with a service token, and keeps them a while", async () => {
    answers = [list(['sandbox', 'serviceAccount'], ['corp', 'oidc'])];
    const clusters = source();
    await expect(clusters.list()).resolves.toEqual([
      { name: 'sandbox', title: 'SANDBOX', authProvider: 'serviceAccount' },
      { name: 'corp', title: 'CORP', authProvider: 'oidc' },
    ]);
    await clusters.list();
    expect(calls).toHaveLength(1);
    expect(calls[0].headers.get('authorization')).toMatch(/^Bearer mock-service-token:.*"target":"kubernetes"/);
  });

  it('asks again once the list is older than its TTL (clusters come and go)', async () => {
    answers = [list(['a', 'serviceAccount']), list(['a', 'serviceAccount'], ['b', 'aws'])];
    const clusters = source({ ttlMs: 20 });
    expect((await clusters.list()).map(c => c.name)).toEqual(['a']);
    await new Promise(resolve => setTimeout(resolve, 30));
    expect((await clusters.list()).map(c => c.name)).toEqual(['a', 'b']);
  });

  it('fails with what the Kubernetes plugin answered, then keeps the last list when it fails later', async () => {
    answers = [() => new HttpResponse(null, { status: 404 })];
    const missing = await source().list().catch(e => e);
    expect(missing).toBeInstanceOf(KubernetesClustersError);
    expect(missing.statusCode).toBe(502);
    expect(missing.message).toBe(
      'Could not list the clusters of the Kubernetes plugin: GET http://localhost:0/api/kubernetes/clusters answered HTTP 404 (is @backstage/plugin-kubernetes-backend installed in this backend, with kubernetes config?)',
    );

    answers = [
      list(['a', 'serviceAccount']),
      () => HttpResponse.json(backstageError(403, 'NotAllowedError', 'Unauthorized'), { status: 403 }),
    ];
    const clusters = source({ ttlMs: 0, retryMs: 0 });
    expect((await clusters.list()).map(c => c.name)).toEqual(['a']);
    expect((await clusters.list()).map(c => c.name)).toEqual(['a']);
    expect(calls).toHaveLength(3);
  });

  it('does not ask again for a few seconds after a failure', async () => {
    answers = [() => HttpResponse.error()];
    const clusters = source();
    await expect(clusters.list()).rejects.toThrow(
      /^Could not list the clusters of the Kubernetes plugin: GET http:\/\/localhost:0\/api\/kubernetes\/clusters failed: /,
    );
    await expect(clusters.list()).rejects.toThrow(KubernetesClustersError);
    expect(calls).toHaveLength(1);
  });
});

describe('backgroundReadProblem', () => {
  it('names clusters whose authProvider needs the signed-in user', () => {
    expect(backgroundReadProblem({ name: 'sa', authProvider: 'serviceAccount' })).toBeUndefined();
    expect(backgroundReadProblem({ name: 'eks', authProvider: 'aws' })).toBeUndefined();
    expect(backgroundReadProblem({ name: 'custom', authProvider: 'vault' })).toBeUndefined();
    for (const provider of ['oidc', 'google', 'aks']) {
      expect(backgroundReadProblem({ name: 'c', authProvider: provider })).toContain(
        `Kubernetes cluster 'c' uses authProvider '${provider}'`,
      );
    }
  });
});
