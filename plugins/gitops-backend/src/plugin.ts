import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ScmIntegrations } from '@backstage/integration';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import os from 'os';
import path from 'path';
import { gitopsPermissions } from '@gitops-suite/backstage-plugin-gitops-common';
import { ArgoCdClient } from './argocd/ArgoCdClient';
import { readGitopsConfig } from './config/gitopsConfig';
import { DatabaseInventoryStore } from './database/InventoryStore';
import { connectDatabase } from './database/migrations';
import { DeploymentsService } from './deployments/DeploymentsService';
import { Inventory } from './inventory/Inventory';
import { RolloutActionService } from './rollouts/RolloutActionService';
import { KubernetesRolloutControl } from './rollouts/KubernetesRolloutControl';
import { createKubernetesAccess } from './kubernetes/createKubernetesAccess';
import { createRouter } from './service/router';
import { PromotionStore } from './database/PromotionStore';
import {
  GithubPullRequests,
  GitopsRepositoryWriter,
  ScmCredentials,
} from '@gitops-suite/backstage-plugin-gitops-node';
import { PromotionEngine } from './promotions/PromotionEngine';
import { SourceChangesReader } from './promotions/SourceChangesReader';
import { PromotionService } from './promotions/PromotionService';
import { RollbackService } from './promotions/RollbackService';
import { createFailureHandler } from './promotions/autoRollback';
import { ContinuousDeployment } from './promotions/ContinuousDeployment';
import { FleetService } from './fleet/FleetService';
import { ArgoCdRollbackService } from './promotions/ArgoCdRollbackService';
import { createFindingsService } from './findings/createFindingsService';
import { EntityFindings } from './findings/EntityFindings';
import { DatabaseScanStore } from './findings/ScanStore';
import { publishChanges } from './signals/publishChanges';

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
      },
      async init(deps) {
        const config = readGitopsConfig(deps.rootConfig);
        deps.permissionsRegistry.addPermissions(gitopsPermissions);

        const db = await connectDatabase(deps.database);
        const inventoryStore = new DatabaseInventoryStore(db);
        const clients = config.argocd.instances.map(
          instance => new ArgoCdClient(instance, config.argocd.requestTimeoutMs),
        );
        // Every replica follows each Argo CD instance itself (see InstanceFollower).
        const inventory = new Inventory(config, clients, inventoryStore, deps.logger);
        const clientsByName = new Map(clients.map(client => [client.name, client]));
        // Findings and `rolloutControl: kubernetes` reach clusters through the Kubernetes plugin.
        const kubernetes = createKubernetesAccess({
          config: deps.rootConfig,
          discovery: deps.discovery,
          auth: deps.auth,
          logger: deps.logger,
          requestTimeoutMs: config.kubernetes.requestTimeoutMs,
        });
        const findingsService = createFindingsService({
          kubernetes,
          logger: deps.logger,
          database: db,
        });
        const findings = new EntityFindings(inventory, findingsService);
        const scans = new DatabaseScanStore(db);
        const deployments = new DeploymentsService(config, inventory, findings);
        const promotionStore = new PromotionStore(db);
        const integrations = ScmIntegrations.fromConfig(deps.rootConfig);
        const scmCredentials = ScmCredentials.fromIntegrations(integrations);
        const writer = new GitopsRepositoryWriter({
          workDir: config.git.workDir,
          author: { name: config.git.authorName, email: config.git.authorEmail },
          credentials: scmCredentials,
        });
        const promotions = new PromotionService({
          config,
          deployments,
          store: promotionStore,
          evidence: findings,
          sourceChanges: new SourceChangesReader({
            workDir: path.join(config.git.workDir ?? path.join(os.tmpdir(), 'backstage-gitops'), 'sources'),
            integrations,
            credentials: scmCredentials,
            rewriteUrls: config.git.rewriteUrls,
            logger: deps.logger,
          }),
          permissions: deps.permissions,
          userInfo: deps.userInfo,
          notifications: deps.notifications,
          logger: deps.logger,
        });
        const rollbacks = new RollbackService({
          config,
          deployments,
          store: promotionStore,
          writer,
          evidence: findings,
          permissions: deps.permissions,
          userInfo: deps.userInfo,
        });
        const engine = new PromotionEngine({
          config,
          store: promotionStore,
          writer,
          inventory,
          clients: clientsByName,
          logger: deps.logger,
          workerId: `${os.hostname()}-${process.pid}`,
          pullRequests: [new GithubPullRequests(integrations, scmCredentials)],
          onVerificationFailed: createFailureHandler({
            config,
            store: promotionStore,
            rollbacks,
            catalog: deps.catalog,
            auth: deps.auth,
            logger: deps.logger,
            notifications: deps.notifications,
          }),
        });

        const changes = publishChanges({
          inventory,
          promotions: promotionStore,
          signals: deps.signals,
          catalog: deps.catalog,
          auth: deps.auth,
          logger: deps.logger,
        });
        deps.lifecycle.addStartupHook(async () => {
          await inventory.start();
          await changes.start();
        });
        deps.lifecycle.addShutdownHook(async () => {
          await inventory.stop();
          await changes.stop();
        });
        // Local: every replica follows Argo CD itself, so each polls (where it must) or
        // resyncs its own inventory.
        await deps.scheduler.scheduleTask({
          id: 'gitops-argocd-inventory-refresh',
          scope: 'local',
          frequency: { seconds: config.argocd.refreshIntervalSeconds },
          timeout: { minutes: 5 },
          initialDelay: { seconds: config.argocd.refreshIntervalSeconds },
          fn: () => inventory.tick(),
        });
        await deps.scheduler.scheduleTask({
          id: 'gitops-inventory-tombstones',
          frequency: { hours: 1 },
          timeout: { minutes: 5 },
          initialDelay: { minutes: 5 },
          // A deleted application's tombstone only has to outlive a slow replica's events.
          fn: async () => {
            await inventoryStore.purgeTombstones(new Date(Date.now() - 24 * 3600_000));
          },
        });

        const continuousDeployment = new ContinuousDeployment({
          config,
          catalog: deps.catalog,
          auth: deps.auth,
          deployments,
          promotions,
          logger: deps.logger,
        });
        // Always scheduled: entities may opt in with an annotation even where config says
        // manual; without an automatic environment a run asks the catalog for those only.
        await deps.scheduler.scheduleTask({
          id: 'gitops-continuous-deployment',
          frequency: { seconds: 15 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 10 },
          fn: () => continuousDeployment.runOnce(),
        });

        // Every replica runs the engine: promotions are leased one by one in the
        // database, so replicas share the work, and a replica that dies only holds its
        // own promotions until their leases expire (a global task would stay locked
        // until its timeout). src/reliability/replicas.test.ts proves it.
        await deps.scheduler.scheduleTask({
          id: 'gitops-promotion-engine',
          scope: 'local',
          frequency: { seconds: 2 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 2 },
          fn: () => engine.runOnce(),
        });

        deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        deps.httpRouter.use(
          await createRouter({
            config,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            catalog: deps.catalog,
            deployments,
            inventory,
            auditor: deps.auditor,
            rolloutActions: new RolloutActionService(
              config,
              inventory,
              clientsByName,
              new KubernetesRolloutControl(kubernetes.clusters, kubernetes.client),
            ),
            promotions,
            rollbacks,
            findings,
            fleet: new FleetService(config, inventory, findingsService),
            argoCdRollbacks: new ArgoCdRollbackService(inventory, clientsByName),
            scans,
          }),
        );
      },
    });
  },
});
