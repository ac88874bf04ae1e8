import {
  reportedContainer,
  reportedImage,
  type TrivyOperatorReport,
} from './trivyOperatorReports';
import {
  workloadLabel,
  type VulnerabilitySighting,
  type Workload,
} from './types';
import { normalizeSeverity } from './vulnerabilities';

/** Trivy Operator `aquasecurity.github.io/v1alpha1` VulnerabilityReport (the fields read). */
export interface VulnerabilityReport extends TrivyOperatorReport {
  report?: TrivyOperatorReport['report'] & {
    vulnerabilities?: TrivyOperatorVulnerability[] | null;
  };
}

export interface TrivyOperatorVulnerability {
  vulnerabilityID: string;
  resource?: string;
  installedVersion?: string;
  /** Empty string when there is no fix. */
  fixedVersion?: string;
  severity?: string;
  title?: string;
  primaryLink?: string;
  links?: string[];
  /** CVSS score, when the operator knows one. */
  score?: number;
}

/**
 * What the reports saw, one entry per vulnerability and container, named after the
 * workload's own spelling of each image. Not yet distinct: see distinctVulnerabilities.
 */
export function sightingsFromReports(
  workload: Workload,
  reports: VulnerabilityReport[],
): VulnerabilitySighting[] {
  return reports.flatMap(report => {
    const image = reportedImage(report, workload.images);
    const container = reportedContainer(report);
    return (report.report?.vulnerabilities ?? []).map(v => ({
      id: v.vulnerabilityID,
      severity: normalizeSeverity(v.severity),
      package: v.resource ?? '',
      installed: v.installedVersion ?? '',
      fixed: v.fixedVersion || undefined,
      title: v.title || undefined,
      link: v.primaryLink || v.links?.[0] || undefined,
      score: typeof v.score === 'number' ? v.score : undefined,
      image,
      workload: workloadLabel(workload),
      container,
    }));
  });
}
