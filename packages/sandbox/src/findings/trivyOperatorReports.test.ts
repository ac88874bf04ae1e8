import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { ReplicaSet } from '../kubeTypes';
import { DEFAULT_OPTIONS } from '../options';
import { UPSTREAM_FIXTURES } from '../testing/testSandbox';
import { configAuditReports } from './configAuditReports';
import { exposedSecretReports } from './exposedSecretReports';
import {
  findingsForImage,
  loadScenario,
  parseScenario,
  type Scenario,
} from './scenario';

const read = (file: string) =>
  fs.readFile(path.join(UPSTREAM_FIXTURES, file), 'utf8');
/** The sample of a Trivy Operator CRD documentation page (its ```yaml block). */
const docSample = async (file: string) =>
  parse(/```yaml\n([\s\S]*?)```/.exec(await read(file))![1]);
const keys = (value: object) => Object.keys(value).sort();

/** `ghcr.io/example/orders-api:2.2.0` -> `orders-api`, as the charts name the app container. */
const appName = (image: string) => image.split('/').pop()!.split(':')[0];

function replicaSet(name: string, images: string[], replicas = 1): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'orders-api-staging',
      uid: `uid-${name}`,
      creationTimestamp: '2024-05-01T10:00:00Z',
      labels: { app: 'orders-api' },
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'orders-api' } },
      template: {
        metadata: { labels: { app: 'orders-api' } },
        spec: {
          containers: images.map((image, i) => ({
            name: i ? `sidecar-${i}` : appName(image),
            image,
          })),
        },
      },
    },
    status: { replicas },
  };
}

const WITH_SECRET = 'ghcr.io/example/orders-api:2.2.0';
const CLEAN = 'ghcr.io/example/orders-api:2.1.0';

