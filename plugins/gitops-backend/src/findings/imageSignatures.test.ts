import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../kubernetes/types';
import {
  countImageSignatures,
  imageSignatures,
  mergeImageSignatures,
} from './imageSignatures';
import {
  policyResults,
  type KyvernoPolicy,
  type PolicyReport,
} from './kyverno';
import type { Workload } from './types';
import {
  resolveWorkloadResources,
  type ReplicaSetObject,
  type WorkloadResources,
} from './workloadResources';
import { loadFixture } from './__testUtils__/objects';

/** fixtures/constructed: built from Kyverno's format and source (see its README), not copied. */
function loadConstructed(name: string): KubeObject[] {
  const text = fs.readFileSync(
    path.resolve(__dirname, '../../../../fixtures/constructed', name),
    'utf8',
  );
  return parseAllDocuments(text).map(doc => doc.toJS());
}

const shop = loadConstructed('kyverno-verifyimages-reports.yaml');
const ofKind = <T extends KubeObject>(kind: string) =>
  shop.filter(o => o.kind === kind) as T[];
const clusterPolicies = ofKind<KyvernoPolicy>('ClusterPolicy');
const reports = ofKind<PolicyReport>('PolicyReport');
const PAYMENTS = 'ghcr.io/example/payments-api:1.4.2';
const ORDERS = 'ghcr.io/example/orders-api:2.0.3';

function rolloutWorkload(name: string, images: string[]): Workload {
  return { namespace: 'shop-prod', kind: 'Rollout', name, images };
}

function resourcesOf(
  workload: Workload,
  objects: KubeObject[] = shop,
): WorkloadResources {
  return resolveWorkloadResources(workload, {
    replicaSets: objects.filter(
      o => o.kind === 'ReplicaSet',
    ) as ReplicaSetObject[],
    pods: objects.filter(o => o.kind === 'Pod'),
  });
}

function signaturesOf(
  workload: Workload,
  options: {
    reports?: PolicyReport[];
    policies?: KyvernoPolicy[];
    objects?: KubeObject[];
  } = {},
) {
  return imageSignatures({
    workload,
    resources: resourcesOf(workload, options.objects),
    reports: options.reports ?? reports,
    policies: options.policies ?? clusterPolicies,
  });
}

