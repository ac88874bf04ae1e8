import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  gitopsReadPermission,
  gitopsRollbackPermission,
  gitopsRolloutControlPermission,
} from '@gitops-suite/backstage-plugin-gitops-common';
import express from 'express';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { Inventory } from '../inventory/Inventory';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import type { EntityFindings } from '../findings/EntityFindings';
import type { ScanStore } from '../findings/ScanStore';
import type { PromotionService } from '../promotions/PromotionService';
import type { RollbackService } from '../promotions/RollbackService';
import type { ArgoCdRollbackService } from '../promotions/ArgoCdRollbackService';
import type { RolloutActionService } from '../rollouts/RolloutActionService';
import { spec } from '../schema/openapi.generated';
import { registerFindingsRoutes } from './findingsRoutes';
import type { AuthorizedEntity } from './routeTypes';
import { fleetEntityQuery, type FleetService } from '../fleet/FleetService';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { registerPromotionRoutes } from './promotionRoutes';

/** Uploaded Trivy reports can be large; everything else is small. */
const BODY_LIMIT = '10mb';

export interface RouterOptions {
  config: GitopsConfig;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
  inventory: Pick<Inventory, 'statuses'>;
  deployments: DeploymentsService;
  rolloutActions: RolloutActionService;
  promotions: PromotionService;
  rollbacks: RollbackService;
  findings: EntityFindings;
  scans: ScanStore;
  fleet: FleetService;
  argoCdRollbacks: ArgoCdRollbackService;
}

/** The `gitops` REST API, validated against its OpenAPI spec. */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { config, httpAuth, permissions, catalog, deployments, inventory } = options;
  const router = createValidatedOpenApiRouter(spec, {
    middleware: [express.json({ limit: BODY_LIMIT })],
  });

  /** 403 without the permission on the entity, then 404 when it does not exist. */
  const authorizedEntity: AuthorizedEntity = async (req, verb, permission = gitopsReadPermission) => {
    const credentials: BackstageCredentials = await httpAuth.credentials(req);
    const entityRef = stringifyEntityRef(req.params);
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed to ${verb} ${entityRef}`);
    }
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    return entity;
  };

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
    const auditEvent = await options.auditor.createEvent({
      eventId: 'rollout-action',
      severityLevel: 'medium',
      request: req,
      meta: { entityRef: stringifyEntityRef(req.params), action, environment, namespace, name },
    });
    try {
      const entity = await authorizedEntity(req, 'control the rollouts of', gitopsRolloutControlPermission);
      const rollout = await options.rolloutActions.run({ entity, environment, namespace, name, action });
      await auditEvent.success({ meta: { phase: rollout.phase } });
      res.json(rollout);
    } catch (error) {
      await auditEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/v1/fleet', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { owner, system, kind, findings } = req.query;
    const filter = { owner, system, kind };
    const query = fleetEntityQuery(CATALOG_FILTER_EXISTS, filter);
    const { items } = await catalog.getEntities(query, { credentials });
    // Only entities whose deployments the caller may read, decided in one batch.
    const decisions = await permissions.authorize(
      items.map(entity => ({ permission: gitopsReadPermission, resourceRef: stringifyEntityRef(entity) })),
      { credentials },
    );
    const readable = items.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW);
    res.json(await options.fleet.getFleet(readable, filter, { includeFindings: findings === 'true' }));
  });

  router.post('/v1/entities/:kind/:namespace/:name/argocd-rollback', async (req, res) => {
    const auditEvent = await options.auditor.createEvent({
      eventId: 'argocd-rollback',
      severityLevel: 'high',
      request: req,
      meta: { entityRef: stringifyEntityRef(req.params), ...req.body },
    });
    try {
      const entity = await authorizedEntity(req, 'roll back', gitopsRollbackPermission);
      const result = await options.argoCdRollbacks.rollback(entity, req.body);
      await auditEvent.success();
      res.json(result);
    } catch (error) {
      await auditEvent.fail({ error: error as Error });
      throw error;
    }
  });

  registerFindingsRoutes(router, {
    httpAuth,
    authorizedEntity,
    findings: options.findings,
    scans: options.scans,
  });
  registerPromotionRoutes(router, {
    httpAuth,
    catalog,
    permissions,
    auditor: options.auditor,
    promotions: options.promotions,
    rollbacks: options.rollbacks,
    authorizedEntity,
  });

  return router;
}
