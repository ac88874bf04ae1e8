import type { SourceError } from '@internal/backstage-plugin-gitops-common';

/** Severities as the API reports them: Trivy's, lower-cased. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

/** One vulnerability of one package in one image, as a scanner reported it. */
export type ImageVulnerability = {
  /** CVE or GHSA id. */
  id: string;
  severity: Severity;
  package: string;
  installed: string;
  /** The version that fixes it; absent when there is no fix yet. */
  fixed?: string;
  title?: string;
  link?: string;
};

/** A vulnerability found in a running workload (to move to gitops-common). */
export type VulnerabilityFinding = ImageVulnerability & {
  image: string;
  /** `Rollout/payments-api`. */
  workload: string;
  /** The container the report is for; absent for a CI scan of the image. */
  container?: string;
};

export type PolicyOutcome = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

/** One policy rule's result on a workload or a resource it owns (to move to gitops-common). */
export type PolicyResult = {
  policy: string;
  /** Absent for policies without named rules (Kyverno ValidatingPolicy). */
  rule?: string;
  result: PolicyOutcome;
  severity?: string;
  category?: string;
  message?: string;
  resource: { kind: string; namespace?: string; name: string };
  /** true: Enforce, false: Audit, undefined: the policy is not known. */
  enforce: boolean | undefined;
};

/** A workload whose findings are asked for, e.g. from an Argo CD application's resources. */
export type Workload = {
  /** Kubernetes cluster name; absent: every configured cluster is tried. */
  cluster?: string;
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
