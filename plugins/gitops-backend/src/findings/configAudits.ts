import type {
  ConfigAuditFinding,
  ConfigAuditSummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import {
  reportedObject,
  type TrivyOperatorReport,
} from './trivyOperatorReports';
import { workloadLabel, type Workload } from './types';
import { emptyCounts, normalizeSeverity } from './vulnerabilities';
import type { WorkloadResources } from './workloadResources';

/** Trivy Operator ConfigAuditReport: one per scanned object, no image (the fields read). */
export interface ConfigAuditReport extends TrivyOperatorReport {
  report?: TrivyOperatorReport['report'] & {
    checks?: TrivyOperatorCheck[] | null;
  };
}

export interface TrivyOperatorCheck {
  checkID: string;
  severity?: string;
  success?: boolean;
  title?: string;
  description?: string;
  category?: string;
  remediation?: string;
  messages?: string[] | null;
}

/** Failing and passing checks of one workload, each check once. */
export interface WorkloadConfigAudit {
  failed: ConfigAuditFinding[];
  /** `checkID`s that pass on every object reporting them. */
  passed: string[];
}

/**
 * The objects of a workload that Trivy Operator audits: its running ReplicaSets, or a
 * StatefulSet itself. Each should have a report; one that has none is unknown.
 */
export function auditedObjects(resources: WorkloadResources): string[] {
  return resources.workload.kind === 'StatefulSet'
    ? [`StatefulSet/${resources.workload.name}`]
    : resources.replicaSets.map(rs => `ReplicaSet/${rs.metadata.name}`);
}

/**
 * The checks of a workload over the reports of its running objects. The stable and
 * canary ReplicaSets of a Rollout usually fail the same checks (the messages name each
 * ReplicaSet): one finding per check, with each object and message. A check failing
 * on any object fails for the workload.
 */
export function workloadConfigAudit(
  workload: Workload,
  reports: ConfigAuditReport[],
): WorkloadConfigAudit {
  const failed = new Map<string, ConfigAuditFinding>();
  const passed = new Set<string>();
  for (const report of reports) {
    const resource =
      reportedObject(report) ??
      `${report.kind ?? 'ConfigAuditReport'}/${report.metadata.name}`;
    for (const check of report.report?.checks ?? []) {
      if (check.success !== false) {
        passed.add(check.checkID);
        continue;
      }
      const found = failed.get(check.checkID) ?? newFinding(workload, check);
      failed.set(check.checkID, found);
      if (!found.resources.includes(resource)) found.resources.push(resource);
      for (const message of check.messages ?? []) {
        if (!found.messages.includes(message)) found.messages.push(message);
      }
    }
  }
  return {
    failed: [...failed.values()],
    passed: [...passed].filter(id => !failed.has(id)),
  };
}

function newFinding(
  workload: Workload,
  check: TrivyOperatorCheck,
): ConfigAuditFinding {
  return {
    checkId: check.checkID,
    severity: normalizeSeverity(check.severity),
    title: check.title || undefined,
    description: check.description || undefined,
    category: check.category || undefined,
    remediation: check.remediation || undefined,
    messages: [],
    workload: workloadLabel(workload),
    resources: [],
  };
}

export function summarizeConfigAudits(
  audits: WorkloadConfigAudit[],
): ConfigAuditSummary {
  const failed = emptyCounts();
  for (const finding of audits.flatMap(a => a.failed))
    failed[finding.severity]++;
  return {
    failed,
    passed: audits.reduce((sum, a) => sum + a.passed.length, 0),
  };
}
