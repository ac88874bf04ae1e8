import type { SchedulerService } from '@backstage/backend-plugin-api';
import type { GitopsContext } from './createGitopsContext';

/** How long a deleted application's tombstone is kept: it only has to outlive a slow replica's events. */
const TOMBSTONE_RETENTION_MS = 24 * 3600_000;

/** The plugin's background work, on Backstage's scheduler. */
export async function scheduleGitopsTasks(
  scheduler: SchedulerService,
  context: GitopsContext,
) {
  const { config, inventory, inventoryStore, continuousDeployment, engine, scans, sourceChanges } =
    context;

  // Local: every replica follows Argo CD itself, so each polls (where it must) or
  // resyncs its own inventory.
  await scheduler.scheduleTask({
    id: 'gitops-argocd-inventory-refresh',
    scope: 'local',
    frequency: { seconds: config.argocd.refreshIntervalSeconds },
    timeout: { minutes: 5 },
    initialDelay: { seconds: config.argocd.refreshIntervalSeconds },
    fn: () => inventory.tick(),
  });

  await scheduler.scheduleTask({
    id: 'gitops-inventory-tombstones',
    frequency: { hours: 1 },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 5 },
    fn: async () => {
      await inventoryStore.purgeTombstones(
        new Date(Date.now() - TOMBSTONE_RETENTION_MS),
      );
    },
  });

  await scheduler.scheduleTask({
    id: 'gitops-scan-retention',
    frequency: { hours: 1 },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 10 },
    fn: async () => {
      const day = 24 * 3600_000;
      await scans.deleteExpired({
        supersededBefore: new Date(Date.now() - config.scans.supersededRetentionDays * day),
        expiredBefore: new Date(Date.now() - config.scans.maxAgeDays * day),
      });
    },
  });

  // Local: each replica keeps its own clones.
  await scheduler.scheduleTask({
    id: 'gitops-source-clone-pruning',
    scope: 'local',
    frequency: { hours: 24 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 30 },
    fn: async () => {
      await sourceChanges.prune();
    },
  });

  // Always scheduled: entities may opt in with an annotation even where config says
  // manual; without an automatic environment a run asks the catalog for those only.
  await scheduler.scheduleTask({
    id: 'gitops-continuous-deployment',
    frequency: { seconds: config.tasks.continuousDeploymentIntervalSeconds },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 10 },
    fn: () => continuousDeployment.runOnce(),
  });

  // Every replica runs the engine: promotions are leased one by one in the
  // database, so replicas share the work, and a replica that dies only holds its
  // own promotions until their leases expire (a global task would stay locked
  // until its timeout). src/reliability/replicas.test.ts proves it.
  await scheduler.scheduleTask({
    id: 'gitops-promotion-engine',
    scope: 'local',
    frequency: { seconds: config.tasks.promotionEngineIntervalSeconds },
    timeout: { minutes: 5 },
    initialDelay: { seconds: config.tasks.promotionEngineIntervalSeconds },
    fn: () => engine.runOnce(),
  });
}
