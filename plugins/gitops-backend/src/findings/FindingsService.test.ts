import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { KubernetesClient } from '../kubernetes/KubernetesClient';
import { PROXY_URL, testConnection } from '../kubernetes/__testUtils__/connection';
import type { KubernetesCluster } from '../kubernetes/KubernetesClusters';
import type { KubeObject } from '../kubernetes/types';
import { FindingsService } from './FindingsService';
import type { ScanStore, StoredScan } from './ScanStore';
import type { Workload } from './types';
import type { ConfigAuditReport } from './configAudits';
import type { ExposedSecretReport } from './exposedSecrets';
import {
  loadFixture,
  loadMarkdownFixture,
  pod,
  relabelled,
  replicaSet,
  rollout,
  vulnerabilityReport,
} from './__testUtils__/objects';

const dev: KubernetesCluster = { name: 'dev', authProvider: 'serviceAccount' };
const locked: KubernetesCluster = { name: 'locked', authProvider: 'aws' };
/** Its credential would be the signed-in user's: background reads cannot use it. */
const corp: KubernetesCluster = { name: 'corp', authProvider: 'oidc' };

const NS = 'payments-dev';
const IMAGE = 'ghcr.io/example/payments-api';
const owner = { kind: 'Rollout', name: 'payments-api' };
const canaryRs = replicaSet({ owner, hash: 'c1', namespace: NS, replicas: 1 });
const stableRs = replicaSet({ owner, hash: 's1', namespace: NS, replicas: 2 });
const oldRs = replicaSet({ owner, hash: 'o1', namespace: NS, replicas: 0 });
const canaryPod = pod('payments-api-c1-aaaaa', NS, canaryRs);
const stablePod = pod('payments-api-s1-bbbbb', NS, stableRs);

const critical = {
  id: 'CVE-2019-18224',
  severity: 'CRITICAL',
  pkg: 'libidn2-0',
  installed: '2.0.5-1',
  fixed: '2.0.5-1+deb10u1',
};
const low = {
  id: 'CVE-2019-18276',
  severity: 'LOW',
  pkg: 'bash',
  installed: '5.0-4',
};
const high = {
  id: 'CVE-2021-3121',
  severity: 'HIGH',
  pkg: 'github.com/gogo/protobuf',
  installed: 'v1.3.1',
  fixed: '1.3.2',
};
const image = (tag: string) => ({
  server: 'ghcr.io',
  repository: 'example/payments-api',
  tag,
});

/** A PolicyReport as Kyverno writes one per resource, with `scope`. */
function policyReport(
  object: KubeObject,
  kind: string,
  results: { policy: string; rule: string; result: string }[],
) {
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    metadata: { name: object.metadata.uid, namespace: NS },
    scope: {
      apiVersion: 'v1',
      kind,
      name: object.metadata.name,
      namespace: NS,
      uid: object.metadata.uid,
    },
    results: results.map(r => ({
      ...r,
      source: 'kyverno',
      severity: 'high',
      category: 'Pod Security',
    })),
  };
}

const nonRoot = {
  apiVersion: 'kyverno.io/v1',
  kind: 'ClusterPolicy',
  metadata: { name: 'require-run-as-non-root' },
  spec: {
    rules: [
      { name: 'run-as-non-root', validate: { failureAction: 'Enforce' } },
    ],
  },
};
const probes = {
  apiVersion: 'kyverno.io/v1',
  kind: 'ClusterPolicy',
  metadata: { name: 'require-pod-probes' },
  spec: {
    validationFailureAction: 'Audit',
    rules: [{ name: 'validate-probes' }],
  },
};

/** Trivy Operator's own samples, as it writes them about payments-api's ReplicaSets. */
const [stripeSecrets] = loadMarkdownFixture<ExposedSecretReport>('trivy-operator-exposedsecret-report.md');
const [audit] = loadFixture<ConfigAuditReport>('trivy-operator-replicaset-configauditreport.yaml');
const secretReport = (rs: KubeObject, tag: string, secrets: boolean) =>
  relabelled(stripeSecrets, { kind: 'ReplicaSet', object: rs, container: 'app' }, {
    artifact: { repository: 'example/payments-api', tag },
    registry: { server: 'ghcr.io' },
    ...(secrets ? {} : { secrets: [] }),
  });