describe('Trivy Operator reports beside vulnerabilities', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await loadScenario(DEFAULT_OPTIONS.scenarioPath);
  });

  describe('ExposedSecretReport', () => {
    it('has the shape of the upstream sample, one per container of a running ReplicaSet', async () => {
      const upstream = await docSample(
        'trivy-operator-exposedsecret-report.md',
      );
      const reports = exposedSecretReports(
        [
          replicaSet('orders-api-7d9f', [WITH_SECRET, CLEAN]),
          replicaSet('orders-api-old', [CLEAN], 0),
        ],
        scenario,
      ) as any[];

      expect(reports.map(r => r.metadata.name)).toEqual([
        'replicaset-orders-api-7d9f-orders-api',
        'replicaset-orders-api-7d9f-sidecar-1',
      ]);
      const [withSecret, clean] = reports;
      expect(keys(withSecret)).toEqual(keys(upstream));
      expect(keys(withSecret.metadata)).toEqual(
        expect.arrayContaining(
          keys(upstream.metadata).filter(k => k !== 'resourceVersion'),
        ),
      );
      expect(keys(withSecret.metadata.labels)).toEqual(
        expect.arrayContaining(keys(upstream.metadata.labels)),
      );
      expect(keys(withSecret.report)).toEqual(keys(upstream.report));
      expect(keys(withSecret.report.summary)).toEqual(
        keys(upstream.report.summary),
      );
      expect(keys(withSecret.report.secrets[0])).toEqual(
        keys(upstream.report.secrets[0]),
      );
      expect(withSecret.metadata.labels).toMatchObject({
        'trivy-operator.container.name': 'orders-api',
        'trivy-operator.resource.kind': 'ReplicaSet',
        'trivy-operator.resource.name': 'orders-api-7d9f',
      });
      expect(withSecret.report).toMatchObject({
        artifact: { repository: 'example/orders-api', tag: '2.2.0' },
        registry: { server: 'ghcr.io' },
        secrets: [
          {
            ruleID: 'aws-access-key-id',
            severity: 'CRITICAL',
            target: '/app/.env',
          },
        ],
        summary: {
          criticalCount: 1,
          highCount: 0,
          mediumCount: 0,
          lowCount: 0,
        },
      });
      // An image without secrets still has its report: scanned, and clean.
      expect(clean.report.secrets).toEqual([]);
    });
  });

  describe('ConfigAuditReport', () => {
    it('has the shape of the upstream envtest expectation, one per running ReplicaSet', async () => {
      const upstream = parse(
        await read('trivy-operator-replicaset-configauditreport.yaml'),
      );
      const reports = configAuditReports(
        [
          replicaSet('payments-api-5d4f', [
            'ghcr.io/example/payments-api:1.5.0',
          ]),
          replicaSet('payments-api-old', [CLEAN], 0),
        ],
        scenario,
      ) as any[];

      expect(reports).toHaveLength(1);
      const [report] = reports;
      expect(keys(report)).toEqual(keys(upstream));
      expect(keys(report.metadata)).toEqual(
        expect.arrayContaining(keys(upstream.metadata)),
      );
      expect(keys(report.metadata.labels)).toEqual(
        keys(upstream.metadata.labels),
      );
      expect(keys(report.report)).toEqual(
        [...keys(upstream.report), 'updateTimestamp'].sort(),
      );
      expect(keys(report.report.summary)).toEqual(
        keys(upstream.report.summary),
      );
      for (const check of report.report.checks)
        expect(keys(check)).toEqual(keys(upstream.report.checks[0]));
      expect(report.metadata.name).toBe('replicaset-payments-api-5d4f');
      expect(
        report.report.checks.map((c: any) => [
          c.checkID,
          c.severity,
          c.success,
        ]),
      ).toEqual([
        ['KSV012', 'MEDIUM', false],
        ['KSV011', 'LOW', false],
      ]);
      expect(report.report.checks[0].messages).toEqual([
        "Container 'payments-api' of ReplicaSet 'payments-api-5d4f' should set 'securityContext.runAsNonRoot' to true",
      ]);
      expect(report.report.summary).toEqual({
        criticalCount: 0,
        highCount: 0,
        mediumCount: 1,
        lowCount: 1,
      });
    });
  });

  it('scripts the exposed secret on orders-api 2.2.0 only, and a config check failure everywhere', () => {
    for (const image of [
      'ghcr.io/example/payments-api:1.5.0',
      'ghcr.io/example/payments-api:1.4.2',
      CLEAN,
      'ghcr.io/example/shipping-api:3.1.0',
    ]) {
      expect([image, findingsForImage(scenario, image).exposedSecrets]).toEqual(
        [image, []],
      );
      expect(
        findingsForImage(scenario, image).configAuditFailures.length,
      ).toBeGreaterThan(0);
    }
    const orders = findingsForImage(scenario, WITH_SECRET);
    expect(orders.exposedSecrets.map(s => s.ruleID)).toEqual([
      'aws-access-key-id',
    ]);
    // Otherwise as every orders-api version.
    expect(orders.vulnerabilities).toEqual(
      findingsForImage(scenario, CLEAN).vulnerabilities,
    );
    expect(orders.policyFailures).toEqual(
      findingsForImage(scenario, CLEAN).policyFailures,
    );
  });

  it('rejects secrets and checks without the fields the reports need', () => {
    expect(() =>
      parseScenario(
        'images:\n  "*":\n    exposedSecrets: [{ruleID: x, severity: HIGH}]\n',
        'test',
      ),
    ).toThrow(
      /images\["\*"\]\.exposedSecrets\[0\]: needs ruleID, category, title, target, match/,
    );
    expect(() =>
      parseScenario(
        'images:\n  "*":\n    configAuditFailures: [{checkID: KSV001, title: t, severity: UNKNOWN}]\n',
        'test',
      ),
    ).toThrow(
      /configAuditFailures\[0\]: needs a checkID, a title and a severity in CRITICAL, HIGH, MEDIUM, LOW/,
    );
  });
});
