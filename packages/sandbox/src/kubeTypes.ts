/** The parts of Kubernetes object shapes the sandbox builds (wire names throughout). */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface Container {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  resources?: unknown;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[] };
}

export interface ReplicaSet extends KubeObject {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: PodTemplate;
  };
  status: Record<string, number>;
}

export interface Pod extends KubeObject {
  spec: PodTemplate['spec'] & { nodeName: string; restartPolicy: string };
  status: {
    phase: 'Pending' | 'Running';
    conditions: Array<Record<string, string>>;
    containerStatuses: Array<Record<string, unknown>>;
    hostIP: string;
    podIP?: string;
    startTime: string;
  };
}

export interface Service extends KubeObject {
  spec: {
    type: 'ClusterIP';
    clusterIP: string;
    ports: Array<{
      name: string;
      port: number;
      targetPort: string;
      protocol: string;
    }>;
    selector: Record<string, string>;
  };
  status: { loadBalancer: Record<string, never> };
}

/** The containers an object runs: a Pod's own, or the pod template's of a workload. */
export function containersOf(object: KubeObject): Container[] {
  const spec = (
    object as { spec?: { containers?: Container[]; template?: PodTemplate } }
  ).spec;
  return spec?.containers ?? spec?.template?.spec.containers ?? [];
}

/** Splits `apiVersion` into group and version (`v1` is the core group, ""). */
export function groupVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : {
        group: apiVersion.slice(0, slash),
        version: apiVersion.slice(slash + 1),
      };
}
