import type { PolicySummary } from '@gitops-suite/backstage-plugin-gitops-common';
import type { KubeObject } from '../kubernetes/types';
import type { PolicyOutcome, PolicyResult } from './types';
import type { ResourceRef } from './workloadResources';

/**
 * `PolicyReport` / `ClusterPolicyReport` (wgpolicyk8s.io/v1alpha2) and OpenReports
 * `Report` / `ClusterReport` (openreports.io/v1alpha1): the same shape.
 */
export interface PolicyReport extends KubeObject {
  /** The one resource the report is about (Kyverno >= 1.11). */
  scope?: ObjectReference;
  results?: PolicyReportResult[] | null;
}

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
}

export interface PolicyReportResult {
  policy: string;
  rule?: string;
  result?: string;
  severity?: string;
  category?: string;
  message?: string;
  /** OpenReports results carry the message as `description`. */
  description?: string;
  /** Older reports: many resources per report, listed per result. */
  resources?: ObjectReference[] | null;
}

/** Kyverno `ClusterPolicy` / `Policy` (kyverno.io/v1), the fields that set the failure mode. */
export interface KyvernoPolicy extends KubeObject {
  spec?: {
    validationFailureAction?: string;
    rules?: KyvernoRule[] | null;
  };
}

/** One rule of a Kyverno policy: a `validate` or a `verifyImages` rule, as far as read. */
export interface KyvernoRule {
  name: string;
  validate?: { failureAction?: string };
  /** Image signature and attestation checks (cosign, notary), one entry per image pattern. */
  verifyImages?: VerifyImagesEntry[] | null;
}

/** One `verifyImages` entry: which images it checks, and how a failure acts. */
export interface VerifyImagesEntry {
  /** Kyverno wildcards (`*`, `?`) on image references; the deprecated `image` is one of them. */
  imageReferences?: string[] | null;
  image?: string;
  skipImageReferences?: string[] | null;
  /** Kyverno 1.13 and later, per entry. */
  failureAction?: string;
  /** Before 1.13, per entry. */
  validationFailureAction?: string;
}

const OUTCOMES: PolicyOutcome[] = ['pass', 'fail', 'warn', 'error', 'skip'];

/** Kyverno policies by the name a report result uses: their rules and failure modes. */
export class KyvernoPolicies {
  private readonly byName = new Map<string, KyvernoPolicy>();

  constructor(policies: KyvernoPolicy[]) {
    for (const policy of policies) {
      const { name, namespace } = policy.metadata;
      // Results name a namespaced Policy `namespace/name`, a ClusterPolicy `name`.
      const isNamespaced =
        policy.kind === 'Policy' ||
        (policy.kind !== 'ClusterPolicy' && namespace);
      this.byName.set(isNamespaced ? `${namespace}/${name}` : name, policy);
    }
  }

  /** The policy a result names, if known (results name a namespaced Policy with its namespace). */
  policy(policyName: string, namespace?: string): KyvernoPolicy | undefined {
    return (
      this.byName.get(policyName) ??
      (namespace ? this.byName.get(`${namespace}/${policyName}`) : undefined)
    );
  }

  /** The rule a result names (an `autogen-` rule is its Pod rule), if its policy is known. */
  rule(
    policyName: string,
    ruleName: string | undefined,
    namespace?: string,
  ): KyvernoRule | undefined {
    const policy = this.policy(policyName, namespace);
    return policy ? findRule(policy, ruleName) : undefined;
  }

  /**
   * true for Enforce, false for Audit (Kyverno's default), undefined when the
   * policy is unknown (deleted, or another engine's, like a ValidatingPolicy) or
   * its verifyImages entries disagree (a failure counts as enforced then).
   */
  enforce(
    policyName: string,
    ruleName: string | undefined,
    namespace?: string,
  ): boolean | undefined {
    const policy = this.policy(policyName, namespace);
    if (!policy) return undefined;
    const rule = findRule(policy, ruleName);
    const fallback = policy.spec?.validationFailureAction ?? 'Audit';
    const verifyImages = rule?.verifyImages ?? [];
    if (!rule?.validate && verifyImages.length) {
      // A verifyImages rule sets the mode per entry; the result does not say which entry.
      const modes = new Set(
        verifyImages.map(entry =>
          isEnforce(
            entry.failureAction ?? entry.validationFailureAction ?? fallback,
          ),
        ),
      );
      return modes.size === 1 ? [...modes][0] : undefined;
    }
    return isEnforce(rule?.validate?.failureAction ?? fallback);
  }
}

function isEnforce(action: string): boolean {
  return action.toLowerCase() === 'enforce';
}

/**
 * The results about the given resources (a workload, its ReplicaSets and Pods),
 * each joined to its policy to learn Enforce or Audit: the report does not say.
 */
export function policyResults(
  reports: PolicyReport[],
  targets: ResourceRef[],
  policies: KyvernoPolicy[],
): PolicyResult[] {
  const modes = new KyvernoPolicies(policies);
  return reports.flatMap(report => {
    const reportNamespace =
      report.scope?.namespace ?? report.metadata.namespace;
    const scopeTarget =
      report.scope && findTarget(targets, report.scope, reportNamespace);
    return (report.results ?? []).flatMap(result => {
      if (!OUTCOMES.includes(result.result as PolicyOutcome)) return [];
      const target =
        scopeTarget ??
        (result.resources ?? [])
          .map(resource =>
            findTarget(
              targets,
              resource,
              resource.namespace ?? reportNamespace,
            ),
          )
          .find(Boolean);
      if (!target) return [];
      return [
        {
          policy: result.policy,
          rule: result.rule || undefined,
          result: result.result as PolicyOutcome,
          severity: result.severity || undefined,
          category: result.category || undefined,
          message: result.message || result.description || undefined,
          resource: {
            kind: target.kind,
            namespace: target.namespace,
            name: target.name,
          },
          enforce: modes.enforce(result.policy, result.rule, target.namespace),
        },
      ];
    });
  });
}

/** Counts per outcome. */
export function summarizePolicies(
  results: Pick<PolicyResult, 'result'>[],
): PolicySummary {
  const summary: PolicySummary = {
    pass: 0,
    fail: 0,
    warn: 0,
    error: 0,
    skip: 0,
  };
  for (const { result } of results) summary[result]++;
  return summary;
}

/**
 * Matches a report's reference to a target by kind and name, and by namespace and
 * uid where both sides know them (a recreated object keeps its name, not its uid).
 */
function findTarget(
  targets: ResourceRef[],
  ref: ObjectReference,
  namespace: string | undefined,
): ResourceRef | undefined {
  return targets.find(
    target =>
      target.kind === ref.kind &&
      target.name === ref.name &&
      (!namespace || !target.namespace || namespace === target.namespace) &&
      (!ref.uid || !target.uid || ref.uid === target.uid),
  );
}

/** Kyverno names rules it generates for pod controllers `autogen-<rule>` (`autogen-cronjob-<rule>`). */
function findRule(
  policy: KyvernoPolicy,
  ruleName: string | undefined,
): KyvernoRule | undefined {
  if (!ruleName) return undefined;
  const rules = policy.spec?.rules ?? [];
  const base = ruleName.replace(/^autogen-(cronjob-)?/, '');
  return (
    rules.find(r => r.name === ruleName) ?? rules.find(r => r.name === base)
  );
}
