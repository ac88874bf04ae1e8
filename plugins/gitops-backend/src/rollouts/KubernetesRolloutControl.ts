import { ConflictError } from '@backstage/errors';
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
import { resolveWorkloadCluster, type ClusterHint } from '../kubernetes/workloadCluster';
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
   * The live Rollout and the cluster that holds it: the application's cluster
   * (resolveWorkloadCluster), never the first cluster that happens to have a Rollout of
   * that namespace and name, which may be another environment's. Undefined when that
   * cluster has no such Rollout; its other failures are thrown.
   */
  async find(namespace: string, name: string, hint: ClusterHint) {
    const ref: ObjectRef = { ...ROLLOUTS, namespace, name };
    const { cluster, problem } = resolveWorkloadCluster(hint, await this.clusters.list());
    if (!cluster) throw new ConflictError(problem);
    try {
      return { cluster, ref, rollout: await this.client.get<IRollout & { metadata: { name: string } }>(cluster, ref) };
    } catch (error) {
      if (error instanceof KubernetesRequestError && error.status === 404) return undefined;
      throw error;
    }
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
