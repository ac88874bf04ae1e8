import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { KubeObject, ReplicaSet } from '../kubeTypes';
import { DEFAULT_OPTIONS } from '../options';
import { UPSTREAM_FIXTURES } from '../testing/testSandbox';
import {
  admittedPod,
  kyvernoImage,
  VERIFY_IMAGES_ANNOTATION,
} from './imageVerification';
import { policyReports } from './policyReports';
import { loadScenario, parseScenario, type Scenario } from './scenario';

const keys = (value: object) => Object.keys(value).sort();

function pod(name: string, namespace: string, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      creationTimestamp: '2024-05-01T10:00:00Z',
    },
    spec: { containers: [{ name: 'app', image }] },
  } as KubeObject;
}

function replicaSet(
  name: string,
  namespace: string,
  image: string,
): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      creationTimestamp: '2024-05-01T10:00:00Z',
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
    status: { replicas: 1 },
  };
}

const signatureResults = (report: any) =>
  report.results.filter((r: any) => r.policy === 'verify-image-signatures');

describe('Kyverno verifyImages in the sandbox', () => {
  let scenario: Scenario;
  beforeAll(async () => {
    scenario = await loadScenario(DEFAULT_OPTIONS.scenarioPath);
  });

  it('serves the example ClusterPolicy as written: keyless GitHub Actions signatures of ghcr.io/example images', async () => {
    const policy = scenario.clusterPolicies.find(
      p => p.metadata.name === 'verify-image-signatures',
    )!;
    const upstream = parse(
      await fs.readFile(
        path.join(
          UPSTREAM_FIXTURES,
          'kyverno-clusterpolicy-keyless-github.yaml',
        ),
        'utf8',
      ),
    );
    const [entry] = policy.spec.rules[0].verifyImages!;
    const [upstreamEntry] = upstream.spec.rules[0].verifyImages;
    expect(entry.imageReferences).toEqual(['ghcr.io/example/*']);
    const keyless = (entry.attestors as any)[0].entries[0].keyless;
    expect(keyless.issuer).toBe(
      upstreamEntry.attestors[0].entries[0].keyless.issuer,
    );
    expect(keys(keyless)).toEqual(expect.arrayContaining(['issuer', 'rekor']));
    expect(keys(keyless.rekor)).toEqual(
      keys(upstreamEntry.attestors[0].entries[0].keyless.rekor),
    );
  });

  it('passes the signed payments-api in prod and fails the unsigned orders-api, per Pod and ReplicaSet', () => {
    const reports = policyReports(
      [
        pod(
          'payments-api-a-1',
          'payments-api-prod',
          'ghcr.io/example/payments-api:1.4.2',
        ),
        replicaSet(
          'payments-api-a',
          'payments-api-prod',
          'ghcr.io/example/payments-api:1.4.2',
        ),
        pod(
          'orders-api-b-1',
          'orders-api-prod',
          'ghcr.io/example/orders-api:2.0.3',
        ),
      ],
      scenario,
    ) as any[];
    const [paymentsPod, paymentsRs, ordersPod] = reports;
    expect(signatureResults(paymentsPod)).toEqual([
      {
        category: 'Software Supply Chain Security',
        message:
          'verified image signatures for ghcr.io/example/payments-api:1.4.2',
        policy: 'verify-image-signatures',
        result: 'pass',
        rule: 'verify-signature',
        scored: true,
        severity: 'high',
        source: 'kyverno',
        timestamp: {
          nanos: 0,
          seconds: Date.parse('2024-05-01T10:00:00Z') / 1000,
        },
      },
    ]);
    expect(signatureResults(paymentsRs)).toEqual([
      expect.objectContaining({
        rule: 'autogen-verify-signature',
        result: 'pass',
      }),
    ]);
    expect(signatureResults(ordersPod)).toEqual([
      expect.objectContaining({
        result: 'fail',
        message:
          'failed to verify image ghcr.io/example/orders-api:2.0.3: .attestors[0].entries[0].keyless: no signatures found',
      }),
    ]);
    // Counted in the report's summary like any result.
    expect(ordersPod.summary.fail).toBeGreaterThanOrEqual(1);
  });

  it('checks only the images the rule references', () => {
    const [report] = policyReports(
      [pod('nginx-1', 'default', 'nginx:1.25')],
      scenario,
    ) as any[];
    expect(signatureResults(report)).toEqual([]);
  });

  it("annotates admitted Pods with Kyverno's verdict per image, as its webhook does", () => {
    const admitted = admittedPod(
      pod(
        'orders-api-b-1',
        'orders-api-prod',
        'ghcr.io/example/orders-api:2.0.3',
      ),
      scenario,
    );
    expect(
      JSON.parse(admitted.metadata.annotations![VERIFY_IMAGES_ANNOTATION]),
    ).toEqual({
      'ghcr.io/example/orders-api:2.0.3': 'fail',
    });
    const signed = admittedPod(
      pod(
        'shipping-api-c-1',
        'shipping-api-prod',
        'ghcr.io/example/shipping-api:3.0.0',
      ),
      scenario,
    );
    expect(
      JSON.parse(signed.metadata.annotations![VERIFY_IMAGES_ANNOTATION]),
    ).toEqual({
      'ghcr.io/example/shipping-api:3.0.0': 'pass',
    });
    const unchecked = pod('nginx-1', 'default', 'nginx:1.25');
    expect(admittedPod(unchecked, scenario)).toBe(unchecked);
  });

  it("spells images as Kyverno's ImageInfo does", () => {
    expect(kyvernoImage('ghcr.io/example/a:1')).toBe('ghcr.io/example/a:1');
    expect(kyvernoImage('nginx')).toBe('docker.io/nginx:latest');
    expect(kyvernoImage('localhost:5000/app')).toBe(
      'localhost:5000/app:latest',
    );
    expect(kyvernoImage('ghcr.io/example/a:1@sha256:abc')).toBe(
      'ghcr.io/example/a@sha256:abc',
    );
  });

  it('rejects verifyImages rules and signatures a Kyverno client could not read', () => {
    const policy = (entry: string) =>
      `clusterPolicies:\n  - apiVersion: kyverno.io/v1\n    kind: ClusterPolicy\n    metadata: {name: p}\n    spec:\n      rules:\n        - name: r\n          verifyImages: [${entry}]\n`;
    expect(() => parseScenario(policy('{failureAction: Audit}'), 't')).toThrow(
      /imageReferences must be a list/,
    );
    expect(() =>
      parseScenario(
        policy('{imageReferences: ["a/*"], failureAction: Maybe}'),
        't',
      ),
    ).toThrow(/failureAction must be Enforce or Audit/);
    expect(() =>
      parseScenario(
        policy('{imageReferences: ["a/*"], failureAction: Enforce}'),
        't',
      ),
    ).not.toThrow();
    expect(() =>
      parseScenario('images:\n  "*":\n    signed: yes please\n', 't'),
    ).toThrow(/signed must be true or false/);
  });
});
