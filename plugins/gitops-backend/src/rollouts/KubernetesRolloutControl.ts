import { NotFoundError } from '@backstage/errors';
import type { RolloutAction } from '@gitops-suite/backstage-plugin-gitops-common';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import {
  KubernetesRequestError,
  type KubernetesClient,
  type ObjectRef,
} from '../kubernetes/KubernetesClient';
import type {
  KubernetesCluster,
  KubernetesClusterList,
} from '../kubernetes/KubernetesClusters';
import { ROLLOUTS } from '../kubernetes/resourceTypes';
import { kubectlPatches } from './kubectlPatches';

/**
 * Rollout controls through the Kubernetes API, for environments configured with
 * `rolloutControl: kubernetes` (no Argo CD resource actions): exactly the merge patches
 * the Argo Rollouts kubectl plugin sends, status subresource first.
 */
export class KubernetesRolloutControl {
  constructor(
    private readonly clusters: KubernetesClusterList,
    private readonly client: Pick<KubernetesClient, 'get' | 'mergePatch'>,
  ) {}

  /**
   * The live Rollout and the cluster that holds it (the first of the Kubernetes plugin's
   * clusters that has it, or the one named). A cluster that cannot be asked (a client-side
   * authProvider, the proxy refusing) does not hide the Rollout elsewhere; when no cluster
   * has it, the first such failure is the answer, not "not found".
   */
  async find(namespace: string, name: string, clusterName?: string) {
    const ref: ObjectRef = { ...ROLLOUTS, namespace, name };
    const clusters = await this.clusters.list();
    const candidates = clusterName ? clusters.filter(c => c.name === clusterName) : clusters;
    if (clusterName && !candidates.length) {
      throw new NotFoundError(
        `Kubernetes cluster '${clusterName}' is not one of the Kubernetes plugin's clusters (kubernetes.clusterLocatorMethods)`,
      );
    }
    let failure: unknown;
    for (const cluster of candidates) {
      try {
        return { cluster, ref, rollout: await this.client.get<IRollout & { metadata: { name: string } }>(cluster, ref) };
      } catch (error) {
        if (!(error instanceof KubernetesRequestError) || error.status !== 404) failure ??= error;
      }
    }
    if (failure) throw failure;
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
