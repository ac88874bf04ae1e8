/**
 * Types of the REST API served by the `gitops` backend plugin under `/api/gitops`.
 * The OpenAPI spec in the backend package is the contract; these mirror it.
 */

/** Argo CD's sync status of an application: whether the cluster matches git. @public */
export type SyncStatus = 'Synced' | 'OutOfSync' | 'Unknown';

/** Argo CD's health assessment of an application; a status outside this list is `Unknown`. @public */
export type HealthStatus =
  | 'Healthy'
  | 'Progressing'
  | 'Degraded'
  | 'Suspended'
  | 'Missing'
  | 'Unknown';

/** An image as deployed: `repository:tag@digest`. @public */
export type ImageVersion = {
  image: string;
  repository: string;
  tag?: string;
  digest?: string;
};

/** One Argo CD Application placed in an environment. @public */
export type ApplicationSummary = {
  instance: string;
  name: string;
  namespace?: string;
  project?: string;
  sync: { status: SyncStatus; revision?: string };
  health: { status: HealthStatus; message?: string };
  images: string[];
  lastDeployedAt?: string;
  /** Argo CD syncs automatically: only git can change what runs. */
  autoSync?: boolean;
  /** Link to the application in the Argo CD UI. */
  url?: string;
  /**
   * What the application deploys from: its `spec.source`, or of a multi-source
   * application the source holding the workload (the chart, else the path).
   */
  source?: ApplicationSource;
  /** Every source of a multi-source application (`spec.sources`), in order. */
  sources?: ApplicationSource[];
  /** The ApplicationSet that generated the application (its owner reference). */
  applicationSet?: string;
  /** URLs the application exposes (Argo CD's `status.summary.externalURLs`). */
  externalURLs?: string[];
  createdAt?: string;
  /** Argo CD is deleting the application (`metadata.deletionTimestamp` is set). */
  deleting?: boolean;
  history: DeploymentHistoryEntry[];
  /** The current or last sync operation, with its hooks. */
  operation?: SyncOperation;
  /** OutOfSync resources, when there are any. */
  drift?: ApplicationDrift;
};

/** One source of an Argo CD application (`spec.source` or an entry of `spec.sources`). @public */
export type ApplicationSource = {
  repoURL?: string;
  path?: string;
  /** A chart of a Helm repository; `targetRevision` is then its version. */
  chart?: string;
  targetRevision?: string;
  /** The name other sources' value files use for this one (`$ref/...`). */
  ref?: string;
  /** Helm value files; `$ref/path` names a file of another source. */
  valueFiles?: string[];
};

/**
 * A short-lived application for one open pull request (an ApplicationSet pull-request
 * generator's). Previews are outside the promotion chain.
 *
 * @public
 */
export type PreviewEnvironment = {
  application: ApplicationSummary;
  pullRequest: {
    number: number;
    title?: string;
    url?: string;
    branch?: string;
    author?: string;
    headSha?: string;
  };
  version?: { image?: string; tag?: string; revision?: string };
  /** The preview's address, when the chart exposes one. */
  url?: string;
  createdAt?: string;
  /** The pull request closed and Argo CD is deleting the preview. */
  tearingDown: boolean;
  vulnerabilities?: VulnerabilitySummary;
  policies?: PolicySummary;
};

/** An operation's or hook's phase, as Argo CD reports it (`OperationPhase`). @public */
export type OperationPhase = 'Running' | 'Terminating' | 'Succeeded' | 'Failed' | 'Error' | 'Unknown';

/** An application's current or last sync operation (`status.operationState`). @public */
export type SyncOperation = {
  phase: OperationPhase;
  message?: string;
  revision?: string;
  /** The Argo CD user who started it, or `automated` for auto-sync. */
  initiatedBy?: string;
  dryRun?: boolean;
  startedAt?: string;
  finishedAt?: string;
  /** Its hook resources (PreSync, Sync, PostSync, SyncFail), in Argo CD's order. */
  hooks: SyncHookResult[];
};

