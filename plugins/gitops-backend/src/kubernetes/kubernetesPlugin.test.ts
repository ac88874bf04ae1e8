import { createBackendModule } from '@backstage/backend-plugin-api';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import type { Entity } from '@backstage/catalog-model';
import { OidcStrategy, ServiceAccountStrategy } from '@backstage/plugin-kubernetes-backend';
import { kubernetesAuthStrategyExtensionPoint } from '@backstage/plugin-kubernetes-node';
import permissionBackend from '@backstage/plugin-permission-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { mockServices } from '@backstage/backend-test-utils';
import fs from 'fs';
import type { AddressInfo } from 'net';
import path from 'path';
import request from 'supertest';
import { parse } from 'yaml';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { paymentsEntity, startGitopsTestBackend } from '../__testUtils__/testBackend';
import { KubernetesClient, KubernetesRequestError } from './KubernetesClient';
import { kubernetesPluginConnection } from './KubernetesPluginConnection';
import { PODS } from './resourceTypes';
import { json, routes, startFakePeer, type FakePeer, type PeerBehaviour } from '../reliability/__testUtils__/fakePeer';
import { imageMatchedReport as report } from '../__testUtils__/vulnerabilityReport';

/**
 * Findings and `rolloutControl: kubernetes` through the real Kubernetes backend plugin,
 * started beside the gitops plugin, against small fake API servers:
 * - a cluster the Kubernetes plugin locates in the catalog (a `kubernetes-cluster`
 *   Resource), with an auth provider a backend module adds through
 *   `kubernetesAuthStrategyExtensionPoint`: the fake API server sees its token;
 * - a cluster with a client-side auth provider (`oidc`): a per-source error naming it,
 *   and nothing read from it;
 * - the real permissions service with permissions enabled and a policy that denies every
 *   Kubernetes permission: the gitops plugin's service principal still passes the proxy's
 *   `kubernetes.proxy` check (and `/clusters`' `kubernetes.clusters.read`), users do not.
 */

const IMAGE = 'ghcr.io/example/payments-api:1.6.0';
const ENTITY = '/api/gitops/v1/entities/component/default/payments-api';
const ROLLOUT_PATH = '/apis/argoproj.io/v1alpha1/namespaces/jesse-test/rollouts/canary-demo';
const REPORTS_PATH = '/apis/aquasecurity.github.io/v1alpha1/namespaces/jesse-test/vulnerabilityreports';

const fixtures = path.resolve(__dirname, '../../../../fixtures/upstream');
function pausedCanary() {
  const rollout = parse(fs.readFileSync(path.join(fixtures, 'argo-rollouts-canary-rollout.yaml'), 'utf8'));
  rollout.spec.template.spec.containers[0].image = IMAGE;
  rollout.status.conditions = [];
  rollout.status.currentStepIndex = 1;
  rollout.status.pauseConditions = [{ reason: 'CanaryPauseStep', startTime: '2026-11-22T10:00:00Z' }];
  rollout.status.controllerPause = true;
  return rollout;
}


let patches: Array<{ url?: string; contentType?: string; body: unknown }> = [];

/** A Kubernetes API server: one report, the Rollout (get, merge patch of its status), empty lists else. */
function apiServer(cve: string, live: () => Record<string, any>): PeerBehaviour {
  const emptyList = json(200, { kind: 'List', apiVersion: 'v1', metadata: {}, items: [] });
  return routes({
    [REPORTS_PATH]: json(200, { kind: 'VulnerabilityReportList', metadata: {}, items: [report(cve)] }),
    [ROLLOUT_PATH]: (req, res) => {
      if (req.method === 'GET') return json(200, live())(req, res);
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        patches.push({ url: req.url, contentType: req.headers['content-type'], body: JSON.parse(body) });
        live().status.pauseConditions = [];
        json(200, live())(req, res);
      });
      return undefined;
    },
    '/api': emptyList,
  });
}

/**
 * A Kubernetes auth strategy of an adopter's own: a bearer token per cluster. (In this
 * version of the Kubernetes plugin, strategies added through the extension point replace
 * the built-in ones, so the built-ins the config uses are added again.)
 */
const testTokenAuth = createBackendModule({
  pluginId: 'kubernetes',
  moduleId: 'test-token-auth',
  register(reg) {
    reg.registerInit({
      deps: { authStrategies: kubernetesAuthStrategyExtensionPoint },
      async init({ authStrategies }) {
        authStrategies.addAuthStrategy('testToken', {
          getCredential: async cluster => ({ type: 'bearer token', token: `test-token.${cluster.name}` }),
          validateCluster: () => [],
          presentAuthMetadata: () => ({}),
        });
        authStrategies.addAuthStrategy('oidc', new OidcStrategy());
        authStrategies.addAuthStrategy('serviceAccount', new ServiceAccountStrategy());
      },
    });
  },
});

