import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { gitopsReadPermission } from '@internal/backstage-plugin-gitops-common';
import express from 'express';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import type { InventoryStore } from '../database/InventoryStore';
import { spec } from '../schema/openapi.generated';

export interface RouterOptions {
  config: GitopsConfig;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  deployments: DeploymentsService;
  inventoryStore: InventoryStore;
}

/** The `gitops` REST API, validated against its OpenAPI spec. */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { config, httpAuth, permissions, catalog, deployments, inventoryStore } = options;
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
    const entityRef = stringifyEntityRef({
      kind: req.params.kind,
      namespace: req.params.namespace,
      name: req.params.name,
    });
    const [decision] = await permissions.authorize(
      [{ permission: gitopsReadPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed to read the deployments of ${entityRef}`);
    }
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    res.json(await deployments.getDeployments(entity));
  });

  return router;
}