/** A hook resource of a sync operation (`syncResult.resources` with a `hookType`). @public */
export type SyncHookResult = {
  hookType: 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail' | 'PostDelete' | 'Skip';
  hookPhase: OperationPhase;
  kind: string;
  namespace?: string;
  name: string;
  message?: string;
};

/** An application's OutOfSync resources, and whether someone changed live state by hand. @public */
export type ApplicationDrift = {
  /** OutOfSync at the revision last synced, with auto-sync off: the live state changed outside git. */
  changedOutsideGit: boolean;
  /** At most 50 of them; `total` counts all. */
  resources: Array<{ group?: string; kind: string; namespace?: string; name: string; status: string; diffUrl?: string }>;
  total: number;
};

/** What the application controls do through Argo CD. @public */
export type ApplicationAction = 'sync' | 'refresh' | 'hard-refresh' | 'terminate';

/** Body of `POST /v1/entities/{kind}/{namespace}/{name}/applications/{action}`. @public */
export type ApplicationActionRequest = {
  environment: string;
  instance: string;
  application: string;
  /** sync only: delete resources no longer in git. */
  prune?: boolean;
  /** sync only: run the sync without changing anything. */
  dryRun?: boolean;
  /** sync only: refused when it is not git's while a promotion is active. */
  revision?: string;
};

/** One sync in an Argo CD application's history, newest first in `history`. @public */
export type DeploymentHistoryEntry = {
  id: number;
  revision?: string;
  deployedAt?: string;
  images?: string[];
};

/** The Argo Rollout's strategy; `unknown` when the spec names neither. @public */
export type RolloutStrategy = 'canary' | 'blueGreen' | 'unknown';

/** One step of a canary strategy, as the Rollout spec lists it. @public */
export type RolloutStep = {
  kind: 'setWeight' | 'pause' | 'analysis' | 'experiment' | 'other';
  /** setWeight percentage, or pause duration ("10s"); absent for an indefinite pause. */
  value?: string | number;
};

/** The state of one Argo Rollout, as the controller and its kubectl plugin show it. @public */
export type RolloutSummary = {
  name: string;
  namespace: string;
  strategy: RolloutStrategy;
  /** Healthy, Progressing, Paused, Degraded (from status.phase, or derived like the kubectl plugin). */
  phase: string;
  paused: boolean;
  pauseReasons: { reason: string; startTime?: string }[];
  aborted: boolean;
  /** The current pod template is the stable one: no update in flight. */
  completed: boolean;
  step?: { index: number; count: number };
  steps: RolloutStep[];
  /**
   * The traffic split: as the traffic router (mesh, gateway) reports it in
   * `status.canary.weights` (`source: 'traffic-router'`), else the weight the current
   * step sets (`source: 'step'`: replica count only).
   */
  weights?: { stable: number; canary: number; source: 'traffic-router' | 'step'; verified?: boolean };
  blueGreen?: { activeSelector?: string; previewSelector?: string };
  images: string[];
  message?: string;
  /** The analysis running for the current step (or in the background), with its metrics when read. */
  analysis?: RolloutAnalysis;
};

/**
 * One metric of an AnalysisRun: its assessment, its last measurement and the condition it
 * is judged by, e.g. `success-rate` Successful, `0.992`, `result[0] >= 0.95`. @public
 */
export type AnalysisMetricSummary = {
  name: string;
  /** Pending, Running, Successful, Failed, Error, Inconclusive. */
  phase: string;
  /** The last measurement's value as the provider returned it (often `[0.992]`). */
  lastValue?: string;
  lastMeasuredAt?: string;
  successCondition?: string;
  failureCondition?: string;
  /** Measurements failed so far, and how many fail the metric (`failureLimit`, default 0). */
  failed: number;
  failureLimit: number;
  successful: number;
  inconclusive: number;
  error: number;
  count: number;
  message?: string;
};

