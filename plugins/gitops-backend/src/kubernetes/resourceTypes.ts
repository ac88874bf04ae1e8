import type { ResourceType } from './types';

/** The resource types the findings read, with the API group each upstream project serves. */

export const ROLLOUTS: ResourceType = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'rollouts',
};
export const DEPLOYMENTS: ResourceType = {
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
};
export const REPLICA_SETS: ResourceType = {
  group: 'apps',
  version: 'v1',
  plural: 'replicasets',
};
export const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods' };

/** Trivy Operator: image vulnerabilities and secrets per container, configuration per workload. */
export const VULNERABILITY_REPORTS: ResourceType = {
  group: 'aquasecurity.github.io',
  version: 'v1alpha1',
  plural: 'vulnerabilityreports',
};
export const EXPOSED_SECRET_REPORTS: ResourceType = {
  group: 'aquasecurity.github.io',
  version: 'v1alpha1',
  plural: 'exposedsecretreports',
};
export const CONFIG_AUDIT_REPORTS: ResourceType = {
  group: 'aquasecurity.github.io',
  version: 'v1alpha1',
  plural: 'configauditreports',
};

/** Kyverno up to 1.13 (and other policy engines) report with the wg-policy API... */
export const POLICY_REPORTS: ResourceType = {
  group: 'wgpolicyk8s.io',
  version: 'v1alpha2',
  plural: 'policyreports',
};

/** ...newer Kyverno can report with the OpenReports API instead. */
export const OPEN_REPORTS: ResourceType = {
  group: 'openreports.io',
  version: 'v1alpha1',
  plural: 'reports',
};

/** Kyverno policies: only they say whether a failing rule is Enforce or Audit. */
export const KYVERNO_CLUSTER_POLICIES: ResourceType = {
  group: 'kyverno.io',
  version: 'v1',
  plural: 'clusterpolicies',
};
export const KYVERNO_POLICIES: ResourceType = {
  group: 'kyverno.io',
  version: 'v1',
  plural: 'policies',
};

/** `rollouts.argoproj.io`, `pods`: how kubectl and error messages name a type. */
export function resourceTypeName(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}
