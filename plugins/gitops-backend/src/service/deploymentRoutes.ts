import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  gitopsApplicationSyncPermission,
  gitopsRollbackPermission,
  gitopsRolloutControlPermission,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import { fleetEntityQuery, type FleetService } from '../fleet/FleetService';
import type { Inventory } from '../inventory/Inventory';
import type { ApplicationActionService } from '../applications/ApplicationActionService';
import type { ArgoCdRollbackService } from '../promotions/ArgoCdRollbackService';
import type { RolloutActionService } from '../rollouts/RolloutActionService';
import type { RouteContext } from './routeContext';
import type { GitopsApiRouter } from './routeTypes';

export interface DeploymentRouteOptions {
  config: GitopsConfig;
  catalog: CatalogService;
  inventory: Pick<Inventory, 'statuses'>;
  deployments: DeploymentsService;
  rolloutActions: RolloutActionService;
  fleet: FleetService;
  argoCdRollbacks: ArgoCdRollbackService;
  applicationActions: ApplicationActionService;
}

/** What runs where: health, environments, an entity's deployments, the fleet, and the controls on them. */
export function registerDeploymentRoutes(router: GitopsApiRouter, context: RouteContext, options: DeploymentRouteOptions) {
  const { httpAuth, authorizedEntity, audited, readableRefs } = context;
  const { config, catalog, inventory, deployments } = options;

  router.get('/health', async (_req, res) => {
    res.json({
      status: 'ok',
      instances: inventory.statuses().map(status => ({
        name: status.name,
        mode: status.mode,
        modeReason: status.modeReason,
        refreshedAt: status.listedAt?.toISOString(),
        lastEventAt: status.lastEventAt?.toISOString(),
        error: status.error,
      })),
    });
  });

  router.get('/v1/environments', async (_req, res) => {
    res.json({
      environments: config.environments.map(env => ({
        name: env.name,
        title: env.title ?? env.name,
        promotesFrom: env.promotesFrom,
      })),
    });
  });

  router.get('/v1/entities/:kind/:namespace/:name/deployments', async (req, res) => {
    const entity = await authorizedEntity(req, 'read the deployments of');
    res.json(await deployments.getDeployments(entity));
  });

  router.post('/v1/entities/:kind/:namespace/:name/rollouts/:action', async (req, res) => {
    const { action } = req.params;
    const { environment, namespace, name } = req.body;
    const event = {
      eventId: 'rollout-action',
      meta: { entityRef: stringifyEntityRef(req.params), action, environment, namespace, name },
      resultMeta: (rollout: { phase: string }) => ({ phase: rollout.phase }),
    };
    const rollout = await audited(req, event, async () => {
      const entity = await authorizedEntity(req, 'control the rollouts of', gitopsRolloutControlPermission);
      return options.rolloutActions.run({ entity, environment, namespace, name, action });
    });
    res.json(rollout);
  });

  router.post('/v1/entities/:kind/:namespace/:name/applications/:action', async (req, res) => {
    const { action } = req.params;
    const event = { eventId: 'application-action', meta: { entityRef: stringifyEntityRef(req.params), action, ...req.body } };
    const application = await audited(req, event, async () => {
      const entity = await authorizedEntity(req, `${action} the applications of`, gitopsApplicationSyncPermission);
      return options.applicationActions.run({ ...req.body, entity, action });
    });
    res.json(application);
  });

  router.get('/v1/fleet', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { owner, system, kind, findings } = req.query;
    const filter = { owner, system, kind };
    const { items } = await catalog.getEntities(fleetEntityQuery(CATALOG_FILTER_EXISTS, filter), { credentials });
    // Only entities whose deployments the caller may read, decided in one batch.
    const allowed = await readableRefs(items.map(entity => stringifyEntityRef(entity)), credentials);
    const readable = items.filter(entity => allowed.has(stringifyEntityRef(entity)));
    res.json(await options.fleet.getFleet(readable, filter, { includeFindings: findings === 'true' }));
  });

  router.post('/v1/entities/:kind/:namespace/:name/argocd-rollback', async (req, res) => {
    const event = { eventId: 'argocd-rollback', severityLevel: 'high' as const, meta: { entityRef: stringifyEntityRef(req.params), ...req.body } };
    const result = await audited(req, event, async () => {
      const entity = await authorizedEntity(req, 'roll back', gitopsRollbackPermission);
      return options.argoCdRollbacks.rollback(entity, req.body);
    });
    res.json(result);
  });
}
