import type { Entity } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import type {
  ApplicationSummary,
  BranchDiff,
  EnvironmentDeployment,
  PromotionVersion,
  PromotionWrite,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsRepositoryWriter } from '@gitops-suite/backstage-plugin-gitops-node';
import { LRUCache } from 'lru-cache';
import type { ArgoApplication } from '../../argocd/types';
import type { EnvironmentConfig } from '../../config/gitopsConfig';
import type { PromotionTarget } from '../../database/PromotionStore';
import type { Inventory } from '../../inventory/Inventory';
import { formatPath } from './applicationSources';
import type { RevisionKind } from './deriveStrategy';
import { resolvePromotionTarget } from './resolveTarget';
import { versionByStrategy } from './targetVersions';

/** What a promotion from one environment into the next would do. */
export type PromotionPlan = {
  target: PromotionTarget;
  write: PromotionWrite;
  version?: PromotionVersion;
  previousVersion?: PromotionVersion;
  /** environment-branch: what the merge carries, and where it would conflict. */
  diff?: BranchDiff;
};

/** The git questions a plan asks; a writer answers them. */
export type PlannerGit = Pick<GitopsRepositoryWriter, 'resolveRevision' | 'diff' | 'mergeConflicts'>;

/** A branch stays a branch for a minute: each preview would otherwise ask the remote again. */
const REVISION_KIND_TTL_MS = 60_000;

/**
 * Plans promotions and rollbacks for every layout: where the write goes (from the
 * target's Argo CD application, or config), the versions on both sides as that write
 * moves them, and for environment branches the diff the merge carries.
 */
export class PromotionPlanner {
  private readonly kinds = new LRUCache<string, RevisionKind>({ max: 1000, ttl: REVISION_KIND_TTL_MS });

  constructor(
    private readonly inventory: Pick<Inventory, 'index'>,
    private readonly git?: PlannerGit,
  ) {}

  /** The plan of a promotion from `source` into `target`; throws (409) what cannot be told. */
  async plan(
    entity: Entity,
    environment: EnvironmentConfig,
    source: EnvironmentDeployment,
    target: EnvironmentDeployment,
  ): Promise<PromotionPlan> {
    const promotionTarget = await this.target(entity, environment, target, source);
    const [version, previousVersion] = await Promise.all([
      versionByStrategy(source, promotionTarget, this),
      versionByStrategy(target, promotionTarget, this),
    ]);
    const diff =
      promotionTarget.strategy === 'environment-branch' && version
        ? await this.branchDiff(promotionTarget, version.tag)
        : undefined;
    return { target: promotionTarget, write: writeOf(promotionTarget), version, previousVersion, ...(diff ? { diff } : {}) };
  }

  /** Where a promotion or rollback into `target` writes. */
  target(
    entity: Entity,
    environment: EnvironmentConfig,
    target: EnvironmentDeployment,
    source?: EnvironmentDeployment,
  ): Promise<PromotionTarget> {
    return resolvePromotionTarget({ entity, environment, target, source, applicationOf: this.applicationOf, revisionKind: this.revisionKind });
  }

  /** The version an environment runs as `target`'s strategy moves it (for rollbacks). */
  version(env: EnvironmentDeployment, target: PromotionTarget): Promise<PromotionVersion | undefined> {
    return versionByStrategy(env, target, this);
  }

  readonly applicationOf = (summary: ApplicationSummary): ArgoApplication | undefined =>
    this.inventory.index().find(summary.instance, summary.name, summary.namespace)?.application;

  /** Whether a revision is a branch, tag or commit; undefined without git to ask. */
  get revisionKind(): ((repoURL: string, revision: string) => Promise<RevisionKind>) | undefined {
    return this.git ? this.askRevisionKind : undefined;
  }

  private readonly askRevisionKind = async (repoURL: string, revision: string): Promise<RevisionKind> => {
    const key = `${repoURL}\u0000${revision}`;
    const known = this.kinds.get(key);
    if (known) return known;
    const { kind } = await this.git!.resolveRevision({ repoURL, revision }).catch((error: Error) => {
      throw new ConflictError(`cannot tell whether '${revision}' of ${repoURL} is a branch, a tag or a commit: ${error.message}`);
    });
    this.kinds.set(key, kind);
    return kind;
  };

  /** The environment's files between the target branch and the revision merged into it. */
  private async branchDiff(target: PromotionTarget, revision: string): Promise<BranchDiff | undefined> {
    if (!this.git) return undefined;
    const paths = [target.path ?? target.file];
    const [diff, conflicts] = await Promise.all([
      // From the merge base: what the merge carries, not what the target has that the source lacks.
      this.git.diff({ repoURL: target.repoURL, from: { branch: target.branch }, to: { revision }, paths, mergeBase: true }),
      this.git.mergeConflicts({ repoURL: target.repoURL, branch: target.branch, revision, sourceBranch: target.sourceBranch! }),
    ]);
    return { ...diff, conflicts };
  }
}

/** The API view of where a promotion writes. */
export function writeOf(target: PromotionTarget): PromotionWrite {
  return {
    strategy: target.strategy ?? 'helm-value',
    method: target.method ?? 'commit',
    repoURL: target.repoURL,
    branch: target.branch,
    file: target.file,
    ...(fieldOf(target) ? { field: fieldOf(target) } : {}),
    ...(target.sourceBranch ? { sourceBranch: target.sourceBranch } : {}),
  };
}

function fieldOf(target: PromotionTarget): string | undefined {
  const { manifest } = target;
  if (manifest?.kind === 'Application') return formatPath(manifest.path);
  if (manifest?.kind === 'ApplicationSet') {
    const field = manifest.field.kind === 'path' ? formatPath(manifest.field.path) : manifest.field.name;
    return `${field} (the element generating ${manifest.application})`;
  }
  if (target.strategy === 'environment-branch') return undefined;
  return target.strategy === 'kustomize-image' ? 'images[].newTag' : target.key;
}
