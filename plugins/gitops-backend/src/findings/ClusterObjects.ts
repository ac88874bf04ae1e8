import type { LoggerService } from '@backstage/backend-plugin-api';
import pLimit from 'p-limit';
import {
  KubernetesClient,
  KubernetesRequestError,
} from '../kubernetes/KubernetesClient';
import type {
  KubernetesCluster,
  KubernetesClusterList,
} from '../kubernetes/KubernetesClusters';
import {
  DEPLOYMENTS,
  PODS,
  REPLICA_SETS,
  resourceTypeName,
  ROLLOUTS,
} from '../kubernetes/resourceTypes';
import type { KubeObject, ResourceType } from '../kubernetes/types';
import { resolveWorkloadCluster } from '../kubernetes/workloadCluster';
import type { SourceErrors } from './sourceErrors';
import { TtlCache } from './TtlCache';
import type { Workload } from './types';
import {
  resolveWorkloadResources,
  type WorkloadResources,
} from './workloadResources';

export interface ClusterObjectsOptions {
  /** The Kubernetes plugin's clusters, asked on each read (the list caches itself). */
  clusters: KubernetesClusterList;
  kubernetesClient: Pick<KubernetesClient, 'list'>;
  logger: LoggerService;
  /** How long listed objects are reused (default 30 s). */
  cacheTtlMs?: number;
  /** Upstream lists in flight at once, over all clusters (default 8). */
  concurrency?: number;
}

export type Lister = <T extends KubeObject = KubeObject>(
  type: ResourceType,
) => Promise<T[]>;

/** What can be read about one workload in the one cluster that runs it. */
export interface WorkloadScope {
  cluster: KubernetesCluster;
  /** Lists a type in the workload's namespace. */
  list: Lister;
  /** Lists a cluster-scoped type (Kyverno ClusterPolicies). */
  listClusterWide: Lister;
  /** The workload's live object, running ReplicaSets and (when asked) their Pods. */
  resources(options: { pods: boolean }): Promise<WorkloadResources>;
}

/** How long a cluster that gave no answer is not asked again (shorter than a cache TTL). */
const UNREACHABLE_FOR_MS = 10_000;

/**
 * The objects and reports of workloads, read from the cluster that runs each of them
 * through the Kubernetes plugin's proxy. Objects are listed per namespace and type
 * and cached, so page views for many services in one namespace cost one list per
 * TTL. A cluster that fails becomes an entry in the caller's errors, never a failed
 * answer.
 */
export class ClusterObjects {
  private readonly cache: TtlCache<KubeObject[]>;
  /** Per cluster: a cluster that hangs must not hold the slots another cluster's reads need. */
  private readonly limits = new Map<string, ReturnType<typeof pLimit>>();
  /** Clusters that just gave no answer at all (timeout, refused connection), and why. */
  private readonly unreachable = new Map<string, { error: Error; until: number }>();

  constructor(private readonly options: ClusterObjectsOptions) {
    this.cache = new TtlCache(options.cacheTtlMs ?? 30_000);
  }

  private limit<T>(cluster: string, fn: () => Promise<T>): Promise<T> {
    let limit = this.limits.get(cluster);
    if (!limit) {
      limit = pLimit(this.options.concurrency ?? 8);
      this.limits.set(cluster, limit);
    }
    return limit(fn);
  }

  /**
   * Whether any cluster is configured to read reports from. When the Kubernetes plugin
   * cannot say, findings stay on, so its error shows instead of findings vanishing.
   */
  async hasClusters(): Promise<boolean> {
    try {
      return (await this.options.clusters.list()).length > 0;
    } catch {
      return true;
    }
  }

  /**
   * The workload's scope in the cluster that runs it, as a list of none or one. With
   * `maxAgeMs`, cached lists older than that are read again.
   */
  async scopes(
    workload: Workload,
    errors: SourceErrors,
    maxAgeMs?: number,
  ): Promise<WorkloadScope[]> {
    return (await this.clustersFor(workload, errors)).map(cluster => {
      const list = this.lister(cluster, workload.namespace, errors, maxAgeMs);
      return {
        cluster,
        list,
        listClusterWide: this.lister(cluster, undefined, errors, maxAgeMs),
        resources: ({ pods }) => readResources(workload, list, pods),
      };
    });
  }

