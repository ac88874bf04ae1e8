import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { KubeObject, ReplicaSet } from '../kubeTypes';
import { DEFAULT_OPTIONS } from '../options';
import { UPSTREAM_FIXTURES } from '../testing/testSandbox';
import { policyReports } from './policyReports';
import {
  findingsForImage,
  loadScenario,
  parseScenario,
  Scenario,
} from './scenario';
import { vulnerabilityReports } from './vulnerabilityReports';

const fixture = async (file: string) =>
  parse(await fs.readFile(path.join(UPSTREAM_FIXTURES, file), 'utf8'));
const keys = (value: object) => Object.keys(value).sort();

function replicaSet(name: string, image: string, replicas = 1): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'payments-api-dev',
      uid: `uid-${name}`,
      creationTimestamp: '2024-05-01T10:00:00Z',
      labels: { app: 'payments-api' },
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'payments-api' } },
      template: {
        metadata: { labels: { app: 'payments-api' } },
        spec: { containers: [{ name: 'payments-api', image }] },
      },
    },
    status: { replicas },
  };
}

function pod(name: string, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'payments-api-dev',
      uid: `uid-${name}`,
      creationTimestamp: '2024-05-01T10:00:00Z',
    },
    spec: { containers: [{ name: 'payments-api', image }] },
  } as KubeObject;
}

