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
 * disagree (a CI scan and the operator, two scanner versions), see foldInto.
 */
export function distinctVulnerabilities(
  sightings: VulnerabilitySighting[],
): VulnerabilityFinding[] {
  const byKey = new Map<string, VulnerabilityFinding>();
  for (const sighting of sightings) {
    const key = vulnerabilityKey(sighting);
    const found = byKey.get(key);
    if (!found) {
      byKey.set(key, { ...sighting, occurrences: [occurrenceOf(sighting)] });
      continue;
    }
    foldInto(found, sighting);
    const occurrence = occurrenceOf(sighting);
    if (!found.occurrences.some(o => sameOccurrence(o, occurrence))) {
      found.occurrences.push(occurrence);
    }
  }
  return [...byKey.values()];
}

/**
 * The distinct vulnerabilities of one scan: scanners report a package once per place
 * they find it (layers, lock files, matchers).
 */
export function distinctInScan(findings: ImageVulnerability[]): ImageVulnerability[] {
  const byKey = new Map<string, ImageVulnerability>();
  for (const finding of findings) {
    const key = vulnerabilityKey(finding);
    const found = byKey.get(key);
    if (found) foldInto(found, finding);
    else byKey.set(key, { ...finding });
  }
  return [...byKey.values()];
}

/**
 * Folds another report of the same vulnerability into `finding`: the worst severity,
 * the highest score and any known fix, so that a gate errs towards blocking.
 */
function foldInto(finding: ImageVulnerability, other: ImageVulnerability) {
  finding.severity = worse(finding.severity, other.severity);
  if (other.score !== undefined && (finding.score ?? -1) < other.score) {
    finding.score = other.score;
  }
  finding.fixed ??= other.fixed;
  finding.title ??= other.title;
  finding.link ??= other.link;
}

function occurrenceOf({ image, workload, container }: FindingOccurrence): FindingOccurrence {
  return container === undefined ? { image, workload } : { image, workload, container };
}

function sameOccurrence(a: FindingOccurrence, b: FindingOccurrence): boolean {
  return a.image === b.image && a.workload === b.workload && a.container === b.container;
}

function worse(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/**
 * Counts per severity of the distinct vulnerabilities (vulnerabilityKey) among the
 * given ones, whether merged findings, raw sightings or a CI scan's list: the rule is
 * the same everywhere counts appear. Computed from the findings themselves: a
 * report's own `summary` can disagree with its list (Trivy Operator trims long
 * lists), and a gate must judge what the user is shown.
 */
export function summarizeVulnerabilities(
  findings: Pick<ImageVulnerability, 'id' | 'package' | 'installed' | 'severity' | 'fixed'>[],
): VulnerabilitySummary {
  const distinct = new Map<string, { severity: Severity; fixable: boolean }>();
  for (const finding of findings) {
    const key = vulnerabilityKey(finding);
    const seen = distinct.get(key);
    distinct.set(key, {
      severity: seen ? worse(seen.severity, finding.severity) : finding.severity,
      fixable: Boolean(seen?.fixable || finding.fixed),
    });
  }
  const counts = emptyCounts();
  const fixable = emptyCounts();
  for (const { severity, fixable: hasFix } of distinct.values()) {
    counts[severity]++;
    if (hasFix) fixable[severity]++;
  }
  return { counts, fixable };
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
}
