import { createHash } from 'node:crypto';
import { kubeTime } from '../clock';
import { stableUid } from '../ids';
import type { OwnerReference, Pod, ReplicaSet, Service } from '../kubeTypes';
import type { PodState, ReplicaSetState } from './controllerState';
import {
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  Rollout,
} from './rolloutTypes';

/** The Kubernetes objects the simulated controllers would create for a Rollout. */

const NODE_NAME = 'sandbox-node';
const NODE_IP = '10.0.0.10';

export function replicaSetObject(
  rollout: Rollout,
  replicaSet: ReplicaSetState,
): ReplicaSet {
  const { namespace } = rollout.metadata;
  const replicas = replicaSet.pods.length;
  const ready = replicaSet.pods.filter(pod => pod.ready).length;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: replicaSet.name,
      namespace,
      uid: replicaSetUid(rollout, replicaSet),
      generation: replicaSet.generation,
      creationTimestamp: kubeTime(replicaSet.createdAt),
      labels: replicaSet.template.metadata.labels,
      annotations: {
        'rollout.argoproj.io/desired-replicas': String(rollout.spec.replicas),
        [REVISION_ANNOTATION]: String(replicaSet.revision),
      },
      ownerReferences: [
        controllerRef(rollout.apiVersion, rollout.kind, rollout.metadata),
      ],
    },
    spec: {
      replicas,
      selector: {
        matchLabels: {
          ...rollout.spec.selector.matchLabels,
          [POD_TEMPLATE_HASH_LABEL]: replicaSet.hash,
        },
      },
      template: replicaSet.template,
    },
    // Zero counts are omitted, as the API server serializes them.
    status: {
      replicas,
      ...(replicas ? { fullyLabeledReplicas: replicas } : {}),
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: replicaSet.generation,
    },
  };
}

export function podObject(
  rollout: Rollout,
  replicaSet: ReplicaSetState,
  pod: PodState,
  crashView?: { now: number; startupMs: number },
): Pod {
  const { namespace } = rollout.metadata;
  const owner = {
    name: replicaSet.name,
    uid: replicaSetUid(rollout, replicaSet),
  };
  const created = kubeTime(pod.createdAt);
  const containers = replicaSet.template.spec.containers;
  const uid = stableUid('Pod', namespace!, pod.name);
  const crash =
    pod.crash && crashView
      ? crashLoop(pod.createdAt + crashView.startupMs, crashView.now)
      : undefined;
  const notReady = {
    type: 'Ready',
    status: 'False',
    reason: 'ContainersNotReady',
    ...(crash
      ? {
          message: `containers with unready status: [${containers
            .map(c => c.name)
            .join(' ')}]`,
        }
      : {}),
    lastTransitionTime: created,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace,
      uid,
      creationTimestamp: created,
      labels: replicaSet.template.metadata.labels,
      ownerReferences: [controllerRef('apps/v1', 'ReplicaSet', owner)],
    },
    spec: {
      ...replicaSet.template.spec,
      nodeName: NODE_NAME,
      restartPolicy: 'Always',
    },
    status: {
      // A crash-looping container has started: the pod runs, it is never ready.
      phase: pod.ready || crash ? 'Running' : 'Pending',
      conditions: [
        pod.ready
          ? { type: 'Ready', status: 'True', lastTransitionTime: created }
          : notReady,
      ],
      containerStatuses: containers.map(container => ({
        name: container.name,
        image: container.image,
        imageID: pod.ready || crash ? imageId(container.image) : '',
        ready: pod.ready,
        started: pod.ready,
        restartCount: crash?.restarts ?? 0,
        state: containerState(
          pod.ready,
          created,
          crash && {
            reason: 'CrashLoopBackOff',
            message: `back-off ${crash.backOffSeconds}s restarting failed container=${container.name} pod=${pod.name}_${namespace}(${uid})`,
          },
        ),
        ...(crash
          ? {
              lastState: {
                terminated: {
                  exitCode: pod.crash!.exitCode,
                  reason: 'Error',
                  startedAt: kubeTime(crash.lastStartedAt),
                  finishedAt: kubeTime(crash.lastStartedAt),
                  containerID: `containerd://${containerId(
                    uid,
                    container.name,
                    crash.restarts,
                  )}`,
                },
              },
            }
          : {}),
      })),
      hostIP: NODE_IP,
      ...(pod.ready || crash ? { podIP: addressFor('10.244', pod.name) } : {}),
      startTime: created,
    },
  };
}