describe('findings', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await loadScenario(DEFAULT_OPTIONS.scenarioPath);
  });

  describe('the example scenario', () => {
    const counts = (image: string) => {
      const severities = findingsForImage(scenario, image).vulnerabilities.map(
        v => v.severity,
      );
      return (severity: string) =>
        severities.filter(s => s === severity).length;
    };

    it('gives payments-api 1.5.0 a fixable CRITICAL (CVE-2019-18224) and HIGH/MEDIUM findings', () => {
      const { vulnerabilities } = findingsForImage(
        scenario,
        'ghcr.io/example/payments-api:1.5.0',
      );
      expect(vulnerabilities).toContainEqual(
        expect.objectContaining({
          vulnerabilityID: 'CVE-2019-18224',
          resource: 'libidn2-0',
          severity: 'CRITICAL',
          fixedVersion: '2.0.5-1+deb10u1',
        }),
      );
      const count = counts('ghcr.io/example/payments-api:1.5.0');
      expect([
        count('CRITICAL'),
        count('HIGH') > 0,
        count('MEDIUM') > 0,
      ]).toEqual([1, true, true]);
    });

    it('gives payments-api 1.4.2 nothing above MEDIUM', () => {
      const count = counts('ghcr.io/example/payments-api:1.4.2');
      expect([
        count('CRITICAL'),
        count('HIGH'),
        count('MEDIUM') + count('LOW') > 0,
      ]).toEqual([0, 0, true]);
    });

    it('gives every orders-api version MEDIUM findings and an Audit policy failure', () => {
      for (const tag of ['2.0.3', '2.1.0', '9.9.9']) {
        const findings = findingsForImage(
          scenario,
          `ghcr.io/example/orders-api:${tag}`,
        );
        expect(
          findings.vulnerabilities.every(v => v.severity === 'MEDIUM'),
        ).toBe(true);
        expect(findings.vulnerabilities.length).toBeGreaterThan(1);
        const [failure] = findings.policyFailures;
        const policy = scenario.clusterPolicies.find(
          p => p.metadata.name === failure.policy,
        )!;
        expect(
          policy.spec.rules.find(r => r.name === failure.rule)?.validate
            ?.failureAction,
        ).toBe('Audit');
      }
    });

    it('makes an Enforce rule fail for payments-api 1.5.0 only', () => {
      const enforced = (image: string) =>
        findingsForImage(scenario, image).policyFailures.filter(failure =>
          scenario.clusterPolicies
            .find(p => p.metadata.name === failure.policy)
            ?.spec.rules.some(
              r =>
                r.name === failure.rule &&
                r.validate?.failureAction === 'Enforce',
            ),
        );
      expect(enforced('ghcr.io/example/payments-api:1.5.0')).toHaveLength(1);
      expect(enforced('ghcr.io/example/payments-api:1.4.2')).toHaveLength(0);
    });

    it('has ClusterPolicies shaped like the upstream Kyverno fixture, in both modes', async () => {
      const upstream = await fixture('kyverno-clusterpolicy-mixed-modes.yaml');
      for (const policy of scenario.clusterPolicies) {
        expect(keys(policy)).toEqual(keys(upstream));
        expect(policy.apiVersion).toBe(upstream.apiVersion);
      }
      const modes = scenario.clusterPolicies.flatMap(p =>
        p.spec.rules.flatMap(r =>
          r.verifyImages
            ? r.verifyImages.map(entry => entry.failureAction)
            : [r.validate?.failureAction],
        ),
      );
      expect(new Set(modes)).toEqual(new Set(['Enforce', 'Audit']));
    });
  });

  it('rejects a policy failure that names no rule', () => {
    expect(() =>
      parseScenario(
        'images:\n  "*":\n    policyFailures: [{policy: nope, rule: nope}]\n',
        'test',
      ),
    ).toThrow(/nope\/nope names no rule/);
  });

  describe('VulnerabilityReport', () => {
    it('has the shape of the upstream Trivy Operator report', async () => {
      const upstream = await fixture('trivy-operator-vulnerabilityreport.yaml');
      const [report] = vulnerabilityReports(
        [
          replicaSet(
            'payments-api-5d4f8b7c9',
            'ghcr.io/example/payments-api:1.5.0',
          ),
        ],
        scenario,
      ) as any[];

      expect(keys(report)).toEqual(keys(upstream));
      expect(keys(report.metadata)).toEqual(keys(upstream.metadata));
      expect(keys(report.metadata.labels)).toEqual(
        keys(upstream.metadata.labels),
      );
      expect(keys(report.metadata.ownerReferences[0])).toEqual(
        keys(upstream.metadata.ownerReferences[0]),
      );
      expect(keys(report.report)).toEqual(keys(upstream.report));
      expect(keys(report.report.summary)).toEqual(
        keys(upstream.report.summary),
      );
      for (const vulnerability of report.report.vulnerabilities) {
        expect(keys(vulnerability)).toEqual(
          keys(upstream.report.vulnerabilities[0]),
        );
      }
      expect(report.metadata).toMatchObject({
        name: 'replicaset-payments-api-5d4f8b7c9-payments-api',
        namespace: 'payments-api-dev',
        labels: {
          'trivy-operator.resource.kind': 'ReplicaSet',
          'trivy-operator.resource.name': 'payments-api-5d4f8b7c9',
          'trivy-operator.resource.namespace': 'payments-api-dev',
          'trivy-operator.container.name': 'payments-api',
        },
        ownerReferences: [
          {
            kind: 'ReplicaSet',
            name: 'payments-api-5d4f8b7c9',
            uid: 'uid-payments-api-5d4f8b7c9',
          },
        ],
      });
      expect(report.report).toMatchObject({
        artifact: { repository: 'example/payments-api', tag: '1.5.0' },
        registry: { server: 'ghcr.io' },
        summary: {
          criticalCount: 1,
          highCount: 2,
          mediumCount: 1,
          lowCount: 1,
        },
      });
    });

    it('covers only ReplicaSets that run pods', () => {
      const reports = vulnerabilityReports(
        [
          replicaSet(
            'payments-api-old',
            'ghcr.io/example/payments-api:1.4.2',
            0,
          ),
          replicaSet(
            'payments-api-new',
            'ghcr.io/example/payments-api:1.5.0',
            1,
          ),
        ],
        scenario,
      );
      expect(reports.map(r => r.metadata.name)).toEqual([
        'replicaset-payments-api-new-payments-api',
      ]);
    });
  });

  describe('PolicyReport', () => {
    it('has the shape of the upstream Kyverno reports, one per resource', async () => {
      const upstream = (await fixture('kyverno-policyreport-list.yaml'))
        .items[0];
      const upstreamCluster = parseAllDocuments(
        await fs.readFile(
          path.join(
            UPSTREAM_FIXTURES,
            'kyverno-clusterpolicyreport-mixed-modes.yaml',
          ),
          'utf8',
        ),
      )[0].toJS();
      const reports = policyReports(
        [
          pod('payments-api-abc-x1', 'ghcr.io/example/payments-api:1.5.0'),
          replicaSet('payments-api-abc', 'ghcr.io/example/payments-api:1.5.0'),
        ],
        scenario,
      ) as any[];

      expect(reports).toHaveLength(2);
      for (const report of reports) {
        expect(keys(report)).toEqual(keys(upstream));
        expect(keys(report.metadata.labels)).toEqual(
          keys(upstream.metadata.labels),
        );
        expect(keys(report.summary)).toEqual(keys(upstream.summary));
        expect(keys(report.scope)).toEqual(
          expect.arrayContaining(keys(upstream.scope)),
        );
        for (const result of report.results) {
          // the ValidatingPolicy fixture has no rule; ClusterPolicy results (mixed-modes fixture) do
          expect(keys(result)).toEqual(
            [
              ...new Set([
                ...keys(upstream.results[0]),
                ...keys(upstreamCluster.results[0]),
                'timestamp',
              ]),
            ].sort(),
          );
          expect(result.source).toBe('kyverno');
        }
      }
      const [podReport, rsReport] = reports;
      expect(podReport.metadata.name).toBe('uid-payments-api-abc-x1');
      expect(podReport.scope).toMatchObject({
        apiVersion: 'v1',
        kind: 'Pod',
        name: 'payments-api-abc-x1',
      });
      expect(podReport.results).toContainEqual(
        expect.objectContaining({
          policy: 'require-run-as-non-root',
          rule: 'run-as-non-root',
          result: 'fail',
          severity: 'high',
          message: expect.stringMatching(
            /^validation error: Running as root is not allowed\..* rule run-as-non-root failed at path \/spec\/securityContext\/runAsNonRoot\/$/,
          ),
        }),
      );
      // Three validate rules pass, one fails; the signature check passes (signed).
      expect(podReport.summary).toEqual({
        error: 0,
        fail: 1,
        pass: 4,
        skip: 0,
        warn: 0,
      });
      // Kyverno auto-generates ReplicaSet rules from Pod rules
      expect(rsReport.results.map((r: any) => r.rule)).toContain(
        'autogen-run-as-non-root',
      );
    });
  });

  it('reports on Rollouts through a rule that names the Rollout kind', () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: {
        name: 'payments-api',
        namespace: 'payments-api-dev',
        uid: 'uid-rollout',
        creationTimestamp: '2024-05-01T10:00:00Z',
      },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'payments-api',
                image: 'ghcr.io/example/payments-api:1.5.0',
              },
            ],
          },
        },
      },
    } as KubeObject;
    const [report] = policyReports([rollout], scenario) as any[];

    expect(report.scope).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'payments-api',
      namespace: 'payments-api-dev',
      uid: 'uid-rollout',
    });
    expect(
      report.results.map((r: any) => [r.policy, r.rule, r.result]),
    ).toEqual([
      ['limit-rollout-revision-history', 'revision-history-limit', 'pass'],
    ]);
  });
});
