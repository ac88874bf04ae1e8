import type {
  SeverityCounts,
  VulnerabilitySummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type {
  FindingOccurrence,
  ImageVulnerability,
  Severity,
  VulnerabilityFinding,
  VulnerabilitySighting,
} from './types';

/** Most severe first. */
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'unknown'];

/** Trivy's `CRITICAL`..`UNKNOWN` (any case); anything else is `unknown`. */
export function normalizeSeverity(value: string | undefined): Severity {
  const lower = (value ?? '').toLowerCase() as Severity;
  return SEVERITIES.includes(lower) ? lower : 'unknown';
}

/**
 * What makes two reported vulnerabilities one: the same id in the same package at the
 * same installed version. Where it was seen (image, container, workload, ReplicaSet)
 * does not: "staging has 1 critical" means one thing to fix, however often it runs.
 */
export function vulnerabilityKey(
  v: Pick<ImageVulnerability, 'id' | 'package' | 'installed'>,
): string {
  return [v.id, v.package, v.installed].join('\u0000');
}

/**
 * One finding per distinct vulnerability, with every place it was seen. When reports
 * disagree (a CI scan and the operator, two scanner versions), the finding takes the
 * worst severity, the highest score and any known fix: a gate errs towards blocking.
 */
export function distinctVulnerabilities(
  sightings: VulnerabilitySighting[],
): VulnerabilityFinding[] {
  const byKey = new Map<string, VulnerabilityFinding>();
  for (const sighting of sightings) {
    const key = vulnerabilityKey(sighting);
    const found = byKey.get(key);
    if (found) merge(found, sighting);
    else byKey.set(key, { ...sighting, occurrences: [occurrenceOf(sighting)] });
  }
  return [...byKey.values()];
}

function merge(finding: VulnerabilityFinding, sighting: VulnerabilitySighting) {
  if (rank(sighting.severity) < rank(finding.severity)) finding.severity = sighting.severity;
  if (sighting.score !== undefined && (finding.score ?? -1) < sighting.score) {
    finding.score = sighting.score;
  }
  finding.fixed ??= sighting.fixed;
  finding.title ??= sighting.title;
  finding.link ??= sighting.link;
  const occurrence = occurrenceOf(sighting);
  if (!finding.occurrences.some(o => sameOccurrence(o, occurrence))) {
    finding.occurrences.push(occurrence);
  }
}

function occurrenceOf({ image, workload, container }: FindingOccurrence): FindingOccurrence {
  return container === undefined ? { image, workload } : { image, workload, container };
}

function sameOccurrence(a: FindingOccurrence, b: FindingOccurrence): boolean {
  return a.image === b.image && a.workload === b.workload && a.container === b.container;
}

function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * Counts per severity, computed from the findings themselves: a report's own
 * `summary` can disagree with its list (Trivy Operator trims long lists), and a
 * gate must judge what the user is shown.
 */
export function summarizeVulnerabilities(
  // `occurrences`: only distinct findings, never raw sightings, are counted.
  findings: Pick<VulnerabilityFinding, 'severity' | 'fixed' | 'occurrences'>[],
): VulnerabilitySummary {
  const counts = emptyCounts();
  const fixable = emptyCounts();
  for (const finding of findings) {
    counts[finding.severity]++;
    if (finding.fixed) fixable[finding.severity]++;
  }
  return { counts, fixable };
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
}