describe('image signatures from Kyverno verifyImages results', () => {
  it('calls an image verified when its pods and ReplicaSet pass, whatever spelling the message uses', () => {
    const payments = rolloutWorkload('payments-api', [PAYMENTS]);
    // The Pod's result names the digest Kyverno pinned (registry/path@digest, no tag).
    expect(signaturesOf(payments)).toEqual([
      {
        image: PAYMENTS,
        status: 'verified',
        message:
          'verified image signatures for ghcr.io/example/payments-api@sha256:5f0a8c3ab0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5',
        policy: 'verify-image-signatures',
        rule: 'verify-signature',
      },
    ]);
  });

  it('calls an image failed with Kyverno message, policy and rule', () => {
    expect(signaturesOf(rolloutWorkload('orders-api', [ORDERS]))).toEqual([
      {
        image: ORDERS,
        status: 'failed',
        message: `failed to verify image ${ORDERS}: .attestors[0].entries[0].keyless: no signatures found`,
        policy: 'verify-image-signatures',
        rule: 'verify-signature',
      },
    ]);
  });

  it('takes the admission annotation as evidence when no report says anything', () => {
    const payments = rolloutWorkload('payments-api', [PAYMENTS]);
    const [verified] = signaturesOf(payments, { reports: [] });
    expect(verified).toMatchObject({ image: PAYMENTS, status: 'verified' });
    expect(verified.message).toMatch(
      /^Kyverno verified ghcr\.io\/example\/payments-api@sha256:5f0a.* when it admitted Pod payments-api-6d4cf56db6-x7k2p \(kyverno\.io\/verify-images\)$/,
    );

    const failedAtAdmission = shop.map(o =>
      o.kind === 'Pod' && o.metadata.name.startsWith('payments-api')
        ? {
            ...o,
            metadata: {
              ...o.metadata,
              annotations: {
                'kyverno.io/verify-images': JSON.stringify({
                  [`${PAYMENTS}`]: 'fail',
                }),
              },
            },
          }
        : o,
    );
    expect(
      signaturesOf(payments, { reports: [], objects: failedAtAdmission })[0]
        .status,
    ).toBe('failed');
    // Kyverno before 1.10 wrote true/false; skip is no verdict; garbage is ignored.
    const annotated = (value: string) =>
      shop.map(o =>
        o.kind === 'Pod' && o.metadata.name.startsWith('payments-api')
          ? {
              ...o,
              metadata: {
                ...o.metadata,
                annotations: { 'kyverno.io/verify-images': value },
              },
            }
          : o,
      );
    expect(
      signaturesOf(payments, {
        reports: [],
        objects: annotated(`{"${PAYMENTS}":true}`),
      })[0].status,
    ).toBe('verified');
    expect(
      signaturesOf(payments, {
        reports: [],
        objects: annotated(`{"${PAYMENTS}":"skip"}`),
      })[0].status,
    ).toBe('unknown');
    expect(
      signaturesOf(payments, { reports: [], objects: annotated('not json') })[0]
        .status,
    ).toBe('unknown');
  });

  it('is unknown without any verifyImages result, never verified', () => {
    const unannotated = shop.map(o =>
      o.kind === 'Pod'
        ? { ...o, metadata: { ...o.metadata, annotations: {} } }
        : o,
    );
    expect(
      signaturesOf(rolloutWorkload('payments-api', [PAYMENTS]), {
        reports: [],
        objects: unannotated,
      }),
    ).toEqual([
      {
        image: PAYMENTS,
        status: 'unknown',
        message: `no Kyverno verifyImages result for ${PAYMENTS} (no policy checks it, or not scanned yet)`,
      },
    ]);
  });

  it('ignores the results of other rules, and of images the workload does not run', () => {
    const validate: KyvernoPolicy = {
      apiVersion: 'kyverno.io/v1',
      kind: 'ClusterPolicy',
      metadata: { name: 'require-run-as-non-root' },
      spec: {
        rules: [
          { name: 'run-as-non-root', validate: { failureAction: 'Enforce' } },
        ],
      },
    };
    const podReport = reports.find(
      r => r.scope?.name === 'orders-api-7c9f5d8b4a-q4m9z',
    )!;
    const withOthers: PolicyReport = {
      ...podReport,
      results: [
        {
          policy: 'require-run-as-non-root',
          rule: 'run-as-non-root',
          result: 'pass',
          message: 'validation rule passed',
        },
        // An injected sidecar's image: not one the workload runs.
        {
          policy: 'verify-image-signatures',
          rule: 'verify-signature',
          result: 'pass',
          message:
            'verified image signatures for ghcr.io/example/mesh-proxy:1.0.0',
        },
      ],
    };
    const unannotated = shop.map(o =>
      o.kind === 'Pod'
        ? { ...o, metadata: { ...o.metadata, annotations: {} } }
        : o,
    );
    expect(
      signaturesOf(rolloutWorkload('orders-api', [ORDERS]), {
        reports: [withOthers],
        policies: [...clusterPolicies, validate],
        objects: unannotated,
      })[0].status,
    ).toBe('unknown');
  });

  it('lets a failure win over a pass, and takes an error as no verdict', () => {
    const podReport = reports.find(
      r => r.scope?.name === 'payments-api-6d4cf56db6-x7k2p',
    )!;
    const revoked: PolicyReport = {
      ...podReport,
      results: [
        ...(podReport.results ?? []),
        {
          policy: 'verify-image-signatures',
          rule: 'verify-signature',
          result: 'fail',
          message: `failed to verify image ${PAYMENTS}: .attestors[0].entries[0].keyless: no matching signatures`,
        },
      ],
    };
    const payments = rolloutWorkload('payments-api', [PAYMENTS]);
    expect(signaturesOf(payments, { reports: [revoked] })[0]).toMatchObject({
      status: 'failed',
    });

    const unannotated = shop.map(o =>
      o.kind === 'Pod'
        ? { ...o, metadata: { ...o.metadata, annotations: {} } }
        : o,
    );
    const registryDown: PolicyReport = {
      ...podReport,
      results: [
        {
          policy: 'verify-image-signatures',
          rule: 'verify-signature',
          result: 'error',
          message: `failed to verify image ${PAYMENTS}: dial tcp: lookup ghcr.io: i/o timeout`,
        },
      ],
    };
    expect(
      signaturesOf(payments, {
        reports: [registryDown],
        objects: unannotated,
      })[0],
    ).toEqual({
      image: PAYMENTS,
      status: 'unknown',
      message: `Kyverno could not check the signature: failed to verify image ${PAYMENTS}: dial tcp: lookup ghcr.io: i/o timeout`,
      policy: 'verify-image-signatures',
      rule: 'verify-signature',
    });
  });

  it('gives a result that names no image (a cache hit) to the images the rule covers', () => {
    const rs = shop.find(o => o.metadata.name === 'orders-api-7c9f5d8b4a')!;
    const cached: PolicyReport = {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: { name: rs.metadata.uid!, namespace: 'shop-prod' },
      scope: {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: rs.metadata.name,
        namespace: 'shop-prod',
        uid: rs.metadata.uid,
      },
      results: [
        {
          policy: 'verify-image-signatures',
          rule: 'autogen-verify-signature',
          result: 'pass',
          message: 'verified from cache',
        },
      ],
    };
    const unannotated = shop.map(o =>
      o.kind === 'Pod'
        ? { ...o, metadata: { ...o.metadata, annotations: {} } }
        : o,
    );
    const orders = rolloutWorkload('orders-api', [ORDERS]);
    expect(
      signaturesOf(orders, { reports: [cached], objects: unannotated })[0],
    ).toMatchObject({
      status: 'verified',
      message: 'verified from cache',
    });
    // The rule's imageReferences (ghcr.io/example/*) do not cover another registry's image.
    const elsewhere = unannotated.map(o =>
      o.kind === 'ReplicaSet' && o.metadata.name === 'orders-api-7c9f5d8b4a'
        ? {
            ...o,
            spec: {
              ...(o as any).spec,
              template: {
                spec: {
                  containers: [
                    {
                      name: 'orders-api',
                      image: 'quay.io/acme/orders-api:2.0.3',
                    },
                  ],
                },
              },
            },
          }
        : o,
    );
    expect(
      signaturesOf(
        rolloutWorkload('orders-api', ['quay.io/acme/orders-api:2.0.3']),
        { reports: [cached], objects: elsewhere },
      )[0].status,
    ).toBe('unknown');
  });

  it("reads a result whose policy is gone by the image verifier's message", () => {
    const unannotated = shop.map(o =>
      o.kind === 'Pod'
        ? { ...o, metadata: { ...o.metadata, annotations: {} } }
        : o,
    );
    expect(
      signaturesOf(rolloutWorkload('orders-api', [ORDERS]), {
        policies: [],
        objects: unannotated,
      })[0].status,
    ).toBe('failed');
  });

  describe("on Kyverno's own verify-image conformance tests (a namespaced Policy, bare Pods)", () => {
    const [passPolicy] = loadFixture<KyvernoPolicy>(
      'kyverno-verify-image-pass-policy.yaml',
    );
    const [signedPod] = loadFixture('kyverno-verify-image-pass-pod.yaml');
    const [passReport] = loadFixture<PolicyReport>(
      'kyverno-verify-image-pass-report.yaml',
    );
    const failPods = loadFixture('kyverno-verify-image-fail-pods.yaml');
    const failReports = loadFixture<PolicyReport>(
      'kyverno-verify-image-fail-report.yaml',
    );
    // The fixtures are assertions: no namespace, and no results. Kyverno writes them so.
    const inDefault = <T extends KubeObject>(o: T): T => ({
      ...o,
      metadata: { ...o.metadata, namespace: 'default' },
    });
    const policy = inDefault(passPolicy);
    const bare = (pod: KubeObject): WorkloadResources => ({
      workload: { kind: 'Deployment', namespace: 'default', name: 'none' },
      replicaSets: [],
      pods: [inDefault(pod)],
    });
    const withResult = (
      report: PolicyReport,
      result: string,
      message: string,
    ): PolicyReport => ({
      ...inDefault(report),
      results: [
        {
          policy: 'default/keyed-basic-policy',
          rule: 'keyed-basic-rule',
          result,
          message,
          source: 'kyverno',
        } as never,
      ],
    });
    const workload = (image: string): Workload => ({
      namespace: 'default',
      kind: 'Deployment',
      name: 'none',
      images: [image],
    });

    it('reads nothing into a report without results (a summary alone is no evidence)', () => {
      expect(
        (passReport as PolicyReport & { summary?: object }).summary,
      ).toMatchObject({ pass: 1 });
      expect(
        imageSignatures({
          workload: workload('ghcr.io/kyverno/test-verify-image:signed'),
          resources: bare(signedPod),
          reports: [inDefault(passReport)],
          policies: [policy],
        })[0].status,
      ).toBe('unknown');
    });

    it('reads the signed pod verified and the others failed, joined to the namespaced Policy', () => {
      expect(
        imageSignatures({
          workload: workload('ghcr.io/kyverno/test-verify-image:signed'),
          resources: bare(signedPod),
          reports: [
            withResult(
              passReport,
              'pass',
              'verified image signatures for ghcr.io/kyverno/test-verify-image:signed',
            ),
          ],
          policies: [policy],
        }),
      ).toEqual([
        {
          image: 'ghcr.io/kyverno/test-verify-image:signed',
          status: 'verified',
          message:
            'verified image signatures for ghcr.io/kyverno/test-verify-image:signed',
          policy: 'default/keyed-basic-policy',
          rule: 'keyed-basic-rule',
        },
      ]);
      for (const [i, pod] of failPods.entries()) {
        const image = (pod as any).spec.containers[0].image as string;
        const message = `failed to verify image ${image}: .attestors[0].entries[0].keys: no matching signatures: invalid signature when validating ASN.1 encoded signature`;
        expect(
          imageSignatures({
            workload: workload(image),
            resources: bare(pod),
            reports: [withResult(failReports[i], 'fail', message)],
            policies: [policy],
          }),
        ).toEqual([
          {
            image,
            status: 'failed',
            message,
            policy: 'default/keyed-basic-policy',
            rule: 'keyed-basic-rule',
          },
        ]);
      }
    });

    it('says Audit or Enforce of a verifyImages rule from its entries or the policy', () => {
      const [keyless] = loadFixture<KyvernoPolicy>(
        'kyverno-clusterpolicy-keyless-github.yaml',
      );
      const target = [{ kind: 'Pod', namespace: 'default', name: 'signed' }];
      const enforce = (
        policies: KyvernoPolicy[],
        policyName: string,
        rule: string,
      ) =>
        policyResults(
          [
            {
              metadata: { name: 'r', namespace: 'default' },
              results: [
                {
                  policy: policyName,
                  rule,
                  result: 'fail',
                  resources: [{ kind: 'Pod', name: 'signed' }],
                },
              ],
            } as never,
          ],
          target,
          policies,
        )[0].enforce;
      expect(
        enforce([policy], 'default/keyed-basic-policy', 'keyed-basic-rule'),
      ).toBe(false);
      expect(enforce([keyless], 'tasks-keyless', 'verify-images')).toBe(true); // per entry, before 1.13
      expect(
        enforce(
          clusterPolicies,
          'verify-image-signatures',
          'autogen-verify-signature',
        ),
      ).toBe(true); // failureAction
    });
  });

  it('merges an image several workloads run: verified only where every one is, counted once', () => {
    const merged = mergeImageSignatures([
      { image: PAYMENTS, status: 'verified' },
      {
        image: `${PAYMENTS}@sha256:5f0a8c3ab0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5`,
        status: 'failed',
        message: 'm',
      },
      { image: ORDERS, status: 'unknown' },
    ]);
    expect(merged).toEqual([
      { image: PAYMENTS, status: 'failed', message: 'm' },
      { image: ORDERS, status: 'unknown' },
    ]);
    expect(countImageSignatures(merged)).toEqual({
      verified: 0,
      failed: 1,
      unknown: 1,
    });
  });
});
