import type {
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { ConflictError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { compareVersionTags } from '@gitops-suite/backstage-plugin-gitops-node';
import {
  GITOPS_ENTITY_ANNOTATIONS,
  type EnvironmentDeployment,
} from '@gitops-suite/backstage-plugin-gitops-common';
import pLimit from 'p-limit';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import { GatesFailedError } from './GatesFailedError';
import type { PromotionService } from './PromotionService';

/** Catalog entities read per request. */
const CATALOG_PAGE = 500;
/** Promotions started at once: each reads its gates' evidence from the clusters. */
const PROMOTIONS_AT_ONCE = 4;

/** Who continuous-deployment promotions are recorded as requested by. */
export const CONTINUOUS_DEPLOYMENT_REQUESTER = 'system:gitops/continuous-deployment';

/**
 * Entity annotation: the environments (comma-separated names) that this entity opts
 * into continuous deployment, beside those whose config `mode` is `automatic`. A team
 * adopts continuous deployment service by service; gates and approvals still apply.
 */
export const CONTINUOUS_DEPLOYMENT_ANNOTATION = 'gitops.backstage.io/continuous-deployment';

/** The environments an entity names in its continuous-deployment annotation. */
export function optedInEnvironments(entity: Entity): string[] {
  return (entity.metadata.annotations?.[CONTINUOUS_DEPLOYMENT_ANNOTATION] ?? '')
    .split(',')
    .map(name => name.trim())
    .filter(Boolean);
}

/**
 * Continuous deployment: for each environment whose promotion `mode` is `automatic`
 * (or that the entity opts into with its annotation), promotes the version verified
 * in the environment before it, through the same gates, approvals and engine as a
 * person would. Never promotes backwards, never overrides a gate, and at most one
 * promotion per entity and environment is active at a time.
 */
export class ContinuousDeployment {
  constructor(
    private readonly options: {
      config: GitopsConfig;
      catalog: CatalogService;
      auth: AuthService;
      deployments: Pick<DeploymentsService, 'environments'>;
      promotions: Pick<PromotionService, 'createAutomatic'>;
      logger: LoggerService;
    },
  ) {}

  /**
   * One pass over the read model: every candidate entity's environments come from the
   * inventory index (no findings, no upstream call); only the promotions it finds due
   * read evidence for their gates, a few at a time.
   */
  async runOnce(): Promise<void> {
    const due: Array<{ entity: Entity; from: string; to: string }> = [];
    for await (const entity of this.entities()) {
      due.push(...this.dueFor(entity));
    }
    const limit = pLimit(PROMOTIONS_AT_ONCE);
    await Promise.all(due.map(({ entity, from, to }) => limit(() => this.promote(entity, from, to))));
  }

  /** The promotions the entity is due for now: its automatic environments behind their source. */
  private dueFor(entity: Entity): Array<{ entity: Entity; from: string; to: string }> {
    const optedIn = optedInEnvironments(entity);
    const automatic = this.options.config.environments.filter(
      e => e.promotesFrom && (e.promotion.mode === 'automatic' || optedIn.includes(e.name)),
    );
    if (!automatic.length) return [];
    let environments: EnvironmentDeployment[];
    try {
      environments = this.options.deployments.environments(entity);
    } catch (error) {
      // An entity whose annotations cannot be read (a malformed selector) is skipped, not the run.
      this.options.logger.debug(`Continuous deployment skips ${entity.metadata.name}: ${error}`);
      return [];
    }
    return automatic.flatMap(env => {
      const source = environments.find(e => e.name === env.promotesFrom);
      const target = environments.find(e => e.name === env.name);
      return source && target && shouldPromote(source, target) ? [{ entity, from: source.name, to: target.name }] : [];
    });
  }

  private async promote(entity: Entity, from: string, to: string) {
    try {
      const promotion = await this.options.promotions.createAutomatic(entity, from, to, CONTINUOUS_DEPLOYMENT_REQUESTER);
      this.options.logger.info(`Continuous deployment started promotion ${promotion.id} of ${promotion.entityRef} ${promotion.version.tag} to ${to}`);
    } catch (error) {
      // A failing gate or an active promotion means: not now. Anything else is worth a look.
      if (error instanceof GatesFailedError || error instanceof ConflictError) return;
      this.options.logger.warn(`Continuous deployment to ${to} failed for ${entity.metadata.name}: ${error}`);
    }
  }

  /** The entities that may take part, page by page (a large catalog is never read in one answer). */
  private async *entities(): AsyncGenerator<Entity> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    // Without an automatic environment in config, only entities that opt in matter.
    const annotations = this.options.config.environments.some(e => e.promotion.mode === 'automatic')
      ? GITOPS_ENTITY_ANNOTATIONS
      : [CONTINUOUS_DEPLOYMENT_ANNOTATION];
    const filter = annotations.map(a => ({ [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS }));
    const pages = this.options.catalog.streamEntities(
      { filter, fields: ['apiVersion', 'kind', 'metadata'], pageSize: CATALOG_PAGE },
      { credentials },
    );
    for await (const page of pages) yield* page;
  }
}

/**
 * Whether the source's version should go to the target now: the source runs a
 * different, verified (synced, healthy, rollout complete) version that is not older
 * than the target's (semantic versions compared; otherwise the later deployment wins).
 */
export function shouldPromote(source: EnvironmentDeployment, target: EnvironmentDeployment): boolean {
  const from = source.version?.tag;
  const to = target.version?.tag;
  if (!from || !target.applications.length || from === to) return false;
  const verified =
    source.applications.length > 0 &&
    source.applications.every(a => a.sync.status === 'Synced' && a.health.status === 'Healthy') &&
    source.rollouts.every(r => r.completed && !r.paused && !r.aborted) &&
    !source.unknownRollouts?.length;
  if (!verified) return false;
  const order = to ? compareVersionTags(from, to) : 1;
  if (order !== undefined) return order > 0;
  return (source.lastDeployedAt ?? '') > (target.lastDeployedAt ?? '');
}
