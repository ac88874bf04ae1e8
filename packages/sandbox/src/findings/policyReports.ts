import { stableUid } from '../ids';
import { containersOf, KubeObject } from '../kubeTypes';
import { verifyImagesResults } from './imageVerification';
import {
  ClusterPolicy,
  findingsForImage,
  PolicyRule,
  Scenario,
} from './scenario';

/**
 * Kyverno's `wgpolicyk8s.io/v1alpha2` PolicyReports: one per resource that some
 * ClusterPolicy rule matches, named by the resource's uid as Kyverno names them, with
 * a result per matching validate rule and per image a verifyImages rule checks.
 */
export function policyReports(
  resources: KubeObject[],
  scenario: Scenario,
): KubeObject[] {
  return resources.flatMap(resource => {
    const results = scenario.clusterPolicies.flatMap(policy =>
      policy.spec.rules.flatMap(rule => {
        const ruleName = appliedRuleName(rule, resource.kind);
        if (!ruleName) return [];
        if (rule.verifyImages?.length) {
          return verifyImagesResults(
            resource,
            policy,
            rule,
            ruleName,
            scenario,
          );
        }
        return [result(resource, policy, rule, ruleName, scenario)];
      }),
    );
    return results.length ? [report(resource, results)] : [];
  });
}

/**
 * Kyverno's auto-generation turns Pod rules into rules for pod controllers, prefixed
 * `autogen-`. Rollouts are not among its default controllers.
 */
const AUTOGEN_CONTROLLERS = [
  'Deployment',
  'DaemonSet',
  'StatefulSet',
  'ReplicaSet',
  'Job',
];

function appliedRuleName(rule: PolicyRule, kind: string): string | undefined {
  const kinds = [
    ...(rule.match?.resources?.kinds ?? []),
    ...(rule.match?.any ?? []).flatMap(filter => filter.resources?.kinds ?? []),
  ].map(k => k.split('/').at(-1));
  if (kinds.includes(kind)) {
    return rule.name;
  }
  if (kinds.includes('Pod') && AUTOGEN_CONTROLLERS.includes(kind)) {
    return `autogen-${rule.name}`;
  }
  return undefined;
}

function result(
  resource: KubeObject,
  policy: ClusterPolicy,
  rule: PolicyRule,
  ruleName: string,
  scenario: Scenario,
) {
  const failure = containersOf(resource)
    .flatMap(
      container => findingsForImage(scenario, container.image).policyFailures,
    )
    .find(f => f.policy === policy.metadata.name && f.rule === rule.name);
  const annotations = policy.metadata.annotations ?? {};
  // Pod rules check the pod spec; their autogen rules the pod template's.
  const specPath = resource.kind === 'Pod' ? '/spec/' : '/spec/template/spec/';
  const category = annotations['policies.kyverno.io/category'];
  const severity = annotations['policies.kyverno.io/severity'];
  return {
    ...(category ? { category } : {}),
    message: failure
      ? `validation error: ${
          rule.validate?.message ?? ''
        }. rule ${ruleName} failed at path ${specPath}${failure.path ?? ''}`
      : `validation rule '${ruleName}' passed.`,
    policy: policy.metadata.name,
    result: failure ? 'fail' : 'pass',
    rule: ruleName,
    scored: true,
    ...(severity ? { severity } : {}),
    source: 'kyverno',
    timestamp: {
      nanos: 0,
      seconds: Math.floor(
        Date.parse(resource.metadata.creationTimestamp) / 1000,
      ),
    },
  };
}

function report(
  resource: KubeObject,
  results: Array<{ result: string }>,
): KubeObject {
  const { name, namespace, uid, creationTimestamp } = resource.metadata;
  const count = (outcome: string) =>
    results.filter(r => r.result === outcome).length;
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    metadata: {
      name: uid,
      namespace,
      uid: stableUid('PolicyReport', uid),
      creationTimestamp,
      generation: 1,
      labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
      ownerReferences: [
        { apiVersion: resource.apiVersion, kind: resource.kind, name, uid },
      ],
    },
    results,
    scope: {
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      name,
      namespace,
      uid,
    },
    summary: {
      error: count('error'),
      fail: count('fail'),
      pass: count('pass'),
      skip: count('skip'),
      warn: count('warn'),
    },
  } as KubeObject;
}
