import type {
  ConfigAuditFinding,
  ConfigAuditSummary,
  ExposedSecretFinding,
  ExposedSecretSummary,
  ImageSignature,
  PolicySummary,
  VulnerabilitySummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { ResourceType } from '../kubernetes/types';
import {
  CONFIG_AUDIT_REPORTS,
  EXPOSED_SECRET_REPORTS,
  KYVERNO_CLUSTER_POLICIES,
  KYVERNO_POLICIES,
  OPEN_REPORTS,
  POLICY_REPORTS,
  VULNERABILITY_REPORTS,
} from '../kubernetes/resourceTypes';
import { ClusterObjects, type ClusterObjectsOptions } from './ClusterObjects';
import {
  auditedObjects,
  summarizeConfigAudits,
  workloadConfigAudit,
  type ConfigAuditReport,
  type WorkloadConfigAudit,
} from './configAudits';
import {
  distinctSecrets,
  secretSightings,
  summarizeSecrets,
  type ExposedSecretReport,
  type SecretSighting,
} from './exposedSecrets';
import {
  countImageSignatures,
  imageSignatures,
  mergeImageSignatures,
  type ImageSignatureCounts,
} from './imageSignatures';
import {
  policyResults,
  summarizePolicies,
  type KyvernoPolicy,
  type PolicyReport,
} from './kyverno';
import type { ScanStore } from './ScanStore';
import { SourceErrors } from './sourceErrors';
import { sightingsFromReports, type VulnerabilityReport } from './trivy';
import {
  reportedObject,
  reportsCoverImage,
  reportsForWorkload,
  type TrivyOperatorReport,
} from './trivyOperatorReports';
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
import { resourceRefs, type WorkloadResources } from './workloadResources';

export interface FindingsServiceOptions extends ClusterObjectsOptions {
  scanStore: Pick<ScanStore, 'latestScanFor'>;
}

/** How old cached lists may be when a workload's image looks unscanned in them. */
const RECHECK_AFTER_MS = 1_000;

/** Reports of one type about a workload, and the objects they should be about. */
interface OperatorReports<R> {
  reports: R[];
  resources: WorkloadResources[];
}

/**
 * Trivy Operator's vulnerabilities, exposed secrets and configuration audits, and
 * Kyverno policy results, of workloads, read from the clusters that run them (see
 * ClusterObjects). A source that fails, and a report that should exist but does not,
 * becomes an entry in `errors` (unknown, so gates fail closed), never a failed answer.
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

  /** Secrets in the workloads' images, each once per image (see distinctSecrets). */
  async exposedSecrets(
    workloads: Workload[],
  ): Promise<FindingsResult<ExposedSecretFinding, ExposedSecretSummary>> {
    const errors = new SourceErrors();
    const found = await Promise.all(workloads.map(w => this.workloadSecrets(w, errors)));
    const items = distinctSecrets(found.flat());
    return { items, summary: summarizeSecrets(items), errors: errors.list() };
  }

  /**
   * Whether each image of the workloads is verified by Kyverno's verifyImages rules
   * (see imageSignatures), each image once. An image of a workload whose cluster could
   * not be read in full is unknown, never verified; a read failure is also an error.
   */
  async imageSignatures(
    workloads: Workload[],
  ): Promise<FindingsResult<ImageSignature, ImageSignatureCounts>> {
    const errors = new SourceErrors();
    const found = await Promise.all(workloads.map(w => this.workloadImageSignatures(w, errors)));
    const items = mergeImageSignatures(found.flat());
    return { items, summary: countImageSignatures(items), errors: errors.list() };
  }

  /** Failing configuration checks of the workloads, each once per workload. */
  async configAudits(
    workloads: Workload[],
  ): Promise<FindingsResult<ConfigAuditFinding, ConfigAuditSummary>> {
    const errors = new SourceErrors();
    const audits = await Promise.all(workloads.map(w => this.workloadConfigAudit(w, errors)));
    return {
      items: audits.flatMap(a => a.failed),
      summary: summarizeConfigAudits(audits),
      errors: errors.list(),
    };
  }

  private async workloadVulnerabilities(
    workload: Workload,
    errors: SourceErrors,
  ): Promise<VulnerabilitySighting[]> {
    const readErrors = new SourceErrors();
    let reports = await this.vulnerabilityReports(workload, readErrors);
    if (readErrors.isEmpty() && workload.images.some(image => !reportsCoverImage(reports, image))) {
      // A ReplicaSet that started since the lists were cached (a rollout that just
      // finished) has its report by now: read again before calling it unscanned. Not
      // from a cluster that just failed: that would only wait for it a second time.
      reports = await this.vulnerabilityReports(workload, readErrors, RECHECK_AFTER_MS);
    }
    errors.addAll(readErrors);
    // Images no operator has scanned (not deployed long, or no operator in that
    // cluster) fall back to the scan CI uploaded for them.
    const unscanned = workload.images.filter(image => !reportsCoverImage(reports, image));
    const fromScans = await Promise.all(
      unscanned.map(image => this.ciScanSightings(workload, image, errors)),
    );
    return [...sightingsFromReports(workload, reports), ...fromScans.flat()];
  }

  private async vulnerabilityReports(workload: Workload, errors: SourceErrors, maxAgeMs?: number) {
    const read = await this.operatorReports<VulnerabilityReport>(VULNERABILITY_REPORTS, workload, errors, maxAgeMs);
    return read.reports;
  }

  private async workloadSecrets(workload: Workload, errors: SourceErrors): Promise<SecretSighting[]> {
    const uncovered = (reports: ExposedSecretReport[]) =>
      workload.images.filter(image => !reportsCoverImage(reports, image));
    const readErrors = new SourceErrors();
    let { reports } = await this.operatorReports<ExposedSecretReport>(EXPOSED_SECRET_REPORTS, workload, readErrors);
    if (uncovered(reports).length && readErrors.isEmpty()) {
      // As for vulnerabilities: a ReplicaSet that just started may have its report now.
      ({ reports } = await this.operatorReports(EXPOSED_SECRET_REPORTS, workload, readErrors, RECHECK_AFTER_MS));
    }
    errors.addAll(readErrors);
    // A cluster that could not be read is already the reason (and unknown): only a
    // cluster read in full can say a report is missing.
    if (!readErrors.isEmpty()) return secretSightings(workload, reports);
    // The operator writes a report per container, secrets or none: no report is unknown.
    for (const image of uncovered(reports)) {
      errors.add(
        `exposed-secrets:${image}`,
        `No ExposedSecretReport for ${image}: not scanned yet, or Trivy Operator's secret scanner is off`,
      );
    }
    return secretSightings(workload, reports);
  }

  private async workloadConfigAudit(workload: Workload, errors: SourceErrors): Promise<WorkloadConfigAudit> {
    const missing = (read: OperatorReports<ConfigAuditReport>) => {
      const reported = new Set(read.reports.map(reportedObject));
      return read.resources.flatMap(auditedObjects).filter(object => !reported.has(object));
    };
    let read = await this.operatorReports<ConfigAuditReport>(CONFIG_AUDIT_REPORTS, workload, errors);
    if (missing(read).length) {
      read = await this.operatorReports(CONFIG_AUDIT_REPORTS, workload, errors, RECHECK_AFTER_MS);
    }
    for (const object of missing(read)) {
      errors.add(
        `config-audit:${workload.namespace}/${object}`,
        `No ConfigAuditReport for ${object} in ${workload.namespace}: not audited yet, or Trivy Operator's config audit scanner is off`,
      );
    }
    return workloadConfigAudit(workload, read.reports);
  }

  /** The Trivy Operator reports of one type about the workload's running objects. */
  private async operatorReports<R extends TrivyOperatorReport>(
    type: ResourceType,
    workload: Workload,
    errors: SourceErrors,
    maxAgeMs?: number,
  ): Promise<OperatorReports<R>> {
    const scopes = await this.objects.scopes(workload, errors, maxAgeMs);
    const perCluster = await Promise.all(
      scopes.map(async scope => {
        const [resources, reports] = await Promise.all([
          scope.resources({ pods: false }),
          scope.list<R>(type),
        ]);
        return { resources, reports: reportsForWorkload(resources, workload.images, reports) };
      }),
    );
    return {
      reports: perCluster.flatMap(c => c.reports),
      resources: perCluster.map(c => c.resources),
    };
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

  private async workloadImageSignatures(workload: Workload, errors: SourceErrors): Promise<ImageSignature[]> {
    const read = async (maxAgeMs?: number) => {
      const readErrors = new SourceErrors();
      const scopes = await this.objects.scopes(workload, readErrors, maxAgeMs);
      const perCluster = await Promise.all(
        scopes.map(async scope => {
          const [resources, wgReports, openReports, policies, clusterPolicies] = await Promise.all([
            scope.resources({ pods: true }),
            scope.list<PolicyReport>(POLICY_REPORTS),
            scope.list<PolicyReport>(OPEN_REPORTS),
            scope.list<KyvernoPolicy>(KYVERNO_POLICIES),
            scope.listClusterWide<KyvernoPolicy>(KYVERNO_CLUSTER_POLICIES),
          ]);
          return imageSignatures({
            workload,
            resources,
            reports: [...wgReports, ...openReports],
            policies: [...clusterPolicies, ...policies],
          });
        }),
      );
      return { items: perCluster.flat(), readErrors };
    };
    let { items, readErrors } = await read();
    if (readErrors.isEmpty() && items.some(item => item.status === 'unknown')) {
      // A ReplicaSet that just started may have its results (or its pods their
      // admission annotation) by now: read again before calling it unverified.
      ({ items, readErrors } = await read(RECHECK_AFTER_MS));
    }
    errors.addAll(readErrors);
    if (readErrors.isEmpty()) return items;
    // Partly read is not verified: what passed may have failed in what was not read.
    const reason = readErrors.list().map(e => e.message).join('; ');
    return workload.images.map(image => {
      const found = items.find(item => item.image === image);
      return found?.status === 'failed'
        ? found
        : { image, status: 'unknown' as const, message: `could not read the cluster: ${reason}` };
    });
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
