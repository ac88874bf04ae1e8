import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  PolicySummary,
  SourceError,
  VulnerabilitySummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
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
  KYVERNO_CLUSTER_POLICIES,
  KYVERNO_POLICIES,
  OPEN_REPORTS,
  PODS,
  POLICY_REPORTS,
  REPLICA_SETS,
  resourceTypeName,
  ROLLOUTS,
  VULNERABILITY_REPORTS,
} from '../kubernetes/resourceTypes';
import type { KubeObject, ResourceType } from '../kubernetes/types';
import {
  policyResults,
  summarizePolicies,
  type KyvernoPolicy,
  type PolicyReport,
} from './kyverno';
import type { ScanStore } from './ScanStore';
import {
  findingsFromReports,
  reportsCoverImage,
  reportsForWorkload,
  type VulnerabilityReport,
} from './trivy';
import { TtlCache } from './TtlCache';
import {
  workloadLabel,
  type FindingsResult,
  type PolicyResult,
  type VulnerabilityFinding,
  type Workload,
} from './types';
import { dedupeFindings, summarizeVulnerabilities } from './vulnerabilities';
import { resolveWorkloadCluster } from '../kubernetes/workloadCluster';
import {
  resolveWorkloadResources,
  resourceRefs,
  type WorkloadResources,
} from './workloadResources';

export interface FindingsServiceOptions {
  /** The Kubernetes plugin's clusters, asked on each read (the list caches itself). */
  clusters: KubernetesClusterList;
  kubernetesClient: Pick<KubernetesClient, 'list'>;
  scanStore: ScanStore;
  logger: LoggerService;
  /** How long listed objects are reused (default 30 s). */
  cacheTtlMs?: number;
  /** Upstream lists in flight at once, over all clusters (default 8). */
  concurrency?: number;
}

/** One error per source: a forbidden cluster fails every list, but is one problem. */
/** How old cached lists may be when a workload's image looks unscanned in them. */
const RECHECK_AFTER_MS = 1_000;

class SourceErrors {
  private readonly bySource = new Map<string, string>();

  add(source: string, message: string) {
    if (!this.bySource.has(source)) this.bySource.set(source, message);
  }

  list(): SourceError[] {
    return [...this.bySource].map(([source, message]) => ({ source, message }));
  }
}

/**
 * Trivy vulnerabilities and Kyverno policy results of workloads, read from the
 * clusters that run them. Objects are listed per namespace and type and cached, so
 * page views for many services in one namespace cost one list per TTL. A cluster
 * that fails becomes an entry in `errors`, never a failed answer.
 */
export class FindingsService {
  private readonly cache: TtlCache<KubeObject[]>;
  private readonly limit: ReturnType<typeof pLimit>;

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

  constructor(private readonly options: FindingsServiceOptions) {
    this.cache = new TtlCache(options.cacheTtlMs ?? 30_000);
    this.limit = pLimit(options.concurrency ?? 8);
  }

  async vulnerabilities(
    workloads: Workload[],
  ): Promise<FindingsResult<VulnerabilityFinding, VulnerabilitySummary>> {
    const errors = new SourceErrors();
    const found = await Promise.all(
      workloads.map(w => this.workloadVulnerabilities(w, errors)),
    );
    const items = dedupeFindings(found.flat());
    return {
      items,
      summary: summarizeVulnerabilities(items),
      errors: errors.list(),
    };
  }

  async policies(
    workloads: Workload[],
  ): Promise<FindingsResult<PolicyResult, PolicySummary>> {
    const errors = new SourceErrors();
    const found = await Promise.all(
      workloads.map(w => this.workloadPolicies(w, errors)),
    );
    const items = dedupeResults(found.flat());
    return { items, summary: summarizePolicies(items), errors: errors.list() };
  }

