import type { KubeObject } from '../kubernetes/types';
import type { Workload } from './types';

/** The label Argo Rollouts puts on a Rollout's ReplicaSets and Pods. */
const POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';

export interface ReplicaSetObject extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number };
}

export interface RolloutObject extends KubeObject {
  status?: { currentPodHash?: string; stableRS?: string };
}

/** A Kubernetes object by kind and name, as reports refer to them. */
export interface ResourceRef {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

/** The workload and the objects it runs now: the ReplicaSets with pods, and their Pods. */
export interface WorkloadResources {
  workload: ResourceRef;
  replicaSets: ReplicaSetObject[];
  pods: KubeObject[];
}

/**
 * Resolves the owner chain workload -> ReplicaSets -> Pods from listed objects.
 * `workloadObject` (the live Rollout or Deployment) is optional: it pins the owner
 * by uid and gives a Rollout's current and stable pod hashes.
 */
export function resolveWorkloadResources(
  workload: Workload,
  objects: {
    workloadObject?: KubeObject;
    replicaSets: ReplicaSetObject[];
    pods: KubeObject[];
  },
): WorkloadResources {
  const ref: ResourceRef = {
    kind: workload.kind,
    namespace: workload.namespace,
    name: workload.name,
    uid: objects.workloadObject?.metadata.uid,
  };
  const replicaSets =
    workload.kind === 'StatefulSet'
      ? []
      : runningReplicaSets(
          ref,
          objects.workloadObject as RolloutObject | undefined,
          objects.replicaSets,
        );
  // StatefulSets own their pods; Rollouts and Deployments own them through ReplicaSets.
  const podOwners: ResourceRef[] =
    workload.kind === 'StatefulSet'
      ? [ref]
      : replicaSets.map(rs => ({
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
        }));
  const pods = objects.pods.filter(
    pod =>
      inNamespace(pod, workload.namespace) &&
      podOwners.some(owner => isOwnedBy(pod, owner)),
  );
  return { workload: ref, replicaSets, pods };
}

/**
 * The ReplicaSets of a workload that run pods now. Old ReplicaSets are kept, scaled
 * to zero, for rollbacks, and their reports linger until a TTL: counting them
 * would show vulnerabilities of versions no longer running. A Rollout's current and
 * stable ReplicaSets count even while momentarily at zero (scaling up, or the
 * controller's status lagging).
 */
export function runningReplicaSets(
  workload: ResourceRef,
  rollout: RolloutObject | undefined,
  replicaSets: ReplicaSetObject[],
): ReplicaSetObject[] {
  const pinnedHashes =
    workload.kind === 'Rollout'
      ? [rollout?.status?.currentPodHash, rollout?.status?.stableRS].filter(
          Boolean,
        )
      : [];
  return replicaSets.filter(rs => {
    if (!inNamespace(rs, workload.namespace) || !isOwnedBy(rs, workload))
      return false;
    if (replicaCount(rs) > 0) return true;
    const hash = rs.metadata.labels?.[POD_TEMPLATE_HASH];
    return Boolean(hash) && pinnedHashes.includes(hash);
  });
}

/** Observed replicas; the desired count only before the controller wrote a status. */
function replicaCount(rs: ReplicaSetObject): number {
  return rs.status ? rs.status.replicas ?? 0 : rs.spec?.replicas ?? 0;
}

/** Owner by kind and name, and by uid when both sides know it (names are reused). */
export function isOwnedBy(object: KubeObject, owner: ResourceRef): boolean {
  return (object.metadata.ownerReferences ?? []).some(
    ref =>
      ref.kind === owner.kind &&
      ref.name === owner.name &&
      (!ref.uid || !owner.uid || ref.uid === owner.uid),
  );
}

function inNamespace(
  object: KubeObject,
  namespace: string | undefined,
): boolean {
  return (
    !namespace ||
    !object.metadata.namespace ||
    object.metadata.namespace === namespace
  );
}

/** The workload, its running ReplicaSets and their Pods, as references. */
export function resourceRefs(resources: WorkloadResources): ResourceRef[] {
  const namespace = resources.workload.namespace;
  const refOf =
    (kind: string) =>
    (o: KubeObject): ResourceRef => ({
      kind,
      namespace,
      name: o.metadata.name,
      uid: o.metadata.uid,
    });
  return [
    resources.workload,
    ...resources.replicaSets.map(refOf('ReplicaSet')),
    ...resources.pods.map(refOf('Pod')),
  ];
}
