import type {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  gitopsGateOverridePermission,
  gitopsRollbackPermission,
  parseImageRef,
  type EnvironmentDeployment,
  type GateResult,
  type Promotion,
  type PromotionVersion,
  type RollbackCandidate,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { EnvironmentConfig, GitopsConfig } from '../config/gitopsConfig';
import type { PromotionStore, PromotionTarget } from '../database/PromotionStore';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import type { GitopsRepositoryWriter } from '@gitops-suite/backstage-plugin-gitops-node';
import { authorizeOnEntity } from './authorizeOnEntity';
import { passGates, type GateOverrideRequest } from './gateOverride';
import { assembleGates, type PromotionGatesSources } from './promotionGates';
import type { PromotionStarter } from './PromotionStarter';
import type { LineStops } from './LineStops';
import { versionReader } from './repositoryEdit';
import { requesterOf } from './requester';
import type { PromotionPlanner } from './targets/PromotionPlanner';
import { rollbackGates, skippedRollbackGates } from './rollbackGates';

export interface RollbackServiceOptions {
  config: GitopsConfig;
  deployments: DeploymentsService;
  store: PromotionStore;
  writer: GitopsRepositoryWriter;
  /** Where the gates a rollback does not skip read their evidence, and known-bad versions. */
  gates: PromotionGatesSources;
  starter: PromotionStarter;
  /** Stops of the line: rollbacks are held too unless config lets them through. */
  lineStops?: Pick<LineStops, 'assertOpen'>;
  /** Where the environment's versions are written, by its layout. */
  planner: PromotionPlanner;
  permissions: PermissionsService;
  userInfo: UserInfoService;
}

/** Versions a file's history is read for: the rollback candidates. */
const HISTORY_LIMIT = 30;

/** Who starts a rollback, and (for an automatic one) which failed promotion it undoes. */
export type RollbackRequester = GateOverrideRequest & { requestedBy: string; comment?: string; rollbackOf?: string };

/**
 * GitOps-native rollbacks: an environment goes back to a version it ran before, read
 * from its values file's history in the GitOps repository, written and followed like
 * any promotion (kind `rollback`), under the environment's approval rule.
 */
export class RollbackService {
  constructor(private readonly options: RollbackServiceOptions) {}

  async candidates(entity: Entity, environment: string): Promise<RollbackCandidate[]> {
    const { target, current, currentVersion, repository } = await this.locate(entity, environment);
    const read = await this.options.writer.history(target, versionReader(target, repository), HISTORY_LIMIT, {
      // An environment branch's own commits, not those a merge brought in from the source's.
      firstParent: target.strategy === 'environment-branch',
    });
    // An environment branch goes back to one of its commits: each is a version.
    const history = target.strategy === 'environment-branch' ? read.map(entry => ({ ...entry, value: entry.revision })) : read;
    const bad = new Set(
      (await this.options.store.badVersions(stringifyEntityRef(entity), environment)).map(b => b.tag),
    );
    const seen = new Set<string>([current ?? '']);
    const candidates: RollbackCandidate[] = [];
    for (const entry of history) {
      if (seen.has(entry.value)) continue;
      seen.add(entry.value);
      candidates.push({
        tag: entry.value,
        revision: entry.revision,
        committedAt: entry.committedAt,
        message: entry.message,
        ...(bad.has(entry.value) ? { bad: true } : {}),
        ...(currentVersion?.kind && currentVersion.kind !== 'image' ? { kind: currentVersion.kind } : {}),
        ...(currentVersion?.chart ? { chart: currentVersion.chart } : {}),
      });
    }
    return candidates;
  }

  async create(
    entity: Entity,
    request: { environment: string; tag: string; comment?: string; overrideGates?: boolean },
    credentials: BackstageCredentials,
  ): Promise<Promotion> {
    const entityRef = stringifyEntityRef(entity);
    const { permissions } = this.options;
    await authorizeOnEntity(permissions, gitopsRollbackPermission, entity, credentials, `roll back ${entityRef}`);
    const candidates = await this.candidates(entity, request.environment);
    if (!candidates.some(c => c.tag === request.tag)) {
      throw new InputError(
        `tag: ${request.tag} is not a version ${request.environment} ran before (candidates: ${candidates.map(c => c.tag).join(', ') || 'none'})`,
      );
    }
    return this.start(entity, request.environment, request.tag, {
      requestedBy: await requesterOf(credentials, this.options.userInfo),
      comment: request.comment,
      overrideGates: request.overrideGates,
      authorizeOverride: () =>
        authorizeOnEntity(permissions, gitopsGateOverridePermission, entity, credentials, `override the gates of ${entityRef}`),
    });
  }

  /**
   * Starts a rollback; `automatic` ones (after a failed promotion) need no approval,
   * since they restore what ran before the failure, and never override a gate.
   */
  async start(entity: Entity, environment: string, tag: string, by: RollbackRequester): Promise<Promotion> {
    const env = this.environment(environment);
    await this.options.lineStops?.assertOpen(environment, 'rollback');
    const { target, environments, currentVersion: current } = await this.locate(entity, environment);
    const { gates, overridden } = await passGates(await this.gates(entity, env, tag, environments, target), by, 'Rollback');
    return this.options.starter.start({
      kind: 'rollback',
      rollbackOf: by.rollbackOf,
      entityRef: stringifyEntityRef(entity),
      from: environment,
      to: environment,
      version: rollbackVersion(tag, current),
      previousVersion: current,
      requestedBy: by.requestedBy,
      comment: by.comment,
      gates,
      overridden,
      requiredApprovals: by.rollbackOf ? 0 : env.promotion.approvals.required,
      approverGroups: env.promotion.approvals.groups,
      target,
    });
  }

  /**
   * The target environment's gates for going back to `tag`: the skipped ones recorded
   * as such, the rest evaluated on an environment that runs `tag` now (failing closed
   * when none does), and the known-bad check of `tag` in the environment.
   */
  private async gates(
    entity: Entity,
    env: EnvironmentConfig,
    tag: string,
    environments: EnvironmentDeployment[],
    target: PromotionTarget,
  ): Promise<GateResult[]> {
    const { gates, rollback } = env.promotion;
    const versions = await Promise.all(environments.map(e => this.options.planner.version(e, target)));
    const evaluated = await assembleGates(this.options.gates, {
      entity,
      target: env.name,
      gates: rollbackGates(gates, rollback.skipGates),
      source: environments.find((_, i) => versions[i]?.tag === tag),
      tag,
    });
    return [...skippedRollbackGates(gates, rollback.skipGates), ...evaluated];
  }

  private async locate(entity: Entity, environment: string): Promise<{
    target: PromotionTarget;
    /** Every environment of the entity, for the gates. */
    environments: EnvironmentDeployment[];
    currentVersion?: PromotionVersion;
    current?: string;
    repository?: string;
  }> {
    const env = this.environment(environment);
    const view = await this.options.deployments.getDeployments(entity);
    const here = view.environments.find(e => e.name === environment)!;
    const promotedFrom = view.environments.find(e => e.name === env.promotesFrom);
    const target = await this.options.planner.target(entity, env, here, promotedFrom);
    const currentVersion = await this.options.planner.version(here, target);
    const image = here.version?.image;
    const ref = image ? parseImageRef(image) : undefined;
    return { target, environments: view.environments, currentVersion, current: currentVersion?.tag, repository: ref?.repository };
  }

  private environment(name: string) {
    const env = this.options.config.environments.find(e => e.name === name);
    if (!env) throw new InputError(`environment: '${name}' is not configured`);
    return env;
  }
}

/**
 * The version a rollback restores: an image tag of the image the environment runs, or
 * a chart version or revision as the environment's layout keeps it (the image it ran
 * then is not known: verification then looks at the sync, not at the image).
 */
function rollbackVersion(tag: string, current?: PromotionVersion): PromotionVersion {
  if (current?.kind && current.kind !== 'image') {
    return { kind: current.kind, tag, ...(current.chart ? { chart: current.chart } : {}) };
  }
  return { tag, repository: current?.repository, image: current?.repository ? `${current.repository}:${tag}` : undefined };
}
