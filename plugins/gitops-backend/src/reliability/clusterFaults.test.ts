import { mockServices } from '@backstage/backend-test-utils';
import type { DeploymentsResponse } from '@gitops-suite/backstage-plugin-gitops-common';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { parse } from 'yaml';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { startGitopsTestBackend, testConfig } from '../__testUtils__/testBackend';
import { hang, json, routes, slow, startFakePeer, timed, type FakePeer, type PeerBehaviour } from './__testUtils__/fakePeer';

/**
 * Fault injection on the Kubernetes API peers that findings are read from (through the
 * real Kubernetes backend plugin's proxy, as in production): a cluster
 * that forbids the service account (403), hangs, or answers slowly. The Deployments
 * view and the findings routes answer within one Kubernetes request timeout with what
 * the other cluster holds, name the failing cluster, and recover when it does.
 */

const K8S_TIMEOUT_MS = 2_000;
const IMAGE = 'ghcr.io/example/payments-api:1.6.0';
const ENTITY = '/api/gitops/v1/entities/component/default/payments-api';
/** One Kubernetes timeout, plus what the view itself costs on a busy CI machine. */
const BUDGET_MS = K8S_TIMEOUT_MS + 1_500;

const fixtures = path.resolve(__dirname, '../../../../fixtures/upstream');
const canary = parse(fs.readFileSync(path.join(fixtures, 'argo-rollouts-canary-rollout.yaml'), 'utf8'));
canary.spec.template.spec.containers[0].image = IMAGE;

/** A report matched to the workload by image (no trivy-operator labels). */
const report = {
  apiVersion: 'aquasecurity.github.io/v1alpha1',
  kind: 'VulnerabilityReport',
  metadata: { name: 'rollout-canary-demo', namespace: 'jesse-test', uid: 'uid-report' },
  report: {
    artifact: { repository: 'example/payments-api', tag: '1.6.0' },
    registry: { server: 'ghcr.io' },
    vulnerabilities: [
      { vulnerabilityID: 'CVE-2024-0001', resource: 'openssl', installedVersion: '3.0.1', fixedVersion: '3.0.2', severity: 'CRITICAL', title: 'boom' },
    ],
  },
};
const emptyList = json(200, { kind: 'List', apiVersion: 'v1', metadata: {}, items: [] });
const healthyCluster = routes({
  '/apis/aquasecurity.github.io/v1alpha1/namespaces/jesse-test/vulnerabilityreports': json(200, {
    kind: 'VulnerabilityReportList',
    apiVersion: 'aquasecurity.github.io/v1alpha1',
    metadata: {},
    items: [report],
  }),
  '/api': emptyList,
});
const forbidden = json(403, {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: 'vulnerabilityreports.aquasecurity.github.io is forbidden: User "system:serviceaccount:backstage:reader" cannot list resource',
  reason: 'Forbidden',
  code: 403,
});

type MockScheduler = ReturnType<typeof mockServices.scheduler> & { triggerTask(id: string): Promise<void> };