/** An AnalysisRun of a Rollout, as the controller assessed it. @public */
export type RolloutAnalysis = {
  name?: string;
  /** The run's phase as the Rollout's status reports it. */
  status: string;
  message?: string;
  /** The run's metrics; absent when the AnalysisRun was not read (see `error`). */
  metrics?: AnalysisMetricSummary[];
  /** Why the AnalysisRun could not be read: its metrics are unknown. */
  error?: string;
};

/** Vulnerabilities per severity. @public */
export type SeverityCounts = {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
};

/**
 * Vulnerabilities of an environment counted from its findings: all, and those with a
 * fixed version. What the vulnerability gates judge.
 *
 * @public
 */
export type VulnerabilitySummary = {
  counts: SeverityCounts;
  fixable: SeverityCounts;
};

/** Policy results of an environment, per result. What the policy gates judge. @public */
export type PolicySummary = {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
};

/** An error from one source, so partial data is still shown. @public */
export type SourceError = {
  source: string;
  message: string;
};

/**
 * One configured environment of an entity: its Argo CD applications there, the version
 * they run, its rollouts and, when asked for, its findings.
 *
 * @public
 */
export type EnvironmentDeployment = {
  name: string;
  title: string;
  promotesFrom?: string;
  applications: ApplicationSummary[];
  version?: {
    image?: string;
    tag?: string;
    digest?: string;
    revision?: string;
    /** The Helm chart the environment runs, when it comes from a Helm repository. */
    chart?: { name: string; version: string };
  };
  lastDeployedAt?: string;
  rollouts: RolloutSummary[];
  vulnerabilities?: VulnerabilitySummary;
  policies?: PolicySummary;
  /** Secrets Trivy Operator found in the running images. */
  exposedSecrets?: ExposedSecretSummary;
  /** Trivy Operator's configuration checks of the running workloads. */
  configAudits?: ConfigAuditSummary;
  /**
   * Whether Kyverno verified each running image's signature (verifyImages rules): one
   * entry per image; an image no result speaks for is `unknown`, never verified.
   */
  imageSignatures?: ImageSignature[];
  /** True when this environment runs a different version than the one it promotes from. */
  behindSource?: boolean;
  /**
   * Rollouts the environment's applications manage whose live state could not be read:
   * unknown, never taken as absent (gates and promotion verification fail closed on them).
   */
  unknownRollouts?: UnknownRollout[];
};

/**
 * What Kyverno's `verifyImages` rules (cosign or notary signatures and attestations)
 * say of one running image: `verified` (a pass, no failure), `failed` (a rule failed
 * on it: the signature is missing or not the expected signer's) or `unknown` (no
 * verifyImages result for it, Kyverno could not check it, or its cluster could not
 * be read). Gates treat `unknown` as not verified.
 *
 * @public
 */
export type ImageSignature = {
  /** The image as the workload runs it, e.g. `ghcr.io/example/payments-api:1.4.2`. */
  image: string;
  status: ImageSignatureStatus;
  /** The evidence in words: Kyverno's message, or why it is unknown. */
  message?: string;
  /** The Kyverno policy and rule the evidence comes from, when one does. */
  policy?: string;
  rule?: string;
};

/** See {@link ImageSignature}. @public */
export type ImageSignatureStatus = 'verified' | 'failed' | 'unknown';

/** A managed Rollout whose live state could not be read, with the reason. @public */
export type UnknownRollout = {
  application: string;
  namespace: string;
  name: string;
  message: string;
};

/** Response of `GET /v1/entities/{kind}/{namespace}/{name}/deployments`. @public */
export type DeploymentsResponse = {
  entityRef: string;
  environments: EnvironmentDeployment[];
  /** Applications that matched the entity but no configured environment. */
  unassigned: ApplicationSummary[];
  errors: SourceError[];
  /** When the Argo CD snapshot used for this answer was taken. */
  observedAt?: string;
  /** One preview application per open pull request, newest first. */
  previews?: PreviewEnvironment[];
};

