import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  gitopsReadPermission,
  gitopsRolloutControlPermission,
} from '@internal/backstage-plugin-gitops-common';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import express from 'express';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import type { InventoryStore } from '../database/InventoryStore';
import type { RolloutActionService } from '../rollouts/RolloutActionService';
import { spec } from '../schema/openapi.generated';
import type { PromotionService } from '../promotions/PromotionService';
import { registerPromotionRoutes } from './promotionRoutes';

export type GitopsApiRouter = ReturnType<typeof createValidatedOpenApiRouter<typeof spec>>;

export interface RouterOptions {
  config: GitopsConfig;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  deployments: DeploymentsService;
  inventoryStore: InventoryStore;
  rolloutActions: RolloutActionService;
  promotions: PromotionService;
  auditor: AuditorService;
}

/** The `gitops` REST API, validated against its OpenAPI spec. */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { config, httpAuth, permissions, catalog, deployments, inventoryStore } = options;

  /** The entity, when the caller holds the permission on it: 403, then 404. */
  async function authorizedEntity(
    params: { kind: string; namespace: string; name: string },
    permission: ResourcePermission<'catalog-entity'>,
    credentials: BackstageCredentials,
    verb: string,
  ) {
    const entityRef = stringifyEntityRef(params);
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
  }
  const router = createValidatedOpenApiRouter(spec);
  router.use(express.json({ limit: '1mb' }));

  router.get('/health', async (_req, res) => {
    const refreshes = await inventoryStore.listRefreshes();
    res.json({
      status: 'ok',
      instances: config.argocd.instances.map(({ name }) => {
        const refresh = refreshes.find(r => r.instance === name);
        return {
          name,
          refreshedAt: refresh?.refreshedAt?.toISOString(),
          error: refresh?.error,
        };
      }),
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
    const credentials = await httpAuth.credentials(req);
    const entity = await authorizedEntity(
      req.params,
      gitopsReadPermission,
      credentials,
      'read the deployments of',
    );
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
      const credentials = await httpAuth.credentials(req);
      const entity = await authorizedEntity(
        req.params,
        gitopsRolloutControlPermission,
        credentials,
        'control the rollouts of',
      );
      const rollout = await options.rolloutActions.run({ entity, environment, namespace, name, action });
      await auditEvent.success({ meta: { phase: rollout.phase } });
      res.json(rollout);
    } catch (error) {
      await auditEvent.fail({ error: error as Error });
      throw error;
    }
  });

  registerPromotionRoutes(router, {
    httpAuth,
    catalog,
    auditor: options.auditor,
    promotions: options.promotions,
  });

  return router;
}