describe('Kubernetes cluster faults', () => {
  let argocd: FakePeer;
  let good: FakePeer;
  let bad: FakePeer;
  let scheduler: MockScheduler;

  beforeEach(async () => {
    argocd = await startFakePeer(
      routes({
        '/api/v1/applications/payments-api-dev/resource': json(200, { manifest: JSON.stringify(canary) }),
        '/api/v1/applications': json(200, {
          items: [
            argoApplication('payments-api-dev', {
              labels: { 'app.kubernetes.io/name': 'payments-api', env: 'dev' },
              image: IMAGE,
              rollout: { name: 'canary-demo', namespace: 'jesse-test' },
            }),
          ],
        }),
      }),
    );
    good = await startFakePeer(healthyCluster);
    bad = await startFakePeer(healthyCluster);
    scheduler = mockServices.scheduler() as MockScheduler;
  });
  afterEach(async () => {
    await Promise.all([argocd.close(), good.close(), bad.close()]);
  });

  const cluster = (name: string, peer: FakePeer) => ({
    name,
    url: peer.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: `${name}-token`,
  });
  const start = () =>
    startGitopsTestBackend({
      scheduler,
      config: {
        gitops: {
          environments: testConfig.gitops.environments,
          argocd: { instances: [{ name: 'main', url: argocd.url, token: 'argocd-token' }] },
          kubernetes: { requestTimeoutMs: K8S_TIMEOUT_MS },
        },
        kubernetes: {
          serviceLocatorMethod: { type: 'multiTenant' },
          clusterLocatorMethods: [{ type: 'config', clusters: [cluster('dev-a', good), cluster('dev-b', bad)] }],
        },
      },
    });

  async function get(backend: Awaited<ReturnType<typeof start>>, route: string) {
    const { ms, result } = await timed(() => request(backend).get(`${ENTITY}${route}`));
    expect(result.status).toBe(200);
    expect(ms).toBeLessThan(BUDGET_MS);
    return result.body;
  }
  const devVulnerabilities = (body: DeploymentsResponse) => body.environments.find(e => e.name === 'dev')?.vulnerabilities;

  it.each<[string, PeerBehaviour, RegExp]>([
    ['forbids the service account (403)', forbidden, /^Kubernetes cluster 'dev-b' forbids GET .+ \(HTTP 403\): the credentials the Kubernetes plugin uses for it \(authProvider 'serviceAccount'\) lack RBAC permission for .+: .+ is forbidden/],
    ['hangs', hang, new RegExp(`^Kubernetes cluster 'dev-b': GET .+ failed: timed out after ${K8S_TIMEOUT_MS} ms$`)],
    ['answers after 5 s', slow(5_000, healthyCluster), new RegExp(`timed out after ${K8S_TIMEOUT_MS} ms`)],
  ])('when a cluster %s, the view and the findings show the other cluster and name the failing one', async (_what, fault, message) => {
    bad.behave(fault);
    const backend = await start();

    const view: DeploymentsResponse = await get(backend, '/deployments');
    expect(devVulnerabilities(view)?.counts).toMatchObject({ critical: 1 });
    expect(view.errors).toEqual([{ source: 'kubernetes:dev-b', message: expect.stringMatching(message) }]);

    const vulnerabilities = await get(backend, '/vulnerabilities?environment=dev');
    expect(vulnerabilities.items.map((f: { id: string }) => f.id)).toEqual(['CVE-2024-0001']);
    expect(vulnerabilities.errors).toEqual([{ source: 'kubernetes:dev-b', message: expect.stringMatching(message) }]);

    const policies = await get(backend, '/policies?environment=dev');
    expect(policies.errors).toEqual([{ source: 'kubernetes:dev-b', message: expect.stringMatching(message) }]);
  }, 15_000);

  it('shows the findings of a forbidden cluster once its RBAC is fixed', async () => {
    bad.behave(forbidden);
    const backend = await start();
    expect((await get(backend, '/deployments')).errors).toEqual([
      { source: 'kubernetes:dev-b', message: expect.stringContaining('HTTP 403') },
    ]);

    bad.behave(healthyCluster);
    // A failure is remembered for at most 5 s, so a broken cluster is not hammered.
    await new Promise(resolve => setTimeout(resolve, 5_100));
    const recovered: DeploymentsResponse = await get(backend, '/deployments');
    expect(recovered.errors).toEqual([]);
    expect(devVulnerabilities(recovered)?.counts).toMatchObject({ critical: 1 });
  }, 15_000);

  it('keeps the inventory independent of the clusters: an Argo CD refresh succeeds while a cluster hangs', async () => {
    bad.behave(hang);
    const backend = await start();
    const { ms } = await timed(() => scheduler.triggerTask('gitops-argocd-inventory-refresh'));
    expect(ms).toBeLessThan(1_000);
    const health = await request(backend).get('/api/gitops/health').expect(200);
    expect(health.body.instances).toEqual([{ name: 'main', refreshedAt: expect.any(String) }]);
  });
});