/** Response of `GET /v1/environments`. @public */
export type EnvironmentsResponse = {
  environments: { name: string; title: string; promotesFrom?: string }[];
};

/** Where a finding is: one container of one workload, or a CI scan of its image. @public */
export type FindingOccurrence = {
  image: string;
  /** `Rollout/payments-api`. */
  workload: string;
  /** The container the report is for; absent for a CI scan of the image. */
  container?: string;
};

/**
 * A vulnerability of the running workloads: one per (id, package, installed version),
 * however many containers, ReplicaSets (stable and canary) and images have it. The
 * counts count these.
 *
 * @public
 */
export type VulnerabilityFinding = {
  /** CVE or GHSA id. */
  id: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'unknown';
  package: string;
  installed: string;
  /** The version that fixes it; absent when there is no fix yet. */
  fixed?: string;
  title?: string;
  link?: string;
  /** CVSS v3 score, when the scanner gives one. */
  score?: number;
  /** The first of `occurrences`, for clients that show one place per finding. */
  image: string;
  /** The first of `occurrences`: `Rollout/payments-api`. */
  workload: string;
  /** The first of `occurrences`: the container the report is for; absent for a CI scan. */
  container?: string;
  /** Every image, container and workload it is in (at least one). */
  occurrences: FindingOccurrence[];
};

/**
 * A secret Trivy Operator found in an image of the running workloads (ExposedSecretReport):
 * one per image, rule, file and match, however many containers run that image.
 *
 * @public
 */
export type ExposedSecretFinding = {
  /** Trivy's rule, e.g. `stripe-access-token`. */
  ruleId: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'unknown';
  title?: string;
  category?: string;
  /** The file in the image, e.g. `/app/config/secret.yaml`. */
  target: string;
  /** The matching line, as Trivy redacts it. */
  match?: string;
  image: string;
  /** Every workload and container that runs the image. */
  occurrences: FindingOccurrence[];
};

/** Exposed secrets of an environment: what the `maxExposedSecrets` gate judges. @public */
export type ExposedSecretSummary = {
  total: number;
  counts: SeverityCounts;
};

/**
 * A configuration check Trivy Operator fails on a running workload (ConfigAuditReport),
 * one per workload and check, however many of its ReplicaSets report it.
 *
 * @public
 */
export type ConfigAuditFinding = {
  /** e.g. `KSV012`. */
  checkId: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'unknown';
  title?: string;
  description?: string;
  category?: string;
  remediation?: string;
  messages: string[];
  /** `Rollout/payments-api`. */
  workload: string;
  /** The objects whose reports have it: `ReplicaSet/payments-api-6d4cf56db6`. */
  resources: string[];
};

/** Configuration checks of an environment's workloads: failing per severity, and passing. @public */
export type ConfigAuditSummary = {
  failed: SeverityCounts;
  passed: number;
};

/** One policy rule's result on a workload or a resource it owns. @public */
export type PolicyResult = {
  policy: string;
  /** Absent for policies without named rules (Kyverno ValidatingPolicy). */
  rule?: string;
  result: 'pass' | 'fail' | 'warn' | 'error' | 'skip';
  severity?: string;
  category?: string;
  message?: string;
  resource: { kind: string; namespace?: string; name: string };
  /** true: Enforce, false: Audit, absent: the policy is not known. */
  enforce?: boolean;
};

/** Response of `GET .../vulnerabilities?environment=`. @public */
export type VulnerabilitiesResponse = {
  environment: string;
  items: VulnerabilityFinding[];
  summary: VulnerabilitySummary;
  errors: SourceError[];
};

/** Response of `GET .../policies?environment=`. @public */
export type PoliciesResponse = {
  environment: string;
  items: PolicyResult[];
  summary: PolicySummary;
  errors: SourceError[];
};

