import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { gitopsPermissions } from '@internal/backstage-plugin-gitops-common';
import { ArgoCdClient } from './argocd/ArgoCdClient';
import { readGitopsConfig } from './config/gitopsConfig';
import { DatabaseInventoryStore } from './database/InventoryStore';
import { connectDatabase } from './database/migrations';
import { DeploymentsService } from './deployments/DeploymentsService';
import { Inventory } from './inventory/Inventory';
import { InventoryRefresher } from './inventory/InventoryRefresher';
import { RolloutActionService } from './rollouts/RolloutActionService';
import { createRouter } from './service/router';

/**
 * The `gitops` backend plugin: Argo CD inventory, the Deployments view and (in later
 * capabilities) findings, promotions and rollout controls.
 *
 * @public
 */
export const gitopsPlugin = createBackendPlugin({
  pluginId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const config = readGitopsConfig(deps.rootConfig);
        deps.permissionsRegistry.addPermissions(gitopsPermissions);

        const db = await connectDatabase(deps.database);
        const inventoryStore = new DatabaseInventoryStore(db);
        const clients = config.argocd.instances.map(
          instance => new ArgoCdClient(instance, config.argocd.requestTimeoutMs),
        );
        const inventory = new Inventory(
          inventoryStore,
          clients.map(c => c.name),
        );
        const refresher = new InventoryRefresher(clients, inventoryStore, deps.logger);

        if (clients.length) {
          await deps.scheduler.scheduleTask({
            id: 'gitops-argocd-inventory-refresh',
            frequency: { seconds: config.argocd.refreshIntervalSeconds },
            timeout: { minutes: 5 },
            initialDelay: { seconds: 1 },
            fn: async () => {
              await refresher.refreshAll();
              inventory.invalidate();
            },
          });
        }

        deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        deps.httpRouter.use(
          await createRouter({
            config,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            catalog: deps.catalog,
            deployments: new DeploymentsService(config, inventory),
            inventoryStore,
            auditor: deps.auditor,
            rolloutActions: new RolloutActionService(
              config,
              inventory,
              new Map(clients.map(client => [client.name, client])),
              refresher,
            ),
          }),
        );
      },
    });
  },
});