/** What the `dev` cluster serves, by API path; anything else is a 404 (type not installed). */
const devObjects: Record<string, unknown[]> = {
  [`/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`]: [
    rollout('payments-api', NS, { currentPodHash: 'c1', stableRS: 's1' }),
  ],
  [`/apis/apps/v1/namespaces/${NS}/replicasets`]: [canaryRs, stableRs, oldRs],
  [`/api/v1/namespaces/${NS}/pods`]: [canaryPod, stablePod],
  [`/apis/aquasecurity.github.io/v1alpha1/namespaces/${NS}/vulnerabilityreports`]:
    [
      vulnerabilityReport({
        replicaSet: canaryRs.metadata.name,
        namespace: NS,
        container: 'app',
        image: image('1.5.0'),
        vulnerabilities: [critical, low],
      }),
      vulnerabilityReport({
        replicaSet: stableRs.metadata.name,
        namespace: NS,
        container: 'app',
        image: image('1.4.2'),
        vulnerabilities: [low],
      }),
      vulnerabilityReport({
        replicaSet: oldRs.metadata.name,
        namespace: NS,
        container: 'app',
        image: image('1.3.0'),
        vulnerabilities: [high],
      }),
    ],
  // The canary's image has the secrets, the stable one none; 1.6.0 is not scanned yet.
  [`/apis/aquasecurity.github.io/v1alpha1/namespaces/${NS}/exposedsecretreports`]: [
    secretReport(canaryRs, '1.5.0', true),
    secretReport(stableRs, '1.4.2', false),
    secretReport(oldRs, '1.3.0', true),
  ],
  [`/apis/aquasecurity.github.io/v1alpha1/namespaces/${NS}/configauditreports`]: [
    relabelled(audit, { kind: 'ReplicaSet', object: canaryRs }),
    relabelled(audit, { kind: 'ReplicaSet', object: stableRs }),
  ],
  [`/apis/wgpolicyk8s.io/v1alpha2/namespaces/${NS}/policyreports`]: [
    policyReport(canaryPod, 'Pod', [
      {
        policy: 'require-run-as-non-root',
        rule: 'run-as-non-root',
        result: 'fail',
      },
      { policy: 'require-pod-probes', rule: 'validate-probes', result: 'pass' },
    ]),
    policyReport(stablePod, 'Pod', [
      {
        policy: 'require-run-as-non-root',
        rule: 'run-as-non-root',
        result: 'pass',
      },
      { policy: 'require-pod-probes', rule: 'validate-probes', result: 'fail' },
    ]),
    policyReport(canaryRs, 'ReplicaSet', [
      {
        policy: 'require-run-as-non-root',
        rule: 'autogen-run-as-non-root',
        result: 'fail',
      },
    ]),
    policyReport(oldRs, 'ReplicaSet', [
      {
        policy: 'require-run-as-non-root',
        rule: 'autogen-run-as-non-root',
        result: 'fail',
      },
    ]),
  ],
  '/apis/kyverno.io/v1/clusterpolicies': [
    nonRoot,
    probes,
    ...loadFixture('kyverno-clusterpolicy-mixed-modes.yaml'),
  ],
  // The upstream Trivy Operator fixture, for a Deployment in kube-system.
  '/apis/apps/v1/namespaces/kube-system/deployments': [
    {
      metadata: {
        name: 'coredns',
        namespace: 'kube-system',
        uid: 'uid-coredns',
      },
    },
  ],
  '/apis/apps/v1/namespaces/kube-system/replicasets': [
    replicaSet({
      owner: { kind: 'Deployment', name: 'coredns' },
      hash: '558bd4d5db',
      namespace: 'kube-system',
      replicas: 2,
    }),
  ],
  '/apis/aquasecurity.github.io/v1alpha1/namespaces/kube-system/vulnerabilityreports':
    loadFixture('trivy-operator-vulnerabilityreport.yaml'),
};

const ciScan: StoredScan = {
  id: 1,
  image: `${IMAGE}:1.6.0`,
  scannedAt: new Date('2026-11-22T10:00:00Z'),
  uploadedBy: 'user:default/ci',
  findings: [
    {
      id: 'CVE-2023-45288',
      severity: 'medium',
      package: 'golang.org/x/net',
      installed: 'v0.10.0',
      fixed: '0.23.0',
    },
  ],
};