/** Response of `GET .../exposed-secrets?environment=`. @public */
export type ExposedSecretsResponse = {
  environment: string;
  items: ExposedSecretFinding[];
  summary: ExposedSecretSummary;
  errors: SourceError[];
};

/** Response of `GET .../config-audits?environment=`. @public */
export type ConfigAuditsResponse = {
  environment: string;
  items: ConfigAuditFinding[];
  summary: ConfigAuditSummary;
  errors: SourceError[];
};

/**
 * One delivery measure (DORA) over a period: its value, what it was computed from, and
 * what it could not measure. `value` is null when nothing could be measured: never a
 * number made up from missing data. @public
 */
export type InsightMeasure = {
  value: number | null;
  /** What the value was computed from: deployments, commits, changes or restored failures. */
  sampleSize: number;
  /** What could not be measured: promotions without source commits, failures not restored yet. */
  notMeasured: number;
  /** Why the value is null, or what `notMeasured` stands for. */
  reason?: string;
};

/**
 * Versions that reached the environment: `value` deployments in the period, as Argo CD's
 * sync history records them (never fewer than the promotions and rollbacks recorded). @public
 */
export type DeploymentFrequencyMeasure = InsightMeasure & {
  /** Deployments per week over the period, null with `value`. */
  perWeek: number | null;
  /** Succeeded promotions (continuous deployment's too). */
  promotions: number;
  rollbacks: number;
  /** Versions Argo CD synced that no promotion or rollback made: CI pushing straight to the GitOps repository, a hand edit. */
  direct: number;
};

/** From a commit's time in the source repository to its version running healthy: `value` is the median, seconds. @public */
export type LeadTimeMeasure = InsightMeasure & {
  p90: number | null;
  /** Succeeded promotions whose source commits are known (`sampleSize` counts their commits). */
  promotions: number;
};

/** Failed changes over all changes (succeeded or failed promotions): `value` from 0 to 1. @public */
export type ChangeFailureRateMeasure = InsightMeasure & {
  failures: number;
  failedPromotions: number;
  /** Rollbacks a person asked for: the change they rolled back failed. */
  manualRollbacks: number;
  /** Automatic rollbacks; one answering a failed promotion of the period is not counted twice. */
  automaticRollbacks: number;
};

/** From a failed change to the environment healthy again: `value` is the median, seconds. @public */
export type TimeToRestoreMeasure = InsightMeasure & {
  p90: number | null;
};

/** One week of the period, oldest first: for a trend. @public */
export type InsightsWeek = {
  start: string;
  deployments: number;
  failures: number;
};

/** The four measures of one entity, group or fleet in one environment. @public */
export type DeliveryMeasures = {
  environment: string;
  deploymentFrequency: DeploymentFrequencyMeasure;
  leadTime: LeadTimeMeasure;
  changeFailureRate: ChangeFailureRateMeasure;
  timeToRestore: TimeToRestoreMeasure;
  weeks: InsightsWeek[];
};

/** The measures of one entity in one environment. @public */
export type EntityInsights = DeliveryMeasures & { entityRef: string };

/** The measures of the entities of one owner or system in one environment. @public */
export type InsightsGroup = DeliveryMeasures & {
  /** The owner's or the system's entity ref. */
  name: string;
  /** Entities of the group with promotions or deployments in the period. */
  entities: number;
};

/** Answer of `GET /v1/insights`. @public */
export type InsightsResponse = {
  days: 7 | 30 | 90;
  since: string;
  until: string;
  /** With `entityRef`: the entity in each environment (or the one asked for). */
  items?: EntityInsights[];
  /** Without `entityRef`: every readable entity together, per environment. */
  fleet?: InsightsGroup[];
  /** Without `entityRef`: per owner and environment. */
  owners?: InsightsGroup[];
  /** Without `entityRef`: per system and environment (entities without a system are in none). */
  systems?: InsightsGroup[];
};
