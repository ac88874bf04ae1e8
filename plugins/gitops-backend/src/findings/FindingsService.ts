import type {
  PolicySummary,
  VulnerabilitySummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import {
  KYVERNO_CLUSTER_POLICIES,
  KYVERNO_POLICIES,
  OPEN_REPORTS,
  POLICY_REPORTS,
  VULNERABILITY_REPORTS,
} from '../kubernetes/resourceTypes';
import { ClusterObjects, type ClusterObjectsOptions } from './ClusterObjects';
import {
  policyResults,
  summarizePolicies,
  type KyvernoPolicy,
  type PolicyReport,
} from './kyverno';
import type { ScanStore } from './ScanStore';
import { SourceErrors } from './sourceErrors';
import {
  reportsCoverImage,
  reportsForWorkload,
  sightingsFromReports,
  type VulnerabilityReport,
} from './trivy';
import {
  workloadLabel,
  type FindingsResult,
  type PolicyResult,
  type VulnerabilityFinding,
  type VulnerabilitySighting,
  type Workload,
} from './types';
import {
  distinctVulnerabilities,
  summarizeVulnerabilities,
} from './vulnerabilities';
import { resourceRefs } from './workloadResources';

export interface FindingsServiceOptions extends ClusterObjectsOptions {
  scanStore: ScanStore;
}

/** How old cached lists may be when a workload's image looks unscanned in them. */
const RECHECK_AFTER_MS = 1_000;

/**
 * Trivy vulnerabilities and Kyverno policy results of workloads, read from the
 * clusters that run them (see ClusterObjects). A source that fails becomes an entry
 * in `errors`, never a failed answer.
 */
export class FindingsService {
  private readonly objects: ClusterObjects;

  constructor(private readonly options: FindingsServiceOptions) {
    this.objects = new ClusterObjects(options);
  }

  /** Whether any cluster is configured to read reports from (see ClusterObjects). */
  hasClusters(): Promise<boolean> {
    return this.objects.hasClusters();
  }

  /**
   * The distinct vulnerabilities of the workloads together (see vulnerabilityKey),
   * each with every place it was seen, and their counts.
   */
  async vulnerabilities(
    workloads: Workload[],
  ): Promise<FindingsResult<VulnerabilityFinding, VulnerabilitySummary>> {
    const errors = new SourceErrors();
    const found = await Promise.all(
      workloads.map(w => this.workloadVulnerabilities(w, errors)),
    );
    const items = distinctVulnerabilities(found.flat());
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
  ): Promise<VulnerabilitySighting[]> {
    let reports = await this.vulnerabilityReports(workload, errors);
    if (workload.images.some(image => !reportsCoverImage(reports, image))) {
      // A ReplicaSet that started since the lists were cached (a rollout that just
      // finished) has its report by now: read again before calling it unscanned.
      reports = await this.vulnerabilityReports(workload, errors, RECHECK_AFTER_MS);
    }
    // Images no operator has scanned (not deployed long, or no operator in that
    // cluster) fall back to the scan CI uploaded for them.
    const unscanned = workload.images.filter(image => !reportsCoverImage(reports, image));
    const fromScans = await Promise.all(
      unscanned.map(image => this.ciScanSightings(workload, image, errors)),
    );
    return [...sightingsFromReports(workload, reports), ...fromScans.flat()];
  }

  private async vulnerabilityReports(workload: Workload, errors: SourceErrors, maxAgeMs?: number) {
    const scopes = await this.objects.scopes(workload, errors, maxAgeMs);
    const perCluster = await Promise.all(
      scopes.map(async scope => {
        const [resources, reports] = await Promise.all([
          scope.resources({ pods: false }),
          scope.list<VulnerabilityReport>(VULNERABILITY_REPORTS),
        ]);
        return reportsForWorkload(resources, workload.images, reports);
      }),
    );
    return perCluster.flat();
  }

  private async ciScanSightings(
    workload: Workload,
    image: string,
    errors: SourceErrors,
  ): Promise<VulnerabilitySighting[]> {
    try {
      const scan = await this.options.scanStore.latestScanFor(image);
      if (!scan) {
        // Unscanned is not clean: say so, so gates fail closed on it.
        errors.add(`scans:${image}`, `No vulnerability report or CI scan for ${image}`);
        return [];
      }
      return scan.findings.map(finding => ({ ...finding, image, workload: workloadLabel(workload) }));
    } catch (error) {
      errors.add('scans', `Could not read CI scans of ${image}: ${(error as Error).message}`);
      return [];
    }
  }

  private async workloadPolicies(
    workload: Workload,
    errors: SourceErrors,
  ): Promise<PolicyResult[]> {
    const scopes = await this.objects.scopes(workload, errors);
    const perCluster = await Promise.all(
      scopes.map(async scope => {
        const [resources, wgReports, openReports, policies, clusterPolicies] =
          await Promise.all([
            scope.resources({ pods: true }),
            scope.list<PolicyReport>(POLICY_REPORTS),
            scope.list<PolicyReport>(OPEN_REPORTS),
            scope.list<KyvernoPolicy>(KYVERNO_POLICIES),
            scope.listClusterWide<KyvernoPolicy>(KYVERNO_CLUSTER_POLICIES),
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
}

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
