import {
  policyResults,
  summarizePolicies,
  type KyvernoPolicy,
  type PolicyReport,
} from './kyverno';
import { resolveWorkloadResources, resourceRefs } from './workloadResources';
import { loadFixture, pod, replicaSet, rollout } from './__testUtils__/objects';

const namespace = (name: string) => ({ kind: 'Namespace', name });

describe('Kyverno policy reports', () => {
  const clusterReports = loadFixture<PolicyReport>(
    'kyverno-clusterpolicyreport-mixed-modes.yaml',
  );
  const policies = loadFixture<KyvernoPolicy>(
    'kyverno-clusterpolicy-mixed-modes.yaml',
  );

  it('joins each result to its rule to tell Enforce from Audit', () => {
    expect(clusterReports).toHaveLength(4);
    const results = policyResults(
      clusterReports,
      [namespace('bad-ns-2')],
      policies,
    );
    expect(results).toEqual([
      {
        policy: 'check-ns-labels',
        rule: 'require-ns-env-label',
        result: 'fail',
        severity: undefined,
        category: undefined,
        message: undefined,
        resource: { kind: 'Namespace', namespace: undefined, name: 'bad-ns-2' },
        enforce: false,
      },
      expect.objectContaining({
        rule: 'require-ns-purpose-label',
        result: 'fail',
        enforce: true,
      }),
    ]);
    expect(summarizePolicies(results)).toEqual({
      pass: 0,
      fail: 2,
      warn: 0,
      error: 0,
      skip: 0,
    });
  });

  it('selects reports by scope and counts results', () => {
    const results = policyResults(
      clusterReports,
      [namespace('good-ns-1'), namespace('bad-ns-1')],
      policies,
    );
    expect(
      results.map(r => `${r.resource.name} ${r.rule} ${r.result} ${r.enforce}`),
    ).toEqual([
      'good-ns-1 require-ns-env-label fail false',
      'good-ns-1 require-ns-purpose-label pass true',
      'bad-ns-1 require-ns-env-label pass false',
      'bad-ns-1 require-ns-purpose-label fail true',
    ]);
    expect(summarizePolicies(results)).toEqual({
      pass: 2,
      fail: 2,
      warn: 0,
      error: 0,
      skip: 0,
    });
    expect(
      policyResults(clusterReports, [namespace('unknown')], policies),
    ).toEqual([]);
  });

  it('reads ValidatingPolicy reports: no rule name and no Kyverno policy to say the mode', () => {
    const reports = loadFixture<PolicyReport>('kyverno-policyreport-list.yaml');
    expect(reports).toHaveLength(3);
    const results = policyResults(
      reports,
      [{ kind: 'Deployment', namespace: 'default', name: 'bad-deployment' }],
      policies,
    );
    expect(results).toEqual([
      {
        policy: 'check-deployment-labels',
        rule: undefined,
        result: 'fail',
        severity: 'medium',
        category: 'Other',
        message: 'Deployment labels must be env=prod but found env=testing',
        resource: {
          kind: 'Deployment',
          namespace: 'default',
          name: 'bad-deployment',
        },
        enforce: undefined,
      },
    ]);
  });

  it('covers the workload, its running ReplicaSets and their Pods, and old per-result resources', () => {
    const ns = 'payments-dev';
    const owner = { kind: 'Rollout', name: 'payments-api' };
    const current = replicaSet({
      owner,
      hash: 'new',
      namespace: ns,
      replicas: 1,
    });
    const old = replicaSet({ owner, hash: 'old', namespace: ns, replicas: 0 });
    const resources = resolveWorkloadResources(
      { namespace: ns, kind: 'Rollout', name: 'payments-api', images: [] },
      {
        workloadObject: rollout('payments-api', ns, {
          currentPodHash: 'new',
          stableRS: 'new',
        }),
        replicaSets: [current, old],
        pods: [
          pod('payments-api-new-a', ns, current),
          pod('payments-api-old-a', ns, old),
        ],
      },
    );
    const report = (
      kind: string,
      name: string,
      uid: string | undefined,
      rule: string,
      result: string,
    ): PolicyReport => ({
      metadata: { name: uid ?? name, namespace: ns },
      scope: { apiVersion: 'v1', kind, name, namespace: ns, uid },
      results: [{ policy: 'require-run-as-non-root', rule, result }],
    });
    const policy: KyvernoPolicy = {
      kind: 'ClusterPolicy',
      metadata: { name: 'require-run-as-non-root' },
      spec: {
        validationFailureAction: 'enforce',
        rules: [{ name: 'run-as-non-root' }],
      },
    };
    const reports = [
      report(
        'Rollout',
        'payments-api',
        'uid-rollout-payments-api',
        'run-as-non-root',
        'pass',
      ),
      report(
        'ReplicaSet',
        current.metadata.name,
        current.metadata.uid,
        'autogen-run-as-non-root',
        'fail',
      ),
      report(
        'ReplicaSet',
        old.metadata.name,
        old.metadata.uid,
        'autogen-run-as-non-root',
        'fail',
      ),
      report(
        'Pod',
        'payments-api-new-a',
        'uid-pod-payments-api-new-a',
        'run-as-non-root',
        'fail',
      ),
      report(
        'Pod',
        'payments-api-old-a',
        'uid-pod-payments-api-old-a',
        'run-as-non-root',
        'fail',
      ),
      // A Rollout of the same name recreated since: its old report has another uid.
      report('Rollout', 'payments-api', 'uid-stale', 'run-as-non-root', 'fail'),
      // Pre-1.11 Kyverno: no scope, resources listed per result.
      {
        metadata: { name: 'polr-ns-payments-dev', namespace: ns },
        results: [
          {
            policy: 'require-run-as-non-root',
            rule: 'run-as-non-root',
            result: 'warn',
            resources: [{ kind: 'Pod', name: 'payments-api-new-a' }],
          },
          {
            policy: 'require-run-as-non-root',
            rule: 'run-as-non-root',
            result: 'fail',
            resources: [{ kind: 'Pod', name: 'someone-else' }],
          },
          {
            policy: 'require-run-as-non-root',
            rule: 'run-as-non-root',
            result: 'bogus',
            resources: [{ kind: 'Pod', name: 'payments-api-new-a' }],
          },
        ],
      },
    ];

    const results = policyResults(reports, resourceRefs(resources), [policy]);

    expect(
      results.map(
        r => `${r.resource.kind}/${r.resource.name} ${r.result} ${r.enforce}`,
      ),
    ).toEqual([
      'Rollout/payments-api pass true',
      'ReplicaSet/payments-api-new fail true',
      'Pod/payments-api-new-a fail true',
      'Pod/payments-api-new-a warn true',
    ]);
    expect(summarizePolicies(results)).toEqual({
      pass: 1,
      fail: 2,
      warn: 1,
      error: 0,
      skip: 0,
    });
  });

  it('finds namespaced Policies by namespace/name and defaults to Audit', () => {
    const target = { kind: 'Pod', namespace: 'team-a', name: 'p' };
    const report: PolicyReport = {
      metadata: { name: 'r', namespace: 'team-a' },
      scope: { kind: 'Pod', name: 'p', namespace: 'team-a' },
      results: [
        { policy: 'team-a/local', rule: 'r1', result: 'fail' },
        { policy: 'local', rule: 'r1', result: 'fail' },
        { policy: 'no-mode', rule: 'r1', result: 'fail' },
      ],
    };
    const modes: KyvernoPolicy[] = [
      {
        kind: 'Policy',
        metadata: { name: 'local', namespace: 'team-a' },
        spec: {
          rules: [{ name: 'r1', validate: { failureAction: 'Enforce' } }],
        },
      },
      {
        kind: 'ClusterPolicy',
        metadata: { name: 'no-mode' },
        spec: { rules: [{ name: 'r1', validate: {} }] },
      },
    ];
    expect(
      policyResults([report], [target], modes).map(r => r.enforce),
    ).toEqual([true, true, false]);
  });
});
