import type { RolloutAction } from '@gitops-suite/backstage-plugin-gitops-common';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import {
  KubernetesRequestError,
  type KubernetesClient,
  type ObjectRef,
} from '../kubernetes/KubernetesClient';
import type { KubernetesCluster } from '../kubernetes/KubernetesClusters';
import { ROLLOUTS } from '../kubernetes/resourceTypes';
import { kubectlPatches } from './kubectlPatches';

/**
 * Rollout controls through the Kubernetes API, for environments configured with
 * `rolloutControl: kubernetes` (no Argo CD resource actions): exactly the merge patches
 * the Argo Rollouts kubectl plugin sends, status subresource first.
 */
export class KubernetesRolloutControl {
  constructor(
    private readonly clusters: KubernetesCluster[],
    private readonly client: Pick<KubernetesClient, 'get' | 'mergePatch'>,
  ) {}

  /** The live Rollout and the cluster that holds it (the first that has it). */
  async find(namespace: string, name: string, clusterName?: string) {
    const ref: ObjectRef = { ...ROLLOUTS, namespace, name };
    const candidates = clusterName ? this.clusters.filter(c => c.name === clusterName) : this.clusters;
    for (const cluster of candidates) {
      try {
        return { cluster, ref, rollout: await this.client.get<IRollout & { metadata: { name: string } }>(cluster, ref) };
      } catch (error) {
        if (!(error instanceof KubernetesRequestError) || error.status !== 404) throw error;
      }
    }
    return undefined;
  }

  async run(cluster: KubernetesCluster, ref: ObjectRef, rollout: IRollout, action: RolloutAction, now = new Date()) {
    const patches = kubectlPatches(rollout, action, now);
    if (patches.status) {
      try {
        await this.client.mergePatch(cluster, { ...ref, subresource: 'status' }, { status: patches.status });
      } catch (error) {
        if (!(error instanceof KubernetesRequestError) || error.status !== 404) throw error;
        await this.client.mergePatch(cluster, ref, patches.unified);
        return;
      }
    }
    if (patches.spec) await this.client.mergePatch(cluster, ref, { spec: patches.spec });
  }
}