describe('FindingsService', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const upstream: string[] = [];
  const tokens = new Set<string | null>();
  const scanStore: jest.Mocked<ScanStore> = {
    addScan: jest.fn(),
    latestScanFor: jest.fn(),
    deleteExpired: jest.fn(),
  };

  beforeEach(() => {
    upstream.length = 0;
    scanStore.latestScanFor.mockImplementation(async i =>
      i === `${IMAGE}:1.6.0` ? ciScan : undefined,
    );
    server.events.on('request:start', ({ request }) => {
      const url = new URL(request.url);
      upstream.push(
        `${request.headers.get('backstage-kubernetes-cluster')} ${url.pathname.slice(
          new URL(PROXY_URL).pathname.length,
        )}`,
      );
    });
    // The Kubernetes plugin's proxy, answering as the cluster its header names.
    server.use(
      http.get(`${PROXY_URL}/*`, ({ request }) => {
        tokens.add(request.headers.get('authorization'));
        const path = new URL(request.url).pathname.slice(new URL(PROXY_URL).pathname.length);
        if (request.headers.get('backstage-kubernetes-cluster') === 'locked') {
          return HttpResponse.json(
            {
              kind: 'Status',
              code: 403,
              reason: 'Forbidden',
              message: 'forbidden',
            },
            { status: 403 },
          );
        }
        const items = devObjects[path];
        return items
          ? HttpResponse.json({ metadata: {}, items })
          : HttpResponse.json(
              {
                kind: 'Status',
                code: 404,
                message: 'the server could not find the requested resource',
              },
              { status: 404 },
            );
      }),
    );
  });
  afterEach(() => server.events.removeAllListeners());

  const payments: Workload = {
    namespace: NS,
    kind: 'Rollout',
    name: 'payments-api',
    images: [`${IMAGE}:1.5.0`, `${IMAGE}:1.4.2`, `${IMAGE}:1.6.0`],
  };

  /** payments without its unscanned 1.6.0: every image has a report. */
  const scanned: Workload = { ...payments, images: [`${IMAGE}:1.5.0`, `${IMAGE}:1.4.2`] };

  function createService(
    clusters: KubernetesCluster[] | (() => Promise<KubernetesCluster[]>) = [dev, locked],
  ) {
    return new FindingsService({
      clusters: { list: typeof clusters === 'function' ? clusters : async () => clusters },
      kubernetesClient: new KubernetesClient({ connection: testConnection(), timeoutMs: 1000 }),
      scanStore,
      logger: mockServices.logger.mock(),
    });
  }

  it('reads vulnerabilities of running ReplicaSets, falls back to CI scans, and reports a forbidden cluster', async () => {
    const service = createService();
    // Of two clusters, the one the Argo CD destination names.
    const result = await service.vulnerabilities([
      { ...payments, destination: { name: 'dev' } },
    ]);

    // One item per vulnerability, with every place it is in.
    const places = Object.fromEntries(
      result.items.map(f => [f.id, f.occurrences.map(o => `${o.image} ${o.container ?? 'ci'}`)]),
    );
    expect(places).toEqual({
      'CVE-2019-18224': [`${IMAGE}:1.5.0 app`],
      // bash 5.0-4 in the canary (1.5.0) and the stable (1.4.2): one vulnerability.
      'CVE-2019-18276': [`${IMAGE}:1.5.0 app`, `${IMAGE}:1.4.2 app`],
      'CVE-2023-45288': [`${IMAGE}:1.6.0 ci`], // no report for 1.6.0: the CI scan stands in
    });
    expect(
      result.items.flatMap(f => f.occurrences).every(o => o.workload === 'Rollout/payments-api'),
    ).toBe(true);
    expect(result.summary).toEqual({
      counts: { critical: 1, high: 0, medium: 1, low: 1, unknown: 0 },
      fixable: { critical: 1, high: 0, medium: 1, low: 0, unknown: 0 },
    });
    // The locked cluster runs none of it: not asked, no error from it.
    expect(result.errors).toEqual([]);
    expect(upstream.every(u => u.startsWith('dev '))).toBe(true);
    expect(scanStore.latestScanFor.mock.calls).toEqual([[`${IMAGE}:1.6.0`]]);
    expect([...tokens]).toEqual([
      'Bearer mock-service-token:{"sub":"plugin:gitops","target":"kubernetes"}',
    ]);

    // The same workload in the forbidden cluster: its error, and its reports unknown.
    const forbidden = await service.vulnerabilities([{ ...scanned, cluster: 'locked' }]);
    expect(forbidden.items).toEqual([]);
    expect(forbidden.errors).toEqual([
      {
        source: 'kubernetes:locked',
        message: expect.stringContaining(
          "Kubernetes cluster 'locked' forbids GET",
        ),
      },
      expect.objectContaining({ source: `scans:${IMAGE}:1.5.0` }),
      expect.objectContaining({ source: `scans:${IMAGE}:1.4.2` }),
    ]);
  });

  it('lists each (cluster, namespace, type) once per TTL, also for concurrent calls', async () => {
    const service = createService([dev]);
    await Promise.all([
      service.vulnerabilities([scanned]),
      service.vulnerabilities([scanned, scanned]),
    ]);
    expect([...upstream].sort()).toEqual([
      `dev /apis/apps/v1/namespaces/${NS}/replicasets`,
      `dev /apis/aquasecurity.github.io/v1alpha1/namespaces/${NS}/vulnerabilityreports`,
      `dev /apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`,
    ]);

    upstream.length = 0;
    const again = await service.vulnerabilities([scanned]);
    expect(upstream).toEqual([]);
    expect(again.items).toHaveLength(2);
  });

  it('reads the lists again before calling an image unscanned when they were cached over a second ago', async () => {
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const service = createService([dev]);
      await service.vulnerabilities([payments]);
      upstream.length = 0;
      now += 500; // a fresh list is trusted
      await service.vulnerabilities([payments]);
      expect(upstream).toEqual([]);
      now += 1_000; // 1.6.0 may have been deployed since: its report could exist now
      await service.vulnerabilities([payments]);
      expect([...upstream].sort()).toEqual([
        `dev /apis/apps/v1/namespaces/${NS}/replicasets`,
        `dev /apis/aquasecurity.github.io/v1alpha1/namespaces/${NS}/vulnerabilityreports`,
        `dev /apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`,
      ]);
      upstream.length = 0;
      now += 5_000; // a workload whose images all have reports keeps using the cache
      await service.vulnerabilities([scanned]);
      expect(upstream).toEqual([]);
    } finally {
      clock.mockRestore();
    }
  });

  it('counts the upstream Trivy Operator report by its list, not its summary', async () => {
    const coredns: Workload = {
      cluster: 'dev',
      namespace: 'kube-system',
      kind: 'Deployment',
      name: 'coredns',
      images: ['k8s.gcr.io/coredns/coredns:v1.8.0'],
    };
    const result = await createService().vulnerabilities([coredns]);
    expect(result.items).toEqual([
      expect.objectContaining({
        id: 'CVE-2021-3121',
        workload: 'Deployment/coredns',
        container: 'coredns',
      }),
    ]);
    expect(result.summary.counts).toEqual({
      critical: 0,
      high: 1,
      medium: 0,
      low: 0,
      unknown: 0,
    });
    // The cluster was named: the locked one is not asked.
    expect(result.errors).toEqual([]);
    expect(upstream.every(u => u.startsWith('dev '))).toBe(true);
  });

  it('reads policy results of the workload, its running ReplicaSets and Pods, with Enforce from the policy', async () => {
    // The workload in each of two clusters (two environments): the forbidden one is its own error.
    const result = await createService().policies([
      { ...payments, cluster: 'dev' },
      { ...payments, cluster: 'locked' },
    ]);

    expect(
      result.items.map(
        r =>
          `${r.resource.kind}/${r.resource.name} ${r.rule} ${r.result} ${r.enforce}`,
      ),
    ).toEqual([
      'Pod/payments-api-c1-aaaaa run-as-non-root fail true',
      'Pod/payments-api-c1-aaaaa validate-probes pass false',
      'Pod/payments-api-s1-bbbbb run-as-non-root pass true',
      'Pod/payments-api-s1-bbbbb validate-probes fail false',
      'ReplicaSet/payments-api-c1 autogen-run-as-non-root fail true',
    ]);
    expect(result.items[0]).toMatchObject({
      policy: 'require-run-as-non-root',
      severity: 'high',
      category: 'Pod Security',
    });
    expect(result.summary).toEqual({
      pass: 2,
      fail: 3,
      warn: 0,
      error: 0,
      skip: 0,
    });
    expect(result.errors).toEqual([
      {
        source: 'kubernetes:locked',
        message: expect.stringContaining('HTTP 403'),
      },
    ]);
  });

  it('reports an unknown cluster and unscanned images, and still answers from CI scans', async () => {
    const result = await createService().vulnerabilities([
      { ...payments, cluster: 'staging' },
    ]);
    expect(result.errors).toEqual([
      {
        source: 'kubernetes:staging',
        message: "Kubernetes cluster 'staging' is not one of the Kubernetes plugin's clusters (kubernetes.clusterLocatorMethods)",
      },
      {
        source: `scans:${IMAGE}:1.5.0`,
        message: `No vulnerability report or CI scan for ${IMAGE}:1.5.0`,
      },
      {
        source: `scans:${IMAGE}:1.4.2`,
        message: `No vulnerability report or CI scan for ${IMAGE}:1.4.2`,
      },
    ]);
    expect(result.items.map(f => f.id)).toEqual(['CVE-2023-45288']);
    expect(upstream).toEqual([]);
  });

  it('never reads a workload from every cluster: with several and nothing naming one, its evidence is unknown', async () => {
    // Both clusters serve the namespace (organisations reuse names across clusters).
    const devEu: KubernetesCluster = { name: 'dev-eu', authProvider: 'serviceAccount' };
    const service = createService([dev, devEu]);
    const unnamed: Workload = {
      ...scanned,
      environment: 'dev',
      destination: { server: 'https://10.0.0.1:6443' },
    };
    const problem = {
      source: `kubernetes:${NS}`,
      message:
        "Cannot tell which of the Kubernetes plugin's clusters (dev, dev-eu) runs this application (Argo CD destination: https://10.0.0.1:6443): " +
        "set kubernetesCluster on environment 'dev', or name the Argo CD destination cluster like the Kubernetes plugin cluster",
    };

    const vulnerabilities = await service.vulnerabilities([unnamed]);
    expect(vulnerabilities.items).toEqual([]);
    expect(vulnerabilities.errors).toEqual([
      problem,
      expect.objectContaining({ source: `scans:${IMAGE}:1.5.0` }),
      expect.objectContaining({ source: `scans:${IMAGE}:1.4.2` }),
    ]);
    const policies = await service.policies([unnamed]);
    expect(policies.items).toEqual([]);
    expect(policies.errors).toEqual([problem]);
    expect(upstream).toEqual([]);

    // A destination named like one of them reads that one only.
    const named = await service.vulnerabilities([{ ...unnamed, destination: { name: 'dev-eu' } }]);
    expect(named.errors).toEqual([]);
    expect(named.items).toHaveLength(2);
    expect(upstream.length).toBeGreaterThan(0);
    expect(upstream.every(u => u.startsWith('dev-eu '))).toBe(true);
  });

  it('reports a failing scan store as its own source', async () => {
    scanStore.latestScanFor.mockRejectedValue(new Error('database is down'));
    const result = await createService([dev]).vulnerabilities([payments]);
    expect(result.items).toHaveLength(2);
    expect(result.errors).toEqual([
      { source: 'scans', message: expect.stringContaining('database is down') },
    ]);
  });

  it('reports a cluster with a client-side authProvider as its own error, without asking it, and no findings from it', async () => {
    const onlyCorp = await createService([corp]).vulnerabilities([scanned]);
    expect(onlyCorp.items).toEqual([]);
    expect(onlyCorp.errors).toEqual([
      {
        source: 'kubernetes:corp',
        message: expect.stringContaining(
          "Kubernetes cluster 'corp' uses authProvider 'oidc', which needs the signed-in user's own token",
        ),
      },
      // And no report was read, so the images are not called clean either.
      expect.objectContaining({ source: `scans:${IMAGE}:1.5.0` }),
      expect.objectContaining({ source: `scans:${IMAGE}:1.4.2` }),
    ]);
    expect(upstream).toEqual([]);

    const withDev = await createService([dev, corp]).policies([
      { ...payments, destination: { name: 'dev' } },
      { ...payments, destination: { name: 'corp' } },
    ]);
    expect(withDev.items.length).toBeGreaterThan(0);
    expect(withDev.errors).toEqual([
      { source: 'kubernetes:corp', message: expect.stringContaining("authProvider 'oidc'") },
    ]);
    expect(upstream.every(u => u.startsWith('dev '))).toBe(true);
  });

  it('reports a cluster list it cannot read as an error, and keeps findings on', async () => {
    const service = createService(async () => {
      throw new Error('Could not list the clusters of the Kubernetes plugin: boom');
    });
    await expect(service.hasClusters()).resolves.toBe(true);
    const result = await service.vulnerabilities([scanned]);
    expect(result.errors[0]).toEqual({
      source: 'kubernetes',
      message: 'Could not list the clusters of the Kubernetes plugin: boom',
    });
    await expect(createService([]).hasClusters()).resolves.toBe(false);
    await expect(createService([corp]).hasClusters()).resolves.toBe(true);
  });

  it('reads exposed secrets of the running images once per image, and calls an unscanned image unknown', async () => {
    const service = createService([dev]);
    const result = await service.exposedSecrets([scanned]);
    expect(result.items.map(s => `${s.image} ${s.match}`)).toEqual([
      `${IMAGE}:1.5.0 publishable_key: *****`,
      `${IMAGE}:1.5.0 secret_key: *****`,
    ]);
    expect(result.summary).toEqual({ total: 2, counts: { critical: 0, high: 2, medium: 0, low: 0, unknown: 0 } });
    expect(result.errors).toEqual([]);

    // 1.6.0 has no report: not "no secrets", unknown.
    const withUnscanned = await service.exposedSecrets([payments]);
    expect(withUnscanned.summary.total).toBe(2);
    expect(withUnscanned.errors).toEqual([
      {
        source: `exposed-secrets:${IMAGE}:1.6.0`,
        message: `No ExposedSecretReport for ${IMAGE}:1.6.0: not scanned yet, or Trivy Operator's secret scanner is off`,
      },
    ]);
    // A cluster that cannot be read is unknown too.
    const forbidden = await createService().exposedSecrets([{ ...scanned, cluster: 'locked' }]);
    expect(forbidden.items).toEqual([]);
    // The unreadable cluster is the reason, and makes the evidence unknown on its own.
    expect(forbidden.errors.map(e => e.source)).toEqual(['kubernetes:locked']);
  });

  it('reads the configuration checks of the running ReplicaSets once per workload, and a missing report as unknown', async () => {
    const result = await createService([dev]).configAudits([scanned]);
    expect(result.items).toHaveLength(13);
    expect(result.items.find(c => c.checkId === 'KSV012')?.resources).toEqual([
      `ReplicaSet/${canaryRs.metadata.name}`,
      `ReplicaSet/${stableRs.metadata.name}`,
    ]);
    expect(result.summary).toEqual({ failed: { critical: 0, high: 1, medium: 3, low: 9, unknown: 0 }, passed: 0 });
    expect(result.errors).toEqual([]);

    // The Trivy Operator fixture's coredns Deployment has a running ReplicaSet, but no audit of it.
    const coredns: Workload = {
      cluster: 'dev',
      namespace: 'kube-system',
      kind: 'Deployment',
      name: 'coredns',
      images: ['k8s.gcr.io/coredns/coredns:v1.8.0'],
    };
    const missing = await createService([dev]).configAudits([coredns]);
    expect(missing.items).toEqual([]);
    expect(missing.errors).toEqual([
      {
        source: 'config-audit:kube-system/ReplicaSet/coredns-558bd4d5db',
        message:
          "No ConfigAuditReport for ReplicaSet/coredns-558bd4d5db in kube-system: not audited yet, or Trivy Operator's config audit scanner is off",
      },
    ]);
  });
});
