import type { KubeObject } from '../kubeTypes';
import type { Sandbox } from '../sandbox';

/** One resource type the Kubernetes API serves. */
export interface KubernetesResourceType {
  groupVersion: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** kubectl's short names, as the API server's discovery lists them. */
  shortNames?: string[];
  /**
   * Lists of built-in types leave apiVersion and kind out of their items; lists of
   * custom resources keep them, as the real API server does.
   */
  builtIn: boolean;
  /** The verbs the sandbox serves for it (discovery advertises exactly these). */
  verbs: string[];
  list(sandbox: Sandbox): KubeObject[];
}

const READ = ['get', 'list'];

/** A built-in type every API server serves, of which the sandbox has no objects. */
function emptyBuiltIn(
  groupVersion: string,
  kind: string,
  plural: string,
  options: { namespaced?: boolean; shortNames?: string[] } = {},
): KubernetesResourceType {
  return {
    groupVersion,
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced: options.namespaced ?? true,
    ...(options.shortNames ? { shortNames: options.shortNames } : {}),
    builtIn: true,
    verbs: READ,
    list: () => [],
  };
}

/**
 * Every type the sandbox serves. Beside the simulated objects, the built-in types
 * Backstage's Kubernetes plugin lists for an entity (its default object types, and
 * the extra ones it can be configured to fetch) answer like a real cluster that has
 * none of them: an empty typed List, never a 404.
 */
export const kubernetesResourceTypes: KubernetesResourceType[] = [
  {
    groupVersion: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    builtIn: true,
    verbs: READ,
    list: s => s.namespaces(),
  },
  {
    groupVersion: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    builtIn: true,
    verbs: READ,
    list: s => s.pods(),
  },
  {
    groupVersion: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    builtIn: true,
    verbs: READ,
    list: s => s.services(),
  },
  emptyBuiltIn('v1', 'ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  emptyBuiltIn('v1', 'LimitRange', 'limitranges', { shortNames: ['limits'] }),
  emptyBuiltIn('v1', 'ResourceQuota', 'resourcequotas', {
    shortNames: ['quota'],
  }),
  emptyBuiltIn('v1', 'Secret', 'secrets'),
  emptyBuiltIn('v1', 'PersistentVolume', 'persistentvolumes', {
    namespaced: false,
    shortNames: ['pv'],
  }),
  emptyBuiltIn('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', {
    shortNames: ['pvc'],
  }),
  emptyBuiltIn('apps/v1', 'Deployment', 'deployments', {
    shortNames: ['deploy'],
  }),
  {
    groupVersion: 'apps/v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    builtIn: true,
    verbs: READ,
    list: s => s.replicaSets(),
  },
  emptyBuiltIn('apps/v1', 'StatefulSet', 'statefulsets', {
    shortNames: ['sts'],
  }),
  emptyBuiltIn('apps/v1', 'DaemonSet', 'daemonsets', { shortNames: ['ds'] }),
  emptyBuiltIn(
    'autoscaling/v2',
    'HorizontalPodAutoscaler',
    'horizontalpodautoscalers',
    {
      shortNames: ['hpa'],
    },
  ),
  emptyBuiltIn('batch/v1', 'Job', 'jobs'),
  emptyBuiltIn('batch/v1', 'CronJob', 'cronjobs', { shortNames: ['cj'] }),
  emptyBuiltIn('networking.k8s.io/v1', 'Ingress', 'ingresses', {
    shortNames: ['ing'],
  }),
  {
    groupVersion: 'argoproj.io/v1alpha1',
    plural: 'rollouts',
    singular: 'rollout',
    kind: 'Rollout',
    namespaced: true,
    shortNames: ['ro'],
    builtIn: false,
    verbs: [...READ, 'patch'],
    list: s => s.rollouts(),
  },
  {
    groupVersion: 'argoproj.io/v1alpha1',
    plural: 'analysisruns',
    singular: 'analysisrun',
    kind: 'AnalysisRun',
    namespaced: true,
    shortNames: ['ar'],
    builtIn: false,
    verbs: READ,
    list: s => s.analysisRuns(),
  },
  {
    groupVersion: 'aquasecurity.github.io/v1alpha1',
    plural: 'vulnerabilityreports',
    singular: 'vulnerabilityreport',
    kind: 'VulnerabilityReport',
    namespaced: true,
    shortNames: ['vuln', 'vulns'],
    builtIn: false,
    verbs: READ,
    list: s => s.vulnerabilityReports(),
  },
  {
    groupVersion: 'aquasecurity.github.io/v1alpha1',
    plural: 'exposedsecretreports',
    singular: 'exposedsecretreport',
    kind: 'ExposedSecretReport',
    namespaced: true,
    shortNames: ['exposedsecret', 'exposedsecrets'],
    builtIn: false,
    verbs: READ,
    list: s => s.exposedSecretReports(),
  },
  {
    groupVersion: 'aquasecurity.github.io/v1alpha1',
    plural: 'configauditreports',
    singular: 'configauditreport',
    kind: 'ConfigAuditReport',
    namespaced: true,
    shortNames: ['configaudit', 'configaudits'],
    builtIn: false,
    verbs: READ,
    list: s => s.configAuditReports(),
  },
  {
    groupVersion: 'wgpolicyk8s.io/v1alpha2',
    plural: 'policyreports',
    singular: 'policyreport',
    kind: 'PolicyReport',
    namespaced: true,
    shortNames: ['polr'],
    builtIn: false,
    verbs: READ,
    list: s => s.policyReports(),
  },
  {
    groupVersion: 'kyverno.io/v1',
    plural: 'clusterpolicies',
    singular: 'clusterpolicy',
    kind: 'ClusterPolicy',
    namespaced: false,
    shortNames: ['cpol'],
    builtIn: false,
    verbs: READ,
    list: s => s.clusterPolicies(),
  },
];

export function basePath(type: KubernetesResourceType): string {
  return type.groupVersion === 'v1' ? '/api/v1' : `/apis/${type.groupVersion}`;
}
