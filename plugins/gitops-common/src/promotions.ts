/**
 * Promotion types shared by the backend's REST API and the frontend.
 */

/**
 * The life of a promotion. Terminal states: succeeded, failed, rejected, cancelled.
 *
 * @public
 */
export type PromotionStatus =
  | 'awaiting-approval'
  | 'approved'
  | 'writing'
  | 'pull-request-open'
  | 'committed'
  | 'syncing'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'cancelled';

/** The statuses a promotion never leaves. @public */
export const TERMINAL_PROMOTION_STATUSES: PromotionStatus[] = [
  'succeeded',
  'failed',
  'rejected',
  'cancelled',
];

/**
 * Whether the promotion is over: a terminal promotion no longer blocks a new one to the
 * same environment, and its page stops polling.
 *
 * @public
 */
export function isTerminalPromotionStatus(status: PromotionStatus): boolean {
  return TERMINAL_PROMOTION_STATUSES.includes(status);
}

/** One gate evaluated on the source environment's evidence. @public */
export type GateResult = {
  gate: string;
  passed: boolean;
  /** What the gate looked at, in words: "0 critical (max 0), 2 high (max 5)". */
  evidence: string;
  /** True when a user with the override permission let a failed gate pass. */
  overridden?: boolean;
};

/** The version being promoted. @public */
export type PromotionVersion = {
  /**
   * What `tag` is: an image tag (`image`, the default), a Helm chart version
   * (`chart`), or a git revision of the GitOps repository (`revision`: a tag or commit).
   */
  kind?: 'image' | 'chart' | 'revision';
  image?: string;
  repository?: string;
  /** The value promoted: the image tag, chart version or git revision. */
  tag: string;
  digest?: string;
  /** The GitOps revision the source environment runs. */
  revision?: string;
  /** The chart's name, for a chart version. */
  chart?: string;
};

/**
 * How a promotion puts its version into the target environment, derived from the
 * target's Argo CD application (source kind, owner, branch) or from config.
 *
 * @public
 */
export type PromotionWriteStrategy =
  | 'helm-value'
  | 'kustomize-image'
  | 'chart-version'
  | 'git-revision'
  | 'environment-branch'
  | 'application-set';

/** Where and how a promotion writes. @public */
export type PromotionWrite = {
  strategy: PromotionWriteStrategy;
  method: 'commit' | 'pull-request';
  repoURL: string;
  branch: string;
  file?: string;
  /** What is set, e.g. `image.tag`, `spec.source.targetRevision`, `elements[1].imageTag`. */
  field?: string;
  /** environment-branch: the branch merged from. */
  sourceBranch?: string;
};

/** The difference of the environment's files between the source revision and the target branch. @public */
export type BranchDiff = {
  from: string;
  to: string;
  files: Array<{ path: string; status: string; additions: number; deletions: number }>;
  patch: string;
  truncated: boolean;
  /** Files a merge would conflict in; the promotion is refused while there are any. */
  conflicts: string[];
};

/** One approver's decision on a promotion awaiting approval. @public */
export type PromotionApproval = {
  approver: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  at: string;
};

/** One entry of a promotion's audit trail: a status change, an approval, a gate override. @public */
export type PromotionEvent = {
  at: string;
  type: string;
  message: string;
  actor?: string;
};

/**
 * A promotion or rollback: the version moved, the gates and approvals it went through,
 * and the commit or pull request that carried it to the target environment.
 *
 * @public
 */
export type Promotion = {
  id: string;
  /** A rollback moves an environment back to a version it ran before. */
  kind: 'promotion' | 'rollback';
  /** For an automatic rollback: the failed promotion it answers. */
  rollbackOf?: string;
  entityRef: string;
  from: string;
  to: string;
  version: PromotionVersion;
  /** The version the target ran when the promotion was requested. */
  previousVersion?: PromotionVersion;
  requestedBy: string;
  comment?: string;
  status: PromotionStatus;
  gates: GateResult[];
  approvals: PromotionApproval[];
  requiredApprovals: number;
  commit?: { sha: string; repoURL: string; path: string; url?: string };
  pullRequestUrl?: string;
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
  events: PromotionEvent[];
};

/** Body of `POST /v1/promotions`. @public */
export type CreatePromotionRequest = {
  entityRef: string;
  from: string;
  to: string;
  comment?: string;
  /** Let failed gates pass; needs the override permission and is recorded. */
  overrideGates?: boolean;
};

/** One commit of the service's source repository. @public */
export type SourceCommit = {
  sha: string;
  /** The first line of its message. */
  message: string;
  author: string;
  date: string;
};

/**
 * The commits between the source revisions of two versions (what a promotion ships),
 * where the entity's source repository is known. @public
 */
export type SourceChanges = {
  repoURL: string;
  /** The revisions the two versions were built from (their tags or commit SHAs). */
  from?: string;
  to?: string;
  /** Newest first. */
  commits: SourceCommit[];
  /** More commits exist than are listed. */
  truncated: boolean;
  /** A page comparing the two revisions on the SCM host, when it has one. */
  compareUrl?: string;
  /** Why the commits could not be listed: a version not found, the repository unreachable. */
  unavailable?: string;
};

/** Answer of `POST /v1/promotions/preview`: what a promotion would do. @public */
export type PromotionPreview = {
  entityRef: string;
  from: string;
  to: string;
  version?: PromotionVersion;
  previousVersion?: PromotionVersion;
  gates: GateResult[];
  requiredApprovals: number;
  approverGroups: string[];
  /** The source commits the promotion ships, when the source repository is known. */
  changes?: SourceChanges;
  /** Where and how the promotion writes; absent when that cannot be told (see `blockedBy`). */
  write?: PromotionWrite;
  /** environment-branch: what the merge carries, file by file, and whether it conflicts. */
  diff?: BranchDiff;
  /** Why the promotion cannot start, when it cannot (no version, one active already). */
  blockedBy?: string;
};

/** Body of `POST /v1/rollbacks`. @public */
export type CreateRollbackRequest = {
  entityRef: string;
  environment: string;
  /** The tag to go back to: one of the environment's rollback candidates. */
  tag: string;
  comment?: string;
  /**
   * Go back past failed gates, a known-bad version (failed here before) included;
   * needs the gate-override permission, and is recorded on the rollback.
   */
  overrideGates?: boolean;
};

/** A version an environment ran before, from its GitOps repository history. @public */
export type RollbackCandidate = {
  tag: string;
  /** The commit that set this tag in the environment's values file. */
  revision: string;
  committedAt: string;
  message: string;
  /** Marked bad after a failed promotion: rolling back to it needs care. */
  bad?: boolean;
  /** What `tag` is, as in {@link PromotionVersion}: absent for an image tag. */
  kind?: PromotionVersion['kind'];
  /** The chart's name, for a chart version. */
  chart?: string;
};

/**
 * A stop of the line: promotions into `environment` (or `*`, every environment) are
 * held, manual and automatic alike, until someone lifts it. @public
 */
export type LineStop = {
  id: string;
  /** An environment name, or `*` for every environment. */
  environment: string;
  reason: string;
  stoppedBy: string;
  stoppedAt: string;
  /** Set once lifted; a lifted stop holds nothing. */
  liftedBy?: string;
  liftedAt?: string;
};

/** Body of `POST /v1/line-stops`. @public */
export type CreateLineStopRequest = {
  /** An environment name, or `*` for every environment. */
  environment: string;
  reason: string;
};
