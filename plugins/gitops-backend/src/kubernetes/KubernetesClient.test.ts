import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { KubernetesClient, KubernetesRequestError } from './KubernetesClient';
import type { KubernetesCluster } from './KubernetesClusters';
import { PODS, ROLLOUTS, VULNERABILITY_REPORTS } from './resourceTypes';
import {
  backstageError,
  PROXY_URL,
  testConnection,
} from './__testUtils__/connection';

const cluster: KubernetesCluster = { name: 'dev', authProvider: 'serviceAccount' };
const object = (name: string) => ({
  metadata: { name, namespace: 'payments' },
});
const client = (options: { timeoutMs?: number; pageSize?: number } = {}) =>
  new KubernetesClient({ connection: testConnection(), ...options });

describe('KubernetesClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const requests: Request[] = [];
  beforeEach(() => {
    requests.length = 0;
    server.events.on('request:start', ({ request }) => {
      requests.push(request.clone());
    });
  });
  afterEach(() => server.events.removeAllListeners());

  it('goes through the Kubernetes plugin proxy: names the cluster, sends a service token, follows limit/continue pages', async () => {
    const all = Array.from({ length: 5 }, (_, i) => object(`report-${i}`));
    server.use(
      http.get(
        `${PROXY_URL}/apis/aquasecurity.github.io/v1alpha1/namespaces/payments/vulnerabilityreports`,
        ({ request }) => {
          const url = new URL(request.url);
          const limit = Number(url.searchParams.get('limit'));
          const start = Number(url.searchParams.get('continue') ?? 0);
          const next = start + limit;
          return HttpResponse.json({
            apiVersion: 'aquasecurity.github.io/v1alpha1',
            kind: 'VulnerabilityReportList',
            metadata:
              next < all.length
                ? {
                    continue: String(next),
                    remainingItemCount: all.length - next,
                  }
                : {},
            items: all.slice(start, next),
          });
        },
      ),
    );
    const items = await client({ pageSize: 2 }).list(cluster, {
      ...VULNERABILITY_REPORTS,
      namespace: 'payments',
      labelSelector: 'trivy-operator.resource.kind=ReplicaSet',
    });

    expect(items.map(i => i.metadata.name)).toEqual(
      all.map(i => i.metadata.name),
    );
    expect(requests.map(r => new URL(r.url).search)).toEqual([
      '?limit=2&labelSelector=trivy-operator.resource.kind%3DReplicaSet',
      '?limit=2&labelSelector=trivy-operator.resource.kind%3DReplicaSet&continue=2',
      '?limit=2&labelSelector=trivy-operator.resource.kind%3DReplicaSet&continue=4',
    ]);
    for (const r of requests) {
      expect(r.headers.get('backstage-kubernetes-cluster')).toBe('dev');
      // A plugin-to-plugin token of gitops for the kubernetes plugin (mock format).
      expect(r.headers.get('authorization')).toBe(
        'Bearer mock-service-token:{"sub":"plugin:gitops","target":"kubernetes"}',
      );
    }
  });

  it('asks for 500 items a page by default, with core and cluster-wide paths', async () => {
    server.use(
      http.get(`${PROXY_URL}/api/v1/pods`, () =>
        HttpResponse.json({ items: null }),
      ),
    );
    await expect(client().list(cluster, PODS)).resolves.toEqual([]);
    expect(new URL(requests[0].url).searchParams.get('limit')).toBe('500');
  });

  it('starts over once when a continue token expired (410)', async () => {
    let calls = 0;
    server.use(
      http.get(
        `${PROXY_URL}/api/v1/namespaces/payments/pods`,
        ({ request }) => {
          calls++;
          const token = new URL(request.url).searchParams.get('continue');
          if (token === 'stale') {
            return HttpResponse.json(
              {
                kind: 'Status',
                code: 410,
                message: 'The provided continue parameter is too old',
              },
              { status: 410 },
            );
          }
          return calls === 1
            ? HttpResponse.json({
                metadata: { continue: 'stale' },
                items: [object('a')],
              })
            : HttpResponse.json({ items: [object('a'), object('b')] });
        },
      ),
    );
    const items = await client({ pageSize: 1 }).list(cluster, {
      ...PODS,
      namespace: 'payments',
    });
    expect(items.map(i => i.metadata.name)).toEqual(['a', 'b']);
  });

  it("explains the cluster's 403 as missing RBAC permission, naming the cluster, authProvider and resource", async () => {
    server.use(
      http.get(
        `${PROXY_URL}/apis/argoproj.io/v1alpha1/namespaces/payments/rollouts`,
        () =>
          HttpResponse.json(
            {
              kind: 'Status',
              status: 'Failure',
              message:
                'rollouts.argoproj.io is forbidden: User "system:serviceaccount:backstage:reader" cannot list resource "rollouts"',
              reason: 'Forbidden',
              code: 403,
            },
            { status: 403 },
          ),
      ),
    );
    const error = await client()
      .list(cluster, { ...ROLLOUTS, namespace: 'payments' })
      .catch(e => e);
    expect(error).toBeInstanceOf(KubernetesRequestError);
    expect(error).toMatchObject({ cluster: 'dev', status: 403, statusCode: 403 });
    expect(error.proxyStatus).toBeUndefined();
    expect(error.message).toBe(
      'Kubernetes cluster \'dev\' forbids GET /apis/argoproj.io/v1alpha1/namespaces/payments/rollouts (HTTP 403): the credentials the Kubernetes plugin uses for it (authProvider \'serviceAccount\') lack RBAC permission for rollouts.argoproj.io: rollouts.argoproj.io is forbidden: User "system:serviceaccount:backstage:reader" cannot list resource "rollouts"',
    );
  });

  it("tells the proxy's own refusals from the cluster's: unknown cluster, permission, unreachable cluster", async () => {
    const answers: Record<string, [number, object]> = {
      unknown: [404, backstageError(404, 'NotFoundError', "Cluster 'dev' not found")],
      denied: [403, backstageError(403, 'NotAllowedError', 'Unauthorized')],
      down: [
        500,
        backstageError(
          500,
          'ForwardedError',
          "Cluster 'dev' request error; caused by Error: connect ECONNREFUSED 10.0.0.1:6443",
        ),
      ],
    };
    server.use(
      http.get(`${PROXY_URL}/api/v1/namespaces/:ns/pods`, ({ params }) => {
        const [status, body] = answers[params.ns as string];
        return HttpResponse.json(body, { status });
      }),
    );
    const errors = await Promise.all(
      Object.keys(answers).map(ns =>
        client()
          .list(cluster, { ...PODS, namespace: ns })
          .catch(e => e),
      ),
    );
    for (const [i, [status]] of Object.values(answers).entries()) {
      expect(errors[i]).toBeInstanceOf(KubernetesRequestError);
      // Not the cluster's status: a proxy 404 is no "type not served", a 403 no RBAC.
      expect(errors[i]).toMatchObject({ status: undefined, proxyStatus: status, statusCode: 502 });
    }
    expect(errors.map(e => e.message)).toEqual([
      "Kubernetes cluster 'dev': the Kubernetes plugin's proxy answered HTTP 404 to GET /api/v1/namespaces/unknown/pods, not the cluster: it does not know the cluster (kubernetes.clusterLocatorMethods): NotFoundError: Cluster 'dev' not found",
      "Kubernetes cluster 'dev': the Kubernetes plugin's proxy answered HTTP 403 to GET /api/v1/namespaces/denied/pods, not the cluster: its permission policy denies kubernetes.proxy to the gitops plugin: NotAllowedError: Unauthorized",
      "Kubernetes cluster 'dev': the Kubernetes plugin's proxy answered HTTP 500 to GET /api/v1/namespaces/down/pods, not the cluster: ForwardedError: Cluster 'dev' request error; caused by Error: connect ECONNREFUSED 10.0.0.1:6443",
    ]);
  });

  it('reports other statuses, an unreachable plugin and timeouts with the cluster name', async () => {
    server.use(
      http.get(
        `${PROXY_URL}/api/v1/namespaces/a/pods`,
        () => new HttpResponse('<html>oops</html>', { status: 502 }),
      ),
      http.get(`${PROXY_URL}/api/v1/namespaces/b/pods`, () =>
        HttpResponse.error(),
      ),
      http.get(`${PROXY_URL}/api/v1/namespaces/c/pods`, async () => {
        await delay(500);
        return HttpResponse.json({ items: [] });
      }),
    );
    const fast = client({ timeoutMs: 50 });
    await expect(
      fast.list(cluster, { ...PODS, namespace: 'a' }),
    ).rejects.toThrow(
      "Kubernetes cluster 'dev' answered HTTP 502 to GET /api/v1/namespaces/a/pods: <html>oops</html>",
    );
    await expect(
      fast.list(cluster, { ...PODS, namespace: 'b' }),
    ).rejects.toThrow(
      /^Kubernetes cluster 'dev': GET \/api\/v1\/namespaces\/b\/pods failed: /,
    );
    await expect(
      fast.list(cluster, { ...PODS, namespace: 'c' }),
    ).rejects.toThrow(
      "Kubernetes cluster 'dev': GET /api/v1/namespaces/c/pods failed: timed out after 50 ms",
    );
  });

  it('never passes on a credential a cluster quotes back', async () => {
    server.use(
      http.get(`${PROXY_URL}/api/v1/namespaces/payments/pods`, ({ request }) =>
        HttpResponse.json(
          {
            kind: 'Status',
            code: 401,
            message: `rejected authorization Bearer k8s-sa-token-0123456789 (we were sent ${request.headers.get('authorization')})`,
          },
          { status: 401 },
        ),
      ),
    );
    const error = await client()
      .list(cluster, { ...PODS, namespace: 'payments' })
      .catch(e => e);
    expect(error.message).toMatch(/^Kubernetes cluster 'dev' rejected the credentials the Kubernetes plugin uses for it \(authProvider 'serviceAccount'\)/);
    expect(error.message).not.toContain('k8s-sa-token');
    expect(error.message).not.toContain('mock-service-token');
    expect(error.statusCode).toBe(502);
  });

  it('refuses, without a request, a cluster whose authProvider needs the signed-in user', async () => {
    const error = await client()
      .list({ name: 'corp', authProvider: 'oidc' }, PODS)
      .catch(e => e);
    expect(error).toBeInstanceOf(KubernetesRequestError);
    expect(error.message).toContain(
      "Kubernetes cluster 'corp' uses authProvider 'oidc', which needs the signed-in user's own token",
    );
    expect(requests).toEqual([]);
  });

  it('gets one object and merge-patches an object or its status', async () => {
    const path = `${PROXY_URL}/apis/argoproj.io/v1alpha1/namespaces/payments/rollouts/payments-api`;
    server.use(
      http.get(path, () => HttpResponse.json(object('payments-api'))),
      http.patch(path, async ({ request }) =>
        HttpResponse.json({
          ...object('payments-api'),
          spec: await request.json(),
        }),
      ),
      http.patch(`${path}/status`, async ({ request }) =>
        HttpResponse.json({
          ...object('payments-api'),
          status: await request.json(),
        }),
      ),
    );
    const c = client();
    const ref = { ...ROLLOUTS, namespace: 'payments', name: 'payments-api' };

    await expect(c.get(cluster, ref)).resolves.toEqual(object('payments-api'));
    await expect(
      c.mergePatch(cluster, ref, { spec: { paused: false } }),
    ).resolves.toMatchObject({
      spec: { spec: { paused: false } },
    });
    await expect(
      c.mergePatch(
        cluster,
        { ...ref, subresource: 'status' },
        { status: { pauseConditions: null } },
      ),
    ).resolves.toMatchObject({ status: { status: { pauseConditions: null } } });

    const patches = requests.filter(r => r.method === 'PATCH');
    expect(patches.map(r => new URL(r.url).pathname)).toEqual([
      '/api/kubernetes/proxy/apis/argoproj.io/v1alpha1/namespaces/payments/rollouts/payments-api',
      '/api/kubernetes/proxy/apis/argoproj.io/v1alpha1/namespaces/payments/rollouts/payments-api/status',
    ]);
    expect(patches.map(r => r.headers.get('content-type'))).toEqual([
      'application/merge-patch+json',
      'application/merge-patch+json',
    ]);
  });
});
