import type { Knex } from 'knex';
import type { ArgoApplication } from '../argocd/types';

/** One application of the inventory, with the live Rollouts it manages. */
export interface InventoryApplication {
  instance: string;
  application: ArgoApplication;
  rollouts: unknown[];
  refreshedAt: Date;
}

/** Outcome of the last refresh of one instance, for per-source errors. */
export interface InstanceRefresh {
  instance: string;
  refreshedAt?: Date;
  attemptedAt: Date;
  error?: string;
}

/** Persistence of the Argo CD inventory snapshot. */
export interface InventoryStore {
  replaceInstance(
    instance: string,
    apps: { application: ArgoApplication; rollouts: unknown[] }[],
    at: Date,
  ): Promise<void>;
  recordFailure(instance: string, error: string, at: Date): Promise<void>;
  /** Every instance's applications, or one instance's. */
  listApplications(instance?: string): Promise<InventoryApplication[]>;
  listRefreshes(): Promise<InstanceRefresh[]>;
}

type ApplicationRow = {
  instance: string;
  app_namespace: string;
  name: string;
  application: string;
  rollouts: string | null;
  refreshed_at: Date | string;
};

type RefreshRow = {
  instance: string;
  refreshed_at: Date | string | null;
  attempted_at: Date | string;
  error: string | null;
};

/** Knex implementation, tested on SQLite and PostgreSQL. */
export class DatabaseInventoryStore implements InventoryStore {
  constructor(private readonly db: Knex) {}

  async replaceInstance(
    instance: string,
    apps: { application: ArgoApplication; rollouts: unknown[] }[],
    at: Date,
  ): Promise<void> {
    const rows: ApplicationRow[] = apps.map(({ application, rollouts }) => ({
      instance,
      app_namespace: application.metadata.namespace ?? '',
      name: application.metadata.name,
      application: JSON.stringify(application),
      rollouts: rollouts.length ? JSON.stringify(rollouts) : null,
      refreshed_at: at,
    }));
    await this.db.transaction(async tx => {
      await tx('gitops_applications').where({ instance }).delete();
      // Batches keep each statement under SQLite's bound-parameter limit.
      for (let i = 0; i < rows.length; i += 100) {
        await tx('gitops_applications').insert(rows.slice(i, i + 100));
      }
      await tx('gitops_instance_refreshes')
        .insert({ instance, refreshed_at: at, attempted_at: at, error: null })
        .onConflict('instance')
        .merge();
    });
  }

  async recordFailure(instance: string, error: string, at: Date): Promise<void> {
    await this.db('gitops_instance_refreshes')
      .insert({ instance, attempted_at: at, error: error.slice(0, 2000) })
      .onConflict('instance')
      .merge(['attempted_at', 'error']);
  }

  async listApplications(instance?: string): Promise<InventoryApplication[]> {
    const query = this.db<ApplicationRow>('gitops_applications');
    const rows = await (instance ? query.where({ instance }) : query).select();
    return rows.map(row => ({
      instance: row.instance,
      application: JSON.parse(row.application),
      rollouts: row.rollouts ? JSON.parse(row.rollouts) : [],
      refreshedAt: new Date(row.refreshed_at),
    }));
  }

  async listRefreshes(): Promise<InstanceRefresh[]> {
    const rows = await this.db<RefreshRow>('gitops_instance_refreshes').select();
    return rows.map(row => ({
      instance: row.instance,
      refreshedAt: row.refreshed_at ? new Date(row.refreshed_at) : undefined,
      attemptedAt: new Date(row.attempted_at),
      error: row.error ?? undefined,
    }));
  }
}