/** Denies every Kubernetes permission to everyone, allows the rest. */
const denyKubernetesPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'deny-kubernetes',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          handle: async ({ permission }) => ({
            result: permission.name.startsWith('kubernetes.') ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
          }),
        });
      },
    });
  },
});

describe('Kubernetes access through the Kubernetes backend plugin', () => {
  let argocd: FakePeer;
  let catalogCluster: FakePeer;
  let corpCluster: FakePeer;
  let authorizations: string[];
  let live: Record<string, any>;

  beforeEach(async () => {
    live = pausedCanary();
    patches = [];
    authorizations = [];
    argocd = await startFakePeer(
      routes({
        '/api/v1/applications/payments-api-dev/resource': (req, res) => json(200, { manifest: JSON.stringify(live) })(req, res),
        '/api/v1/applications/payments-api-staging/resource': (req, res) => json(200, { manifest: JSON.stringify(live) })(req, res),
        '/api/v1/applications': json(200, {
          items: ['payments-api-dev', 'payments-api-staging'].map(name =>
            argoApplication(name, {
              labels: { 'app.kubernetes.io/name': 'payments-api', env: name.endsWith('-dev') ? 'dev' : 'staging' },
              image: IMAGE,
              rollout: { name: 'canary-demo', namespace: 'jesse-test' },
              health: 'Suspended',
            }),
          ),
        }),
      }),
    );
    const catalogApi = apiServer('CVE-2024-0001', () => live);
    catalogCluster = await startFakePeer((req, res) => {
      authorizations.push(String(req.headers.authorization));
      catalogApi(req, res);
    });
    corpCluster = await startFakePeer(apiServer('CVE-2024-9999', () => live));
  });
  afterEach(async () => {
    await Promise.all([argocd.close(), catalogCluster.close(), corpCluster.close()]);
  });

  const clusterResource = (): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'catalog-cluster',
      namespace: 'default',
      annotations: {
        'kubernetes.io/api-server': catalogCluster.url,
        // Required by the catalog locator; not used for an http:// API server.
        'kubernetes.io/api-server-certificate-authority': Buffer.from('unused').toString('base64'),
        'kubernetes.io/auth-provider': 'testToken',
      },
    },
    spec: { type: 'kubernetes-cluster', owner: 'team-platform' },
  });

  const start = () =>
    startGitopsTestBackend({
      entities: [paymentsEntity, clusterResource()],
      config: {
        permission: { enabled: true },
        gitops: {
          environments: [
            { name: 'dev', match: { labels: { env: 'dev' } }, rolloutControl: 'kubernetes', kubernetesCluster: 'catalog-cluster' },
            { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } }, rolloutControl: 'kubernetes', kubernetesCluster: 'corp' },
          ],
          argocd: { stream: false, instances: [{ name: 'main', url: argocd.url, token: 'argocd-token' }] },
          kubernetes: { requestTimeoutMs: 5_000 },
        },
        kubernetes: {
          serviceLocatorMethod: { type: 'multiTenant' },
          clusterLocatorMethods: [
            // The fake API server is on 127.0.0.1 over http, which the catalog locator refuses unless allowed.
            { type: 'catalog', dangerouslyAllowClusterUrls: ['127.0.0.1'] },
            { type: 'config', clusters: [{ name: 'corp', url: corpCluster.url, authProvider: 'oidc', oidcTokenProvider: 'okta' }] },
          ],
        },
      },
      features: [permissionsServiceFactory, permissionBackend, denyKubernetesPolicy, testTokenAuth],
    });

  it('reads findings from a catalog-located cluster with a custom auth provider, and names the oidc cluster it cannot read', async () => {
    const backend = await start();

    const result = await request(backend).get(`${ENTITY}/vulnerabilities?environment=dev`).expect(200);
    // dev's cluster is the catalog one: its report, and nothing from (or about) the oidc cluster.
    expect(result.body.items.map((f: { id: string }) => f.id)).toEqual(['CVE-2024-0001']);
    expect(result.body.errors).toEqual([]);
    // staging's cluster is the oidc one: its error, and no findings (not the catalog cluster's).
    const staging = await request(backend).get(`${ENTITY}/vulnerabilities?environment=staging`).expect(200);
    expect(staging.body.items).toEqual([]);
    expect(staging.body.errors).toEqual([
      {
        source: 'kubernetes:corp',
        message: expect.stringContaining(
          "Kubernetes cluster 'corp' uses authProvider 'oidc', which needs the signed-in user's own token",
        ),
      },
      // No report was read, so the image is not called clean either.
      expect.objectContaining({ source: `scans:${IMAGE}` }),
    ]);
    expect(corpCluster.requests).toEqual([]);
    // Every request reached the API server with the custom strategy's token, via the proxy.
    expect(catalogCluster.requests).toEqual(expect.arrayContaining([`GET ${REPORTS_PATH}?limit=500`]));
    expect(new Set(authorizations)).toEqual(new Set(['Bearer test-token.catalog-cluster']));

    // Evidence from the oidc cluster is unknown: the Deployments view says so too.
    const view = await request(backend).get(`${ENTITY}/deployments`).expect(200);
    expect(view.body.errors).toEqual([
      expect.objectContaining({ source: 'kubernetes:corp' }),
      expect.objectContaining({ source: `scans:${IMAGE}` }),
      // dev's cluster serves no ExposedSecretReports: unknown there, not "no secrets".
      expect.objectContaining({ source: `exposed-secrets:${IMAGE}` }),
    ]);
  }, 20_000);

  it('controls a Rollout in the catalog-located cluster with the kubectl merge patch', async () => {
    const backend = await start();
    const response = await request(backend)
      .post(`${ENTITY}/rollouts/promote`)
      .send({ environment: 'dev', namespace: 'jesse-test', name: 'canary-demo' });
    expect(response.status).toBe(200);
    expect(patches).toEqual([
      { url: `${ROLLOUT_PATH}/status`, contentType: 'application/merge-patch+json', body: { status: { pauseConditions: null } } },
    ]);
    expect(new Set(authorizations)).toEqual(new Set(['Bearer test-token.catalog-cluster']));
  }, 20_000);

  it('refuses to control a Rollout in the oidc cluster, saying why', async () => {
    const backend = await start();
    const response = await request(backend)
      .post(`${ENTITY}/rollouts/promote`)
      .send({ environment: 'staging', namespace: 'jesse-test', name: 'canary-demo' });
    expect(response.status).toBe(502);
    expect(response.body.error.message).toContain("Kubernetes cluster 'corp' uses authProvider 'oidc'");
    expect(corpCluster.requests).toEqual([]);
  }, 20_000);

  it("passes the proxy's permission check as a service principal, where the policy denies users", async () => {
    const backend = await start();
    // A user (the test backend's default caller) is denied by the policy...
    const proxied = await request(backend)
      .get(`/api/kubernetes/proxy${REPORTS_PATH}`)
      .set('Backstage-Kubernetes-Cluster', 'catalog-cluster');
    expect(proxied.status).toBe(403);
    await request(backend).get('/api/kubernetes/clusters').expect(403);
    expect(catalogCluster.requests).toEqual([]);
    // ...while the gitops plugin, on its own behalf, lists the clusters and reads through the proxy.
    const result = await request(backend).get(`${ENTITY}/vulnerabilities?environment=dev`).expect(200);
    expect(result.body.items).toHaveLength(1);
    expect(result.body.errors).toEqual([]);
    expect(new Set(authorizations)).toEqual(new Set(['Bearer test-token.catalog-cluster']));
  }, 20_000);

  it("tells the real proxy's own failures from the cluster's: an unknown cluster, an unreachable one", async () => {
    const backend = await start();
    const base = `http://localhost:${(backend.address() as AddressInfo).port}/api/kubernetes`;
    const client = new KubernetesClient({
      connection: kubernetesPluginConnection({
        discovery: { getBaseUrl: async () => base, getExternalBaseUrl: async () => base },
        auth: mockServices.auth({ pluginId: 'gitops' }),
      }),
      timeoutMs: 5_000,
    });

    const unknown = await client.list({ name: 'nope', authProvider: 'serviceAccount' }, PODS).catch(e => e);
    expect(unknown).toBeInstanceOf(KubernetesRequestError);
    // Not a 404 of the cluster, which findings would take for "type not installed".
    expect(unknown).toMatchObject({ status: undefined, proxyStatus: 404, statusCode: 502 });
    expect(unknown.message).toBe(
      "Kubernetes cluster 'nope': the Kubernetes plugin's proxy answered HTTP 404 to GET /api/v1/pods, not the cluster: it does not know the cluster (kubernetes.clusterLocatorMethods): NotFoundError: Cluster 'nope' not found",
    );

    await catalogCluster.close();
    const down = await client.list({ name: 'catalog-cluster', authProvider: 'testToken' }, PODS).catch(e => e);
    expect(down).toMatchObject({ status: undefined, proxyStatus: 500 });
    expect(down.message).toMatch(
      /^Kubernetes cluster 'catalog-cluster': the Kubernetes plugin's proxy answered HTTP 500 to GET \/api\/v1\/pods, not the cluster: .*Cluster 'catalog-cluster' request error.*ECONNREFUSED/,
    );
  }, 20_000);
});
