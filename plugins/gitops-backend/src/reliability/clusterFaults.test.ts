import { mockServices } from '@backstage/backend-test-utils';
import type { DeploymentsResponse } from '@gitops-suite/backstage-plugin-gitops-common';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { parse } from 'yaml';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { startGitopsTestBackend } from '../__testUtils__/testBackend';
import { hang, json, routes, slow, startFakePeer, timed, type FakePeer, type PeerBehaviour } from './__testUtils__/fakePeer';
import { imageMatchedCleanSecretReport, imageMatchedReport as report } from '../__testUtils__/vulnerabilityReport';

/**
 * Fault injection on the Kubernetes API peers that findings are read from (through the
 * real Kubernetes backend plugin's proxy, as in production). Two clusters serve the same
 * namespace, each for its own environment: dev's Argo CD destination is named like
 * dev-cluster, staging sets `kubernetesCluster: staging-cluster`. When staging's cluster
 * forbids the service account (403), hangs, or answers slowly, the Deployments view and
 * the findings routes answer within one Kubernetes request timeout, show dev's findings,
 * name the failing cluster for staging, and recover when it does. And an environment is
 * never read from (nor its Rollouts patched in) another environment's cluster.
 */

const K8S_TIMEOUT_MS = 2_000;
const IMAGE = 'ghcr.io/example/payments-api:1.6.0';
const ENTITY = '/api/gitops/v1/entities/component/default/payments-api';
/** One Kubernetes timeout, plus what the view itself costs on a busy CI machine. */
const BUDGET_MS = K8S_TIMEOUT_MS + 1_500;

const fixtures = path.resolve(__dirname, '../../../../fixtures/upstream');
const canary = parse(fs.readFileSync(path.join(fixtures, 'argo-rollouts-canary-rollout.yaml'), 'utf8'));
canary.spec.template.spec.containers[0].image = IMAGE;

const ROLLOUT_PATH = '/apis/argoproj.io/v1alpha1/namespaces/jesse-test/rollouts/canary-demo';

const emptyList = json(200, { kind: 'List', apiVersion: 'v1', metadata: {}, items: [] });
/** A Kubernetes API server with namespace jesse-test: a report naming `cve`, the Rollout (get, patch). */
const clusterServing = (cve: string) =>
  routes({
    '/apis/aquasecurity.github.io/v1alpha1/namespaces/jesse-test/vulnerabilityreports': json(200, {
      kind: 'VulnerabilityReportList',
      apiVersion: 'aquasecurity.github.io/v1alpha1',
      metadata: {},
      items: [report(cve)],
    }),
    '/apis/aquasecurity.github.io/v1alpha1/namespaces/jesse-test/exposedsecretreports': json(200, {
      kind: 'ExposedSecretReportList',
      apiVersion: 'aquasecurity.github.io/v1alpha1',
      metadata: {},
      items: [imageMatchedCleanSecretReport()],
    }),
    [ROLLOUT_PATH]: json(200, canary),
    '/api': emptyList,
  });
const healthyCluster = clusterServing('CVE-2024-0001');

