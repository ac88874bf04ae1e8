import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { KubernetesClient, KubernetesRequestError } from './KubernetesClient';
import type { KubernetesCluster } from './KubernetesClusters';
import { PODS, ROLLOUTS, VULNERABILITY_REPORTS } from './resourceTypes';

const cluster: KubernetesCluster = {
  name: 'dev',
  url: 'https://dev.k8s.example.com',
  token: 'sa-token',
  skipTLSVerify: false,
};
const object = (name: string) => ({
  metadata: { name, namespace: 'payments' },
});

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

  it('follows limit/continue pages, passes the label selector and the token', async () => {
    const all = Array.from({ length: 5 }, (_, i) => object(`report-${i}`));
    server.use(
      http.get(
        `${cluster.url}/apis/aquasecurity.github.io/v1alpha1/namespaces/payments/vulnerabilityreports`,
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
    const client = new KubernetesClient({ pageSize: 2 });
    const items = await client.list(cluster, {
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
    expect(
      requests.every(r => r.headers.get('authorization') === 'Bearer sa-token'),
    ).toBe(true);
  });

  it('asks for 500 items a page by default, with core and cluster-wide paths', async () => {
    server.use(
      http.get(`${cluster.url}/api/v1/pods`, () =>
        HttpResponse.json({ items: null }),
      ),
    );
    await expect(new KubernetesClient().list(cluster, PODS)).resolves.toEqual(
      [],
    );
    expect(new URL(requests[0].url).searchParams.get('limit')).toBe('500');
  });

  it('starts over once when a continue token expired (410)', async () => {
    let calls = 0;
    server.use(
      http.get(
        `${cluster.url}/api/v1/namespaces/payments/pods`,
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
    const items = await new KubernetesClient({ pageSize: 1 }).list(cluster, {
      ...PODS,
      namespace: 'payments',
    });
    expect(items.map(i => i.metadata.name)).toEqual(['a', 'b']);
  });

  it('explains 403 as missing RBAC permission, naming the cluster and resource', async () => {
    server.use(
      http.get(
        `${cluster.url}/apis/argoproj.io/v1alpha1/namespaces/payments/rollouts`,
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
    const error = await new KubernetesClient()
      .list(cluster, { ...ROLLOUTS, namespace: 'payments' })
      .catch(e => e);
    expect(error).toBeInstanceOf(KubernetesRequestError);
    expect(error).toMatchObject({ cluster: 'dev', status: 403 });
    expect(error.message).toBe(
      'Kubernetes cluster \'dev\' forbids GET /apis/argoproj.io/v1alpha1/namespaces/payments/rollouts (HTTP 403): the service account lacks RBAC permission for rollouts.argoproj.io: rollouts.argoproj.io is forbidden: User "system:serviceaccount:backstage:reader" cannot list resource "rollouts"',
    );
  });

  it('reports other statuses, unreachable clusters and timeouts with the cluster name', async () => {
    server.use(
      http.get(
        `${cluster.url}/api/v1/namespaces/a/pods`,
        () => new HttpResponse('<html>oops</html>', { status: 502 }),
      ),
      http.get(`${cluster.url}/api/v1/namespaces/b/pods`, () =>
        HttpResponse.error(),
      ),
      http.get(`${cluster.url}/api/v1/namespaces/c/pods`, async () => {
        await delay(500);
        return HttpResponse.json({ items: [] });
      }),
    );
    const client = new KubernetesClient({ timeoutMs: 50 });
    await expect(
      client.list(cluster, { ...PODS, namespace: 'a' }),
    ).rejects.toThrow(
      "Kubernetes cluster 'dev' answered HTTP 502 to GET /api/v1/namespaces/a/pods: <html>oops</html>",
    );
    await expect(
      client.list(cluster, { ...PODS, namespace: 'b' }),
    ).rejects.toThrow(
      /^Kubernetes cluster 'dev': GET \/api\/v1\/namespaces\/b\/pods failed: /,
    );
    await expect(
      client.list(cluster, { ...PODS, namespace: 'c' }),
    ).rejects.toThrow(
      "Kubernetes cluster 'dev': GET /api/v1/namespaces/c/pods failed: timed out after 50 ms",
    );
  });

  it('gets one object and merge-patches an object or its status', async () => {
    const path = `${cluster.url}/apis/argoproj.io/v1alpha1/namespaces/payments/rollouts/payments-api`;
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
    const client = new KubernetesClient();
    const ref = { ...ROLLOUTS, namespace: 'payments', name: 'payments-api' };

    await expect(client.get(cluster, ref)).resolves.toEqual(
      object('payments-api'),
    );
    await expect(
      client.mergePatch(cluster, ref, { spec: { paused: false } }),
    ).resolves.toMatchObject({
      spec: { spec: { paused: false } },
    });
    await expect(
      client.mergePatch(
        cluster,
        { ...ref, subresource: 'status' },
        { status: { pauseConditions: null } },
      ),
    ).resolves.toMatchObject({ status: { status: { pauseConditions: null } } });

    const patches = requests.filter(r => r.method === 'PATCH');
    expect(patches.map(r => new URL(r.url).pathname)).toEqual([
      '/apis/argoproj.io/v1alpha1/namespaces/payments/rollouts/payments-api',
      '/apis/argoproj.io/v1alpha1/namespaces/payments/rollouts/payments-api/status',
    ]);
    expect(patches.map(r => r.headers.get('content-type'))).toEqual([
      'application/merge-patch+json',
      'application/merge-patch+json',
    ]);
  });
});
