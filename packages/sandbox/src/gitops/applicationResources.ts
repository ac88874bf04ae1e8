import { groupVersion, KubeObject, Pod, ReplicaSet } from '../kubeTypes';
import {
  HealthStatus,
  HealthStatusCode,
  rolloutHealth,
} from '../rollouts/rolloutHealth';
import { REVISION_ANNOTATION, Rollout } from '../rollouts/rolloutTypes';
import type { ResourceNode, ResourceRef, ResourceStatus } from './argoTypes';

/** The live objects of one Application: the Rollout and what hangs off it. */
export interface LiveObjects {
  rollout: Rollout;
  services: KubeObject[];
  replicaSets: ReplicaSet[];
  pods: Pod[];
  /** The AnalysisRuns the Rollouts controller created (children of the Rollout). */
  analysisRuns: KubeObject[];
}

/** Argo CD's health order: an application is as healthy as its least healthy resource. */
const HEALTH_ORDER: HealthStatusCode[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
];

export function allObjects(live: LiveObjects): KubeObject[] {
  return [
    ...live.services,
    live.rollout,
    ...live.replicaSets,
    ...live.pods,
    ...live.analysisRuns,
  ];
}

/** `v1alpha1ApplicationTree.nodes`: managed resources and their children with parentRefs. */
export function resourceTree(live: LiveObjects): { nodes: ResourceNode[] } {
  const rolloutRef = refOf(live.rollout);
  const replicaSetRefs = new Map(
    live.replicaSets.map(rs => [rs.metadata.uid, refOf(rs)]),
  );
  return {
    nodes: [
      ...live.services.map(service =>
        node(service, { health: { status: 'Healthy' } }),
      ),
      node(live.rollout, { health: rolloutHealth(live.rollout) }),
      ...live.replicaSets.map(rs =>
        node(rs, {
          parentRefs: [rolloutRef],
          health: replicaSetHealth(rs),
          info: [
            {
              name: 'Revision',
              value: `Rev:${rs.metadata.annotations?.[REVISION_ANNOTATION]}`,
            },
          ],
        }),
      ),
      ...live.pods.map(pod =>
        node(pod, {
          parentRefs: pod.metadata.ownerReferences
            ?.map(owner => replicaSetRefs.get(owner.uid))
            .filter((ref): ref is ResourceRef => ref !== undefined),
          health: podHealth(pod),
          info: podInfo(pod),
          images: pod.spec.containers.map(container => container.image),
        }),
      ),
      ...live.analysisRuns.map(run =>
        node(run, {
          parentRefs: [rolloutRef],
          health: analysisRunHealth(run),
        }),
      ),
    ],
  };
}

/** `status.resources`: the resources the Application manages directly. */
export function resourceStatuses(
  live: LiveObjects,
  rolloutSynced: boolean,
): ResourceStatus[] {
  return [
    ...live.services.map(service => ({
      ...refOf(service, false),
      status: 'Synced' as const,
      health: { status: 'Healthy' as const },
    })),
    {
      ...refOf(live.rollout, false),
      status: rolloutSynced ? ('Synced' as const) : ('OutOfSync' as const),
      health: rolloutHealth(live.rollout),
    },
  ];
}

export function worstHealth(statuses: HealthStatus[]): HealthStatusCode {
  return statuses.reduce<HealthStatusCode>(
    (worst, { status }) =>
      HEALTH_ORDER.indexOf(status) > HEALTH_ORDER.indexOf(worst)
        ? status
        : worst,
    'Healthy',
  );
}

function refOf(object: KubeObject, withUid = true): ResourceRef {
  const { group, version } = groupVersion(object.apiVersion);
  return {
    group,
    version,
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    ...(withUid ? { uid: object.metadata.uid } : {}),
  };
}

function node(object: KubeObject, extra: Partial<ResourceNode>): ResourceNode {
  return {
    ...refOf(object),
    resourceVersion: object.metadata.resourceVersion,
    createdAt: object.metadata.creationTimestamp,
    ...extra,
  };
}

/** gitops-engine's ReplicaSet health: progressing until every desired replica is available. */
function replicaSetHealth(rs: ReplicaSet): HealthStatus {
  const available = rs.status.availableReplicas ?? 0;
  if (available < rs.spec.replicas) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} out of ${rs.spec.replicas} new replicas are available...`,
    };
  }
  return { status: 'Healthy' };
}

/**
 * Argo CD's built-in `resource_customizations/argoproj.io/AnalysisRun/health.lua`:
 * Pending and Running are Progressing, Successful Healthy, Failed and Error Degraded,
 * Inconclusive Unknown; the run's message, or the script's default text.
 */
function analysisRunHealth(run: KubeObject): HealthStatus {
  const { status } = run as { status?: { phase?: string; message?: string } };
  const running = {
    status: 'Progressing' as const,
    message: 'Analysis run is running',
  };
  const outcomes: Record<string, HealthStatus> = {
    Pending: running,
    Running: running,
    Successful: {
      status: 'Healthy',
      message: 'Analysis run completed successfully',
    },
    Failed: { status: 'Degraded', message: 'Analysis run failed' },
    Error: { status: 'Degraded', message: 'Analysis run had an error' },
    Inconclusive: {
      status: 'Unknown',
      message: 'Analysis run was inconclusive',
    },
  };
  const outcome = outcomes[status?.phase ?? ''];
  if (!outcome) {
    return {
      status: 'Progressing',
      message:
        'Waiting for analysis run to finish: status has not been reconciled.',
    };
  }
  const ownMessage = outcome !== running && status?.message;
  return ownMessage ? { ...outcome, message: ownMessage } : outcome;
}

function podHealth(pod: Pod): HealthStatus {
  return pod.status.phase === 'Running'
    ? { status: 'Healthy' }
    : { status: 'Progressing', message: 'ContainerCreating' };
}

/** The info Argo CD's tree shows for a pod. */
function podInfo(pod: Pod): Array<{ name: string; value: string }> {
  const statuses = pod.status.containerStatuses;
  const ready = statuses.filter(status => status.ready).length;
  return [
    {
      name: 'Status Reason',
      value: pod.status.phase === 'Running' ? 'Running' : 'ContainerCreating',
    },
    { name: 'Node', value: pod.spec.nodeName },
    { name: 'Containers', value: `${ready}/${statuses.length}` },
  ];
}
