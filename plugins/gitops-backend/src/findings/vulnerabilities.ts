import type {
  SeverityCounts,
  VulnerabilitySummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { Severity, VulnerabilityFinding } from './types';

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'unknown'];

/** Trivy's `CRITICAL`..`UNKNOWN` (any case); anything else is `unknown`. */
export function normalizeSeverity(value: string | undefined): Severity {
  const lower = (value ?? '').toLowerCase() as Severity;
  return SEVERITIES.includes(lower) ? lower : 'unknown';
}

/**
 * One finding per vulnerability, package version and image: the same image in two
 * containers, or in the canary and stable ReplicaSets, is one problem, not two.
 */
export function dedupeFindings(
  findings: VulnerabilityFinding[],
): VulnerabilityFinding[] {
  const seen = new Map<string, VulnerabilityFinding>();
  for (const finding of findings) {
    const key = [
      finding.id,
      finding.package,
      finding.installed,
      finding.image,
    ].join('\u0000');
    if (!seen.has(key)) seen.set(key, finding);
  }
  return [...seen.values()];
}

/**
 * Counts per severity, computed from the findings themselves: a report's own
 * `summary` can disagree with its list (Trivy Operator trims long lists), and a
 * gate must judge what the user is shown.
 */
export function summarizeVulnerabilities(
  findings: Pick<VulnerabilityFinding, 'severity' | 'fixed'>[],
): VulnerabilitySummary {
  const counts = emptyCounts();
  const fixable = emptyCounts();
  for (const finding of findings) {
    counts[finding.severity]++;
    if (finding.fixed) fixable[finding.severity]++;
  }
  return { counts, fixable };
}

function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
}