  private async workloadVulnerabilities(
    workload: Workload,
    errors: SourceErrors,
  ): Promise<VulnerabilityFinding[]> {
    let reports = await this.vulnerabilityReports(workload, errors);
    if (workload.images.some(image => !reportsCoverImage(reports, image))) {
      // A ReplicaSet that started since the lists were cached (a rollout that just
      // finished) has its report by now: read again before calling it unscanned.
      reports = await this.vulnerabilityReports(workload, errors, RECHECK_AFTER_MS);
    }
    const findings = findingsFromReports(workload, reports);
    // Images no operator has scanned (not deployed long, or no operator in that
    // cluster) fall back to the scan CI uploaded for them.
    const unscanned = workload.images.filter(
      image => !reportsCoverImage(reports, image),
    );
    for (const image of unscanned) {
      try {
        const scan = await this.options.scanStore.latestScanFor(image);
        if (!scan) {
          // Unscanned is not clean: say so, so gates fail closed on it.
          errors.add(`scans:${image}`, `No vulnerability report or CI scan for ${image}`);
          continue;
        }
        for (const finding of scan.findings) {
          findings.push({
            ...finding,
            image,
            workload: workloadLabel(workload),
          });
        }
      } catch (error) {
        errors.add(
          'scans',
          `Could not read CI scans of ${image}: ${(error as Error).message}`,
        );
      }
    }
    return findings;
  }

  private async vulnerabilityReports(workload: Workload, errors: SourceErrors, maxAgeMs?: number) {
    const perCluster = await Promise.all(
      (await this.clustersFor(workload, errors)).map(async cluster => {
        const list = this.lister(cluster, workload.namespace, errors, maxAgeMs);
        const [resources, reports] = await Promise.all([
          this.resources(workload, list, { pods: false }),
          list<VulnerabilityReport>(VULNERABILITY_REPORTS),
        ]);
        return reportsForWorkload(resources, workload.images, reports);
      }),
    );
    return perCluster.flat();
  }

  private async workloadPolicies(
    workload: Workload,
    errors: SourceErrors,
  ): Promise<PolicyResult[]> {
    const perCluster = await Promise.all(
      (await this.clustersFor(workload, errors)).map(async cluster => {
        const list = this.lister(cluster, workload.namespace, errors);
        const [resources, wgReports, openReports, policies, clusterPolicies] =
          await Promise.all([
            this.resources(workload, list, { pods: true }),
            list<PolicyReport>(POLICY_REPORTS),
            list<PolicyReport>(OPEN_REPORTS),
            list<KyvernoPolicy>(KYVERNO_POLICIES),
            this.lister(
              cluster,
              undefined,
              errors,
            )<KyvernoPolicy>(KYVERNO_CLUSTER_POLICIES),
          ]);
        return policyResults(
          [...wgReports, ...openReports],
          resourceRefs(resources),
          [...clusterPolicies, ...policies],
        );
      }),
    );
    return perCluster.flat();
  }

  /** The workload's live object, running ReplicaSets and (when asked) their Pods. */
  private async resources(
    workload: Workload,
    list: Lister,
    { pods }: { pods: boolean },
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
      workloadObject: workloadObjects.find(
        o => o.metadata.name === workload.name,
      ),
      replicaSets,
      pods: podObjects,
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
      const key = [
        cluster.name,
        namespace ?? '',
        resourceTypeName(type),
        type.version,
      ].join('|');
      try {
        return (await this.cache.get(
          key,
          () => this.limit(() => this.load(cluster, type, namespace)),
          maxAgeMs,
        )) as T[];
      } catch (error) {
        errors.add(`kubernetes:${cluster.name}`, (error as Error).message);
        return [];
      }
    };
  }

  private async load(
    cluster: KubernetesCluster,
    type: ResourceType,
    namespace?: string,
  ) {
    try {
      return await this.options.kubernetesClient.list(cluster, {
        ...type,
        namespace,
      });
    } catch (error) {
      if (error instanceof KubernetesRequestError && error.status === 404) {
        this.options.logger.debug(
          `Kubernetes cluster '${cluster.name}' serves no ${resourceTypeName(
            type,
          )}`,
        );
        return [];
      }
      this.options.logger.warn(`Findings: ${(error as Error).message}`);
      throw error;
    }
  }
}

type Lister = <T extends KubeObject = KubeObject>(
  type: ResourceType,
) => Promise<T[]>;

/** The same result can come from a wg-policy and an OpenReports report during a migration. */
function dedupeResults(results: PolicyResult[]): PolicyResult[] {
  const seen = new Map<string, PolicyResult>();
  for (const r of results) {
    const key = [
      r.policy,
      r.rule,
      r.result,
      r.resource.kind,
      r.resource.namespace,
      r.resource.name,
    ].join('\u0000');
    if (!seen.has(key)) seen.set(key, r);
  }
  return [...seen.values()];
}
