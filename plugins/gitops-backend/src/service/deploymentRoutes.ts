import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  gitopsApplicationSyncPermission,
  gitopsRollbackPermission,
  gitopsRolloutControlPermission,
  type RolloutAction,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import { fleetEntityQuery, type FleetService } from '../fleet/FleetService';
import type { FleetFilter } from '../fleet/types';
import type { Inventory } from '../inventory/Inventory';
import type { ApplicationActionService } from '../applications/ApplicationActionService';
import type { ArgoCdRollbackService } from '../promotions/ArgoCdRollbackService';
import type { RolloutActionService } from '../rollouts/RolloutActionService';
import type { AuditedEvent, RouteContext } from './routeContext';
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

/** A rollout control on one of an entity's Rollouts (the route's path and body). */
export type RolloutControlRequest = {
  entityRef: string;
  action: RolloutAction;
  environment: string;
  namespace: string;
  name: string;
};

/** The audit event of a rollout control, for the route and the action alike. */
export function rolloutEvent({ entityRef, action, environment, namespace, name }: RolloutControlRequest): AuditedEvent {
  return {
    eventId: 'rollout-action',
    meta: { entityRef, action, environment, namespace, name },
    resultMeta: (rollout: { phase: string }) => ({ phase: rollout.phase }),
  };
}

/** The fleet's entities (those with gitops annotations) whose deployments the caller may read, decided in one batch. */
export async function readableFleetEntities(
  context: { catalog: CatalogService; readableRefs: RouteContext['readableRefs'] },
  credentials: BackstageCredentials,
  filter: FleetFilter = {},
) {
  const { items } = await context.catalog.getEntities(fleetEntityQuery(CATALOG_FILTER_EXISTS, filter), { credentials });
  const allowed = await context.readableRefs(items.map(entity => stringifyEntityRef(entity)), credentials);
  return items.filter(entity => allowed.has(stringifyEntityRef(entity)));
}

/**
 * What the deployment routes do once the caller's credentials are known, shared by the
 * routes and the actions (same permission checks).
 */
export function deploymentOperations(
  context: Pick<RouteContext, 'permittedEntity' | 'readableRefs'>,
  options: Pick<DeploymentRouteOptions, 'catalog' | 'deployments' | 'rolloutActions' | 'fleet'>,
) {
  const { permittedEntity, readableRefs } = context;
  return {
    async deployments(credentials: BackstageCredentials, entityRef: string) {
      const entity = await permittedEntity(entityRef, credentials, 'read the deployments of');
      return options.deployments.getDeployments(entity);
    },

    async fleet(credentials: BackstageCredentials, filter: FleetFilter, includeFindings: boolean) {
      const readable = await readableFleetEntities({ catalog: options.catalog, readableRefs }, credentials, filter);
      return options.fleet.getFleet(readable, filter, { includeFindings });
    },

    async rolloutControl(credentials: BackstageCredentials, request: RolloutControlRequest) {
      const { entityRef, ...target } = request;
      const entity = await permittedEntity(entityRef, credentials, 'control the rollouts of', gitopsRolloutControlPermission);
      return options.rolloutActions.run({ entity, ...target });
    },
  };
}

/** What runs where: health, environments, an entity's deployments, the fleet, and the controls on them. */
export function registerDeploymentRoutes(router: GitopsApiRouter, context: RouteContext, options: DeploymentRouteOptions) {
  const { httpAuth, authorizedEntity, audited } = context;
  const { config, inventory } = options;
  const operations = deploymentOperations(context, options);

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
    res.json(await operations.deployments(await httpAuth.credentials(req), stringifyEntityRef(req.params)));
  });

  router.post('/v1/entities/:kind/:namespace/:name/rollouts/:action', async (req, res) => {
    const { environment, namespace, name } = req.body;
    const request = { entityRef: stringifyEntityRef(req.params), action: req.params.action, environment, namespace, name };
    const rollout = await audited(req, rolloutEvent(request), async () =>
      operations.rolloutControl(await httpAuth.credentials(req), request),
    );
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
    res.json(await operations.fleet(credentials, { owner, system, kind }, findings === 'true'));
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
