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
): Pod {
  const { namespace } = rollout.metadata;
  const owner = {
    name: replicaSet.name,
    uid: replicaSetUid(rollout, replicaSet),
  };
  const created = kubeTime(pod.createdAt);
  const containers = replicaSet.template.spec.containers;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace,
      uid: stableUid('Pod', namespace!, pod.name),
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
      phase: pod.ready ? 'Running' : 'Pending',
      conditions: [
        pod.ready
          ? { type: 'Ready', status: 'True', lastTransitionTime: created }
          : {
              type: 'Ready',
              status: 'False',
              reason: 'ContainersNotReady',
              lastTransitionTime: created,
            },
      ],
      containerStatuses: containers.map(container => ({
        name: container.name,
        image: container.image,
        imageID: pod.ready ? imageId(container.image) : '',
        ready: pod.ready,
        started: pod.ready,
        restartCount: 0,
        state: pod.ready
          ? { running: { startedAt: created } }
          : { waiting: { reason: 'ContainerCreating' } },
      })),
      hostIP: NODE_IP,
      ...(pod.ready ? { podIP: addressFor('10.244', pod.name) } : {}),
      startTime: created,
    },
  };
}

/**
 * Services of the Rollout: one for canary, the active and preview services for
 * blue-green, whose selectors the controller pins to a pod-template-hash.
 */
export function serviceObjects(rollout: Rollout, instance: string): Service[] {
  const { blueGreen } = rollout.spec.strategy;
  if (!blueGreen) {
    return [service(rollout, instance, rollout.metadata.name, undefined)];
  }
  return [
    service(
      rollout,
      instance,
      blueGreen.activeService,
      rollout.status.blueGreen.activeSelector,
    ),
    service(
      rollout,
      instance,
      blueGreen.previewService,
      rollout.status.blueGreen.previewSelector,
    ),
  ];
}

function service(
  rollout: Rollout,
  instance: string,
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
      // The label Argo CD tracks its resources by.
      labels: { 'app.kubernetes.io/instance': instance },
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
