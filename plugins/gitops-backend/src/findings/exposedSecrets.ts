import {
  canonicalImage,
  formatImage,
  type ExposedSecretFinding,
  type ExposedSecretSummary,
  type FindingOccurrence,
} from '@gitops-suite/backstage-plugin-gitops-common';
import {
  reportedContainer,
  reportedImage,
  type TrivyOperatorReport,
} from './trivyOperatorReports';
import { workloadLabel, type Workload } from './types';
import { emptyCounts, normalizeSeverity } from './vulnerabilities';

/** Trivy Operator ExposedSecretReport: one per container of a scanned object (the fields read). */
export interface ExposedSecretReport extends TrivyOperatorReport {
  report?: TrivyOperatorReport['report'] & {
    secrets?: TrivyOperatorSecret[] | null;
  };
}

export interface TrivyOperatorSecret {
  ruleID?: string;
  category?: string;
  severity?: string;
  title?: string;
  target?: string;
  match?: string;
}

/** A secret as one report saw it, in one container. */
export type SecretSighting = Omit<ExposedSecretFinding, 'occurrences'> &
  FindingOccurrence;

export function secretSightings(
  workload: Workload,
  reports: ExposedSecretReport[],
): SecretSighting[] {
  return reports.flatMap(report => {
    const image = reportedImage(report, workload.images);
    const container = reportedContainer(report);
    return (report.report?.secrets ?? []).map(secret => ({
      ruleId: secret.ruleID || 'unknown',
      severity: normalizeSeverity(secret.severity),
      title: secret.title || undefined,
      category: secret.category || undefined,
      target: secret.target ?? '',
      match: secret.match || undefined,
      image,
      workload: workloadLabel(workload),
      container,
    }));
  });
}

/**
 * One finding per secret in an image (rule, file and match), with every workload and
 * container that runs the image: the stable and canary ReplicaSets of one image, or
 * two containers of it, expose it once. Another image is another exposure, to be
 * rebuilt on its own.
 */
export function distinctSecrets(
  sightings: SecretSighting[],
): ExposedSecretFinding[] {
  const byKey = new Map<string, ExposedSecretFinding>();
  for (const { workload, container, ...secret } of sightings) {
    const key = [
      formatImage(canonicalImage(secret.image)),
      secret.ruleId,
      secret.target,
      secret.match,
    ].join('\u0000');
    const occurrence: FindingOccurrence =
      container === undefined
        ? { image: secret.image, workload }
        : { image: secret.image, workload, container };
    const found = byKey.get(key);
    if (!found) byKey.set(key, { ...secret, occurrences: [occurrence] });
    else if (
      !found.occurrences.some(
        o => o.workload === workload && o.container === container,
      )
    ) {
      found.occurrences.push(occurrence);
    }
  }
  return [...byKey.values()];
}

export function summarizeSecrets(
  findings: Pick<ExposedSecretFinding, 'severity'>[],
): ExposedSecretSummary {
  const counts = emptyCounts();
  for (const finding of findings) counts[finding.severity]++;
  return { total: findings.length, counts };
}
