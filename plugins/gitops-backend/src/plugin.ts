import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { gitopsPermissions } from '@gitops-suite/backstage-plugin-gitops-common';
import { registerGitopsActions } from './actions/registerGitopsActions';
import { readGitopsConfig } from './config/gitopsConfig';
import { createRouter } from './service/router';
import { createGitopsContext } from './wiring/createGitopsContext';
import { scheduleGitopsTasks } from './wiring/scheduleGitopsTasks';

/**
 * The `gitops` backend plugin: the live Argo CD inventory, the Deployments and fleet
 * views, findings, promotions, rollbacks and rollout controls.
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
        lifecycle: coreServices.lifecycle,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        catalog: catalogServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const config = readGitopsConfig(deps.rootConfig);
        deps.permissionsRegistry.addPermissions(gitopsPermissions);
        const context = await createGitopsContext(config, deps);

        deps.lifecycle.addStartupHook(async () => {
          await context.inventory.start();
          await context.changes.start();
        });
        deps.lifecycle.addShutdownHook(async () => {
          await context.inventory.stop();
          await context.changes.stop();
        });
        await scheduleGitopsTasks(deps.scheduler, context);

        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
        // The REST API and the actions (for AI agents, over MCP) run on the same services.
        const apiOptions = {
          ...context,
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          catalog: deps.catalog,
          auditor: deps.auditor,
        };
        deps.httpRouter.use(await createRouter(apiOptions));
        registerGitopsActions(deps.actionsRegistry, apiOptions);
      },
    });
  },
});