/** payments-api's Argo CD Application in `env`; its destination named `destinationName` if given. */
function application(env: string, destinationName?: string) {
  const app = argoApplication(`payments-api-${env}`, {
    labels: { 'app.kubernetes.io/name': 'payments-api', env },
    image: IMAGE,
    rollout: { name: 'canary-demo', namespace: 'jesse-test' },
  });
  return destinationName
    ? { ...app, spec: { ...app.spec, destination: { name: destinationName, namespace: app.spec.destination.namespace } } }
    : app;
}
const argoCdServing = (apps: ReturnType<typeof application>[]) =>
  routes({
    ...Object.fromEntries(
      apps.map(app => [`/api/v1/applications/${app.metadata.name}/resource`, json(200, { manifest: JSON.stringify(canary) })]),
    ),
    '/api/v1/applications': json(200, { items: apps }),
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
    // dev's application runs in dev-cluster (its destination's name); staging's, by config, in staging-cluster.
    argocd = await startFakePeer(argoCdServing([application('dev', 'dev-cluster'), application('staging')]));
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
  const environments = [
    { name: 'dev', match: { labels: { env: 'dev' } } },
    { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } }, kubernetesCluster: 'staging-cluster' },
  ];
  const start = (environmentsConfig: object[] = environments) =>
    startGitopsTestBackend({
      scheduler,
      config: {
        gitops: {
          environments: environmentsConfig,
          argocd: { stream: false, instances: [{ name: 'main', url: argocd.url, token: 'argocd-token' }] },
          kubernetes: { requestTimeoutMs: K8S_TIMEOUT_MS },
        },
        kubernetes: {
          serviceLocatorMethod: { type: 'multiTenant' },
          clusterLocatorMethods: [{ type: 'config', clusters: [cluster('dev-cluster', good), cluster('staging-cluster', bad)] }],
        },
      },
    });

  async function get(backend: Awaited<ReturnType<typeof start>>, route: string) {
    const { ms, result } = await timed(() => request(backend).get(`${ENTITY}${route}`));
    expect(result.status).toBe(200);
    expect(ms).toBeLessThan(BUDGET_MS);
    return result.body;
  }
  const vulnerabilitiesIn = (body: DeploymentsResponse, environment: string) =>
    body.environments.find(e => e.name === environment)?.vulnerabilities;
  /** An image whose report could not be read is not called clean either. */
  const unscanned = { source: `scans:${IMAGE}`, message: `No vulnerability report or CI scan for ${IMAGE}` };

  it.each<[string, PeerBehaviour, RegExp]>([
    ['forbids the service account (403)', forbidden, /^Kubernetes cluster 'staging-cluster' forbids GET .+ \(HTTP 403\): the credentials the Kubernetes plugin uses for it \(authProvider 'serviceAccount'\) lack RBAC permission for .+: .+ is forbidden/],
    ['hangs', hang, new RegExp(`^Kubernetes cluster 'staging-cluster': GET .+ failed: timed out after ${K8S_TIMEOUT_MS} ms$`)],
    ['answers after 5 s', slow(5_000, healthyCluster), new RegExp(`timed out after ${K8S_TIMEOUT_MS} ms`)],
  ])("when a cluster %s, the view and the findings show the other environment's cluster and name the failing one", async (_what, fault, message) => {
    bad.behave(fault);
    const backend = await start();
    const failing = { source: 'kubernetes:staging-cluster', message: expect.stringMatching(message) };

    const view: DeploymentsResponse = await get(backend, '/deployments');
    expect(vulnerabilitiesIn(view, 'dev')?.counts).toMatchObject({ critical: 1 });
    expect(vulnerabilitiesIn(view, 'staging')?.counts).toMatchObject({ critical: 0 });
    expect(view.errors).toEqual([failing, unscanned]);

    // dev's findings come from its own cluster, untouched by staging's.
    const vulnerabilities = await get(backend, '/vulnerabilities?environment=dev');
    expect(vulnerabilities.items.map((f: { id: string }) => f.id)).toEqual(['CVE-2024-0001']);
    expect(vulnerabilities.errors).toEqual([]);
    expect((await get(backend, '/policies?environment=dev')).errors).toEqual([]);

    // staging's are unknown, and say why.
    const stagingVulnerabilities = await get(backend, '/vulnerabilities?environment=staging');
    expect(stagingVulnerabilities.items).toEqual([]);
    expect(stagingVulnerabilities.errors).toEqual([failing, unscanned]);
    const stagingPolicies = await get(backend, '/policies?environment=staging');
    expect(stagingPolicies.errors).toEqual([failing]);
  }, 20_000);

  it('shows the findings of a forbidden cluster once its RBAC is fixed', async () => {
    bad.behave(forbidden);
    const backend = await start();
    expect((await get(backend, '/deployments')).errors).toEqual([
      { source: 'kubernetes:staging-cluster', message: expect.stringContaining('HTTP 403') },
      unscanned,
    ]);

    bad.behave(healthyCluster);
    // A failure is remembered for at most 5 s, so a broken cluster is not hammered.
    await new Promise(resolve => setTimeout(resolve, 5_100));
    const recovered: DeploymentsResponse = await get(backend, '/deployments');
    expect(recovered.errors).toEqual([]);
    expect(vulnerabilitiesIn(recovered, 'dev')?.counts).toMatchObject({ critical: 1 });
    expect(vulnerabilitiesIn(recovered, 'staging')?.counts).toMatchObject({ critical: 1 });
  }, 15_000);

  it('keeps the inventory independent of the clusters: an Argo CD refresh succeeds while a cluster hangs', async () => {
    bad.behave(hang);
    const backend = await start();
    const { ms } = await timed(() => scheduler.triggerTask('gitops-argocd-inventory-refresh'));
    expect(ms).toBeLessThan(1_000);
    const health = await request(backend).get('/api/gitops/health').expect(200);
    expect(health.body.instances).toEqual([
      { name: 'main', refreshedAt: expect.any(String), lastEventAt: expect.any(String), mode: 'polling', modeReason: 'gitops.argocd.stream is off' },
    ]);
  });

  it("reads an environment's findings and controls its Rollouts in its own cluster only, never another's namespace of the same name", async () => {
    // Both clusters serve jesse-test, with different reports.
    good.behave(clusterServing('CVE-2024-1111'));
    bad.behave(clusterServing('CVE-2024-2222'));
    // dev's Argo CD destination names staging-cluster; staging's (a server URL) names neither.
    argocd.behave(argoCdServing([application('dev', 'staging-cluster'), application('staging')]));
    const backend = await start([
      { name: 'dev', match: { labels: { env: 'dev' } }, rolloutControl: 'kubernetes' },
      { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } }, rolloutControl: 'kubernetes' },
    ]);

    const dev = await get(backend, '/vulnerabilities?environment=dev');
    expect(dev.items.map((f: { id: string }) => f.id)).toEqual(['CVE-2024-2222']);
    expect(dev.errors).toEqual([]);
    expect(good.requests).toEqual([]);

    const problem = {
      source: 'kubernetes:jesse-test',
      message:
        "Cannot tell which of the Kubernetes plugin's clusters (dev-cluster, staging-cluster) runs this application " +
        "(Argo CD destination: https://kubernetes.default.svc): set kubernetesCluster on environment 'staging', " +
        'or name the Argo CD destination cluster like the Kubernetes plugin cluster',
    };
    const staging = await get(backend, '/vulnerabilities?environment=staging');
    expect(staging.items).toEqual([]);
    expect(staging.errors).toEqual([problem, unscanned]);
    const stagingPolicies = await get(backend, '/policies?environment=staging');
    expect(stagingPolicies.items).toEqual([]);
    expect(stagingPolicies.errors).toEqual([problem]);
    // Unknown evidence: the view says so too.
    expect((await get(backend, '/deployments')).errors).toEqual([problem, unscanned]);

    // Nor is staging's Rollout patched in a cluster that merely has one of that name.
    const before = [...good.requests, ...bad.requests];
    const refused = await request(backend)
      .post(`${ENTITY}/rollouts/restart`)
      .send({ environment: 'staging', namespace: 'jesse-test', name: 'canary-demo' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(problem.message);
    expect([...good.requests, ...bad.requests]).toEqual(before);

    // dev's Rollout is read in its destination's cluster, and only there.
    const restarted = await request(backend)
      .post(`${ENTITY}/rollouts/restart`)
      .send({ environment: 'dev', namespace: 'jesse-test', name: 'canary-demo' });
    expect(restarted.status).toBe(200);
    expect(bad.requests).toEqual(expect.arrayContaining([`GET ${ROLLOUT_PATH}`, expect.stringMatching(/^PATCH /)]));
    expect(good.requests).toEqual([]);
  }, 20_000);
});
