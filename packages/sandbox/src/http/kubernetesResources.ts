import type { KubeObject } from '../kubeTypes';
import type { Sandbox } from '../sandbox';

/** One resource type the Kubernetes API serves. */
export interface KubernetesResourceType {
  groupVersion: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /**
   * Lists of built-in types leave apiVersion and kind out of their items; lists of
   * custom resources keep them, as the real API server does.
   */
  builtIn: boolean;
  list(sandbox: Sandbox): KubeObject[];
}

export const kubernetesResourceTypes: KubernetesResourceType[] = [
  {
    groupVersion: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    builtIn: true,
    list: s => s.namespaces(),
  },
  {
    groupVersion: 'v1',
    plural: 'pods',
    kind: 'Pod',
    namespaced: true,
    builtIn: true,
    list: s => s.pods(),
  },
  {
    groupVersion: 'v1',
    plural: 'services',
    kind: 'Service',
    namespaced: true,
    builtIn: true,
    list: s => s.services(),
  },
  {
    groupVersion: 'apps/v1',
    plural: 'replicasets',
    kind: 'ReplicaSet',
    namespaced: true,
    builtIn: true,
    list: s => s.replicaSets(),
  },
  {
    groupVersion: 'argoproj.io/v1alpha1',
    plural: 'rollouts',
    kind: 'Rollout',
    namespaced: true,
    builtIn: false,
    list: s => s.rollouts(),
  },
  {
    groupVersion: 'aquasecurity.github.io/v1alpha1',
    plural: 'vulnerabilityreports',
    kind: 'VulnerabilityReport',
    namespaced: true,
    builtIn: false,
    list: s => s.vulnerabilityReports(),
  },
  {
    groupVersion: 'wgpolicyk8s.io/v1alpha2',
    plural: 'policyreports',
    kind: 'PolicyReport',
    namespaced: true,
    builtIn: false,
    list: s => s.policyReports(),
  },
  {
    groupVersion: 'kyverno.io/v1',
    plural: 'clusterpolicies',
    kind: 'ClusterPolicy',
    namespaced: false,
    builtIn: false,
    list: s => s.clusterPolicies(),
  },
];

export function basePath(type: KubernetesResourceType): string {
  return type.groupVersion === 'v1' ? '/api/v1' : `/apis/${type.groupVersion}`;
}
