import type {
  AuditorService,
  AuthService,
  DatabaseService,
  DiscoveryService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  GithubPullRequests,
  GitopsRepositoryWriter,
  ScmCredentials,
} from '@gitops-suite/backstage-plugin-gitops-node';
import os from 'os';
import path from 'path';
import { ArgoCdClient } from '../argocd/ArgoCdClient';
import type { GitopsConfig } from '../config/gitopsConfig';
import { DatabaseInventoryStore } from '../database/InventoryStore';
import { connectDatabase } from '../database/migrations';
import { PromotionStore } from '../database/PromotionStore';
import { DeploymentsService } from '../deployments/DeploymentsService';
import { createFindingsService } from '../findings/createFindingsService';
import { EntityFindings } from '../findings/EntityFindings';
import { DatabaseScanStore } from '../findings/ScanStore';
import { FleetService } from '../fleet/FleetService';
import { Inventory } from '../inventory/Inventory';
import { createKubernetesAccess } from '../kubernetes/createKubernetesAccess';
import { ArgoCdRollbackService } from '../promotions/ArgoCdRollbackService';
import { createFailureHandler } from '../promotions/autoRollback';
import { ContinuousDeployment } from '../promotions/ContinuousDeployment';
import { PromotionEngine } from '../promotions/PromotionEngine';
import { createOutcomeNotifier } from '../promotions/promotionNotifications';
import { PromotionPlanner } from '../promotions/targets/PromotionPlanner';
import { PromotionService } from '../promotions/PromotionService';
import { PromotionStarter } from '../promotions/PromotionStarter';
import { LineStops } from '../promotions/LineStops';
import { LineStopStore } from '../database/LineStopStore';
import { RollbackService } from '../promotions/RollbackService';
import { SourceChangesReader } from '../promotions/SourceChangesReader';
import { KubernetesRolloutControl } from '../rollouts/KubernetesRolloutControl';
import { RolloutActionService } from '../rollouts/RolloutActionService';
import { ApplicationActionService } from '../applications/ApplicationActionService';
import { publishChanges } from '../signals/publishChanges';
import { InsightsService } from '../insights/InsightsService';
import { InsightsStore } from '../insights/InsightsStore';
import { DeploymentRecorder } from '../insights/DeploymentRecorder';

/** The services the plugin is built from (see plugin.ts). */
export interface GitopsDeps {
  rootConfig: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  userInfo: UserInfoService;
  auth: AuthService;
  discovery: DiscoveryService;
  catalog: CatalogService;
  notifications: NotificationService;
  signals: SignalsService;
}

/**
 * Creates every part of the plugin once, from its config and services: the one place
 * that knows how the parts fit together, so plugin.ts only registers and wires them.
 */
export async function createGitopsContext(
  config: GitopsConfig,
  deps: GitopsDeps,
) {
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
  const scans = new DatabaseScanStore(db);
  const findingsService = createFindingsService({
    kubernetes,
    logger: deps.logger,
    scans,
  });
  const findings = new EntityFindings(inventory, findingsService);
  const deployments = new DeploymentsService(config, inventory, findings);
  const promotionStore = new PromotionStore(db);
  const integrations = ScmIntegrations.fromConfig(deps.rootConfig);
  const scmCredentials = ScmCredentials.fromIntegrations(integrations);
  const writer = new GitopsRepositoryWriter({
    workDir: config.git.workDir,
    author: { name: config.git.authorName, email: config.git.authorEmail },
    credentials: scmCredentials,
  });
  const sourceChanges = new SourceChangesReader({
    workDir: path.join(config.git.workDir ?? path.join(os.tmpdir(), 'backstage-gitops'), 'sources'),
    integrations,
    credentials: scmCredentials,
    rewriteUrls: config.git.rewriteUrls,
    logger: deps.logger,
    cloneRetentionMs: config.git.sourceCloneRetentionDays * 24 * 3600_000,
    maxClones: config.git.maxSourceClones,
  });
  const gates = { evidence: findings, store: promotionStore, now: () => new Date() };
  const lineStopStore = new LineStopStore(db);
  const lineStops = new LineStops({ config, store: lineStopStore, permissions: deps.permissions, userInfo: deps.userInfo });
  const starter = new PromotionStarter({
    store: promotionStore,
    notifications: deps.notifications,
    logger: deps.logger,
  });
  const planner = new PromotionPlanner(inventory, writer);
  const promotions = new PromotionService({
    config,
    deployments,
    planner,
    store: promotionStore,
    gates,
    starter,
    lineStops,
    sourceChanges,
    permissions: deps.permissions,
    userInfo: deps.userInfo,
  });
  const rollbacks = new RollbackService({
    config,
    deployments,
    planner,
    store: promotionStore,
    writer,
    gates,
    starter,
    lineStops,
    permissions: deps.permissions,
    userInfo: deps.userInfo,
  });
  const engine = new PromotionEngine({
    config,
    store: promotionStore,
    lineStops,
    writer,
    inventory,
    clients: clientsByName,
    logger: deps.logger,
    workerId: `${os.hostname()}-${process.pid}`,
    concurrency: config.tasks.promotionEngineConcurrency,
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
    onFinished: createOutcomeNotifier({
      catalog: deps.catalog,
      auth: deps.auth,
      logger: deps.logger,
      notifications: deps.notifications,
    }),
  });

  const continuousDeployment = new ContinuousDeployment({
    config,
    catalog: deps.catalog,
    auth: deps.auth,
    deployments,
    promotions,
    logger: deps.logger,
  });
  // Every version Argo CD syncs, for the deployment frequency (also what no promotion made).
  const deploymentRecorder = new DeploymentRecorder(db, config.environments, deps.logger);
  inventory.onChange(change => void deploymentRecorder.record(change.instance, change.entries));
  const changes = publishChanges({
    inventory,
    promotions: promotionStore,
    lineStops: lineStopStore,
    signals: deps.signals,
    catalog: deps.catalog,
    auth: deps.auth,
    logger: deps.logger,
  });
  return {
    config,
    inventory,
    inventoryStore,
    deployments,
    findings,
    scans,
    promotions,
    rollbacks,
    engine,
    continuousDeployment,
    changes,
    fleet: new FleetService(config, inventory, findingsService),
    rolloutActions: new RolloutActionService(
      config,
      inventory,
      clientsByName,
      new KubernetesRolloutControl(kubernetes.clusters, kubernetes.client),
    ),
    argoCdRollbacks: new ArgoCdRollbackService(inventory, clientsByName),
    lineStops,
    sourceChanges,
    insights: new InsightsService({
      store: new InsightsStore(db),
      inventory,
      environments: config.environments.map(env => env.name),
      sourceChanges,
      logger: deps.logger,
    }),
    applicationActions: new ApplicationActionService({ config, inventory, clients: clientsByName, promotions: promotionStore }),
  };
}

/** What `createGitopsContext` builds. */
export type GitopsContext = Awaited<ReturnType<typeof createGitopsContext>>;