function containerState(
  ready: boolean,
  startedAt: string,
  crashWaiting?: { reason: string; message: string },
) {
  if (ready) {
    return { running: { startedAt } };
  }
  return { waiting: crashWaiting ?? { reason: 'ContainerCreating' } };
}

/**
 * The kubelet's CrashLoopBackOff: the container exits as soon as it starts and is
 * restarted after a back-off of 10 s, doubling up to 5 min. Undefined before the first
 * start.
 */
export function crashLoop(
  firstStartAt: number,
  now: number,
):
  | { restarts: number; lastStartedAt: number; backOffSeconds: number }
  | undefined {
  if (now < firstStartAt) {
    return undefined;
  }
  let restarts = 0;
  let lastStartedAt = firstStartAt;
  let backOffMs = 10_000;
  while (lastStartedAt + backOffMs <= now) {
    lastStartedAt += backOffMs;
    restarts += 1;
    backOffMs = Math.min(backOffMs * 2, 300_000);
  }
  return { restarts, lastStartedAt, backOffSeconds: backOffMs / 1000 };
}

function containerId(uid: string, container: string, restart: number): string {
  return createHash('sha256')
    .update(`${uid}/${container}/${restart}`)
    .digest('hex');
}

/**
 * Services of the Rollout: one for canary, the active and preview services for
 * blue-green, whose selectors the controller pins to a pod-template-hash.
 */
export function serviceObjects(
  rollout: Rollout,
  instance: string,
  chartLabels: Record<string, string> = {},
): Service[] {
  const { blueGreen } = rollout.spec.strategy;
  const labels = {
    ...chartLabels,
    // The label Argo CD tracks its resources by.
    'app.kubernetes.io/instance': instance,
  };
  if (!blueGreen) {
    const { canaryService, stableService } = rollout.spec.strategy.canary ?? {};
    // The controller pins the canary and stable Services to their ReplicaSets.
    const pinned = [
      { name: stableService, hash: rollout.status.stableRS },
      { name: canaryService, hash: rollout.status.currentPodHash },
    ].filter((entry): entry is { name: string; hash: string | undefined } =>
      Boolean(entry.name),
    );
    return [
      ...(pinned.some(entry => entry.name === rollout.metadata.name)
        ? []
        : [service(rollout, labels, rollout.metadata.name, undefined)]),
      ...pinned.map(entry => service(rollout, labels, entry.name, entry.hash)),
    ];
  }
  return [
    service(
      rollout,
      labels,
      blueGreen.activeService,
      rollout.status.blueGreen.activeSelector,
    ),
    service(
      rollout,
      labels,
      blueGreen.previewService,
      rollout.status.blueGreen.previewSelector,
    ),
  ];
}

function service(
  rollout: Rollout,
  labels: Record<string, string>,
  name: string,
  podTemplateHash: string | undefined,
): Service {
  const { namespace, creationTimestamp } = rollout.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      uid: stableUid('Service', namespace!, name),
      creationTimestamp,
      labels,
      ...(podTemplateHash
        ? {
            annotations: {
              'argo-rollouts.argoproj.io/managed-by-rollouts':
                rollout.metadata.name,
            },
          }
        : {}),
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: addressFor('10.96', `${namespace}/${name}`),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      selector: {
        ...rollout.spec.selector.matchLabels,
        ...(podTemplateHash
          ? { [POD_TEMPLATE_HASH_LABEL]: podTemplateHash }
          : {}),
      },
    },
    status: { loadBalancer: {} },
  };
}

function replicaSetUid(rollout: Rollout, replicaSet: ReplicaSetState): string {
  return stableUid('ReplicaSet', rollout.metadata.namespace!, replicaSet.name);
}

function controllerRef(
  apiVersion: string,
  kind: string,
  metadata: { name: string; uid: string },
): OwnerReference {
  return {
    apiVersion,
    kind,
    name: metadata.name,
    uid: metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A stable address in a /16 network, derived from a seed. */
function addressFor(prefix: string, seed: string): string {
  const digest = createHash('sha1').update(seed).digest();
  return `${prefix}.${digest[0]}.${(digest[1] % 254) + 1}`;
}

/** The sandbox has no registry: the digest is derived from the reference. */
function imageId(image: string): string {
  const repository = image.replace(/:[^/:]+$/, '');
  const digest = createHash('sha256').update(image).digest('hex');
  return `${repository}@sha256:${digest}`;
}
