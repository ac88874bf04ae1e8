import type { LoggerService } from '@backstage/backend-plugin-api';
import pLimit from 'p-limit';
import type { ArgoCdClient } from '../argocd/ArgoCdClient';
import { managedRollouts, trimApplication } from '../argocd/trimApplication';
import type { ArgoApplication } from '../argocd/types';
import type {
  InventoryApplication,
  InventoryStore,
} from '../database/InventoryStore';

/** At most this many live-resource calls run at once against one instance. */
const ROLLOUT_FETCH_CONCURRENCY = 8;

/**
 * Refreshes the inventory of every Argo CD instance: one list call per instance,
 * plus one live-manifest call per managed Rollout so rollout progress is in the
 * snapshot too. Instances are independent: one failing leaves the others fresh
 * and its last good snapshot in place, with the error recorded.
 */
export class InventoryRefresher {
  constructor(
    private readonly clients: ArgoCdClient[],
    private readonly store: InventoryStore,
    private readonly logger: LoggerService,
  ) {}

  async refreshAll(): Promise<void> {
    await Promise.all(this.clients.map(client => this.refreshInstance(client)));
  }

  async refreshInstance(client: ArgoCdClient): Promise<void> {
    const started = new Date();
    try {
      const [apps, previous] = await Promise.all([
        client.listApplications(),
        this.previousRollouts(client.name),
      ]);
      const limit = pLimit(ROLLOUT_FETCH_CONCURRENCY);
      const entries = await Promise.all(
        apps.map(app =>
          limit(async () => ({
            application: trimApplication(app),
            rollouts:
              reusableRollouts(app, previous) ??
              (await this.fetchRollouts(client, app)),
          })),
        ),
      );
      await this.store.replaceInstance(client.name, entries, started);
      this.logger.debug(
        `Refreshed ${entries.length} applications of Argo CD instance ${client.name}`,
      );
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn(`Inventory refresh of ${client.name} failed: ${message}`);
      await this.store.recordFailure(client.name, message, started);
    }
  }

  private async previousRollouts(instance: string) {
    const apps = await this.store.listApplications(instance);
    return new Map(apps.map(app => [appKey(app.application), app]));
  }

  private async fetchRollouts(
    client: ArgoCdClient,
    app: ArgoApplication,
  ): Promise<unknown[]> {
    const rollouts = managedRollouts(app);
    const live = await Promise.all(
      rollouts.map(resource =>
        client
          .getResource(
            app.metadata.name,
            {
              namespace: resource.namespace ?? '',
              resourceName: resource.name!,
              version: resource.version ?? 'v1alpha1',
              kind: 'Rollout',
              group: 'argoproj.io',
            },
            app.metadata.namespace,
          )
          .catch(error => {
            // A missing rollout (not yet created) must not fail the whole instance.
            this.logger.debug(
              `No live Rollout ${resource.namespace}/${resource.name} for ${app.metadata.name}: ${error.message}`,
            );
            return undefined;
          }),
      ),
    );
    return live.filter(Boolean);
  }
}

function appKey(app: ArgoApplication) {
  return `${app.metadata.namespace ?? ''}/${app.metadata.name}`;
}

/**
 * A settled application keeps the Rollouts read last time: only moving applications
 * cost live-resource calls, so a refresh of a thousand quiet applications is one list
 * call. Settled means Healthy now and nothing Argo CD reports about it changed since
 * the last read (revision, sync status, last operation, resource health): a sync that
 * went OutOfSync -> Progressing -> Healthy between two refreshes is not settled.
 */
function reusableRollouts(
  app: ArgoApplication,
  previous: Map<string, InventoryApplication>,
): unknown[] | undefined {
  const before = previous.get(appKey(app));
  if (!before || app.status?.health?.status !== 'Healthy') return undefined;
  return fingerprint(before.application) === fingerprint(trimApplication(app))
    ? before.rollouts
    : undefined;
}

function fingerprint(app: ArgoApplication): string {
  const status = app.status ?? {};
  return JSON.stringify([
    status.sync?.status,
    status.sync?.revision,
    status.health?.status,
    status.operationState?.finishedAt,
    status.history?.[status.history.length - 1]?.id,
    managedRollouts(app).map(r => [r.namespace, r.name, r.health?.status]),
  ]);
}