  /**
   * The cluster a workload runs in (resolveWorkloadCluster: never every cluster, which
   * could mix in another cluster's namespace of the same name), as a list of none or
   * one. None is an error, so the evidence is unknown. A cluster that cannot be read (a
   * client-side authProvider, the proxy refusing) is not skipped either: its lists fail
   * and it becomes a per-source error.
   */
  private async clustersFor(
    workload: Workload,
    errors: SourceErrors,
  ): Promise<KubernetesCluster[]> {
    let clusters: KubernetesCluster[];
    try {
      clusters = await this.options.clusters.list();
    } catch (error) {
      // Unknown clusters are unknown evidence: an error, so gates fail closed.
      errors.add('kubernetes', (error as Error).message);
      return [];
    }
    const { cluster, problem } = resolveWorkloadCluster(workload, clusters);
    if (problem) errors.add(`kubernetes:${workload.cluster ?? workload.namespace}`, problem);
    return cluster ? [cluster] : [];
  }

  /**
   * Lists one type in one namespace of a cluster, cached. A type the cluster does
   * not serve (404: Trivy Operator or Kyverno not installed) is empty; any other
   * failure is recorded against the cluster and the list taken as empty, so the
   * other sources still answer.
   */
  private lister(
    cluster: KubernetesCluster,
    namespace: string | undefined,
    errors: SourceErrors,
    maxAgeMs?: number,
  ): Lister {
    return async <T extends KubeObject>(type: ResourceType) => {
      const key = [cluster.name, namespace ?? '', resourceTypeName(type), type.version].join('|');
      try {
        return (await this.cache.get(
          key,
          () => this.limit(cluster.name, () => this.load(cluster, type, namespace)),
          maxAgeMs,
        )) as T[];
      } catch (error) {
        errors.add(`kubernetes:${cluster.name}`, (error as Error).message);
        return [];
      }
    };
  }

  private async load(cluster: KubernetesCluster, type: ResourceType, namespace?: string) {
    // A cluster that just timed out fails the reads queued behind it at once: a page
    // view lists a dozen types, and waiting out each one's timeout would multiply it.
    const down = this.unreachable.get(cluster.name);
    if (down && down.until > Date.now()) throw down.error;
    try {
      return await this.options.kubernetesClient.list(cluster, { ...type, namespace });
    } catch (error) {
      if (isUnanswered(error)) {
        this.unreachable.set(cluster.name, { error: error as Error, until: Date.now() + UNREACHABLE_FOR_MS });
      }
      if (error instanceof KubernetesRequestError && error.status === 404) {
        this.options.logger.debug(
          `Kubernetes cluster '${cluster.name}' serves no ${resourceTypeName(type)}`,
        );
        return [];
      }
      this.options.logger.warn(`Findings: ${(error as Error).message}`);
      throw error;
    }
  }
}

async function readResources(
  workload: Workload,
  list: Lister,
  pods: boolean,
): Promise<WorkloadResources> {
  const workloadType = {
    Rollout: ROLLOUTS,
    Deployment: DEPLOYMENTS,
    StatefulSet: undefined,
  }[workload.kind];
  const [workloadObjects, replicaSets, podObjects] = await Promise.all([
    workloadType ? list(workloadType) : [],
    workload.kind === 'StatefulSet' ? [] : list(REPLICA_SETS),
    pods ? list(PODS) : [],
  ]);
  return resolveWorkloadResources(workload, {
    workloadObject: workloadObjects.find(o => o.metadata.name === workload.name),
    replicaSets,
    pods: podObjects,
  });
}


/** No HTTP answer from the cluster or the proxy: a timeout or a connection that failed. */
function isUnanswered(error: unknown): boolean {
  return error instanceof KubernetesRequestError && error.status === undefined && error.proxyStatus === undefined;
}
