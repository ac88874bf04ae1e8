import type {
  FindingOccurrence,
  PolicyResult,
  SourceError,
  VulnerabilityFinding,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { ClusterHint } from '../kubernetes/workloadCluster';

/** Severities as the API reports them: Trivy's, lower-cased. */
export type Severity = VulnerabilityFinding['severity'];

export type { FindingOccurrence, PolicyResult, VulnerabilityFinding };

/** One vulnerability of one package in one image, as a scanner reported it. */
export type ImageVulnerability = Omit<VulnerabilityFinding, keyof FindingOccurrence | 'occurrences'>;

/** A vulnerability as one report or CI scan saw it, in one place; findings merge these. */
export type VulnerabilitySighting = ImageVulnerability & FindingOccurrence;

export type PolicyOutcome = PolicyResult['result'];

/** A workload whose findings are asked for, e.g. from an Argo CD application's resources. */
export type Workload = ClusterHint & {
  namespace: string;
  kind: 'Rollout' | 'Deployment' | 'StatefulSet';
  name: string;
  images: string[];
};

/** Findings with the errors of the sources that could not be read (partial data beats none). */
export type FindingsResult<Item, Summary> = {
  items: Item[];
  summary: Summary;
  errors: SourceError[];
};

/** How findings name a workload. */
export function workloadLabel(
  workload: Pick<Workload, 'kind' | 'name'>,
): string {
  return `${workload.kind}/${workload.name}`;
}
