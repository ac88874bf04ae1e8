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
import type { GitopsConfig } from '../config/gitopsConfig';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import { GatesFailedError, type PromotionService } from './PromotionService';

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
      deployments: DeploymentsService;
      promotions: PromotionService;
      logger: LoggerService;
    },
  ) {}

  async runOnce(): Promise<void> {
    const promoted = this.options.config.environments.filter(e => e.promotesFrom);
    for (const entity of await this.entities()) {
      const optedIn = optedInEnvironments(entity);
      const automatic = promoted.filter(e => e.promotion.mode === 'automatic' || optedIn.includes(e.name));
      if (!automatic.length) continue;
      const view = await this.options.deployments.getDeployments(entity);
      for (const env of automatic) {
        const source = view.environments.find(e => e.name === env.promotesFrom);
        const target = view.environments.find(e => e.name === env.name);
        if (source && target && shouldPromote(source, target)) {
          await this.promote(entity, source.name, target.name);
        }
      }
    }
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

  private async entities(): Promise<Entity[]> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    // Without an automatic environment in config, only entities that opt in matter.
    const annotations = this.options.config.environments.some(e => e.promotion.mode === 'automatic')
      ? GITOPS_ENTITY_ANNOTATIONS
      : [CONTINUOUS_DEPLOYMENT_ANNOTATION];
    const { items } = await this.options.catalog.getEntities(
      { filter: annotations.map(a => ({ [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS })) },
      { credentials },
    );
    return items;
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
