import type { Knex } from 'knex';
import {
  resourceVersionOf,
  type InventoryEntry,
} from '../inventory/InventoryEntry';

/** Outcome of the last full list of one instance, for per-source errors. */
export interface InstanceRefresh {
  instance: string;
  refreshedAt?: Date;
  attemptedAt: Date;
  error?: string;
}

/** Identifies one application of an instance. */
export type ApplicationKey = { namespace?: string; name: string };

/**
 * The durable copy of the inventory, shared by replicas: each replica follows Argo CD
 * itself and writes what it sees, one application at a time. Writes are guarded by the
 * application's resourceVersion, so a replica that is behind never overwrites a newer
 * state, and deletions leave tombstones for the same reason. Replicas read it at start
 * so a restart shows the last known state before Argo CD answers.
 */
export interface InventoryStore {
  /** Writes entries newer than what is stored; returns how many rows changed. */
  upsert(entries: InventoryEntry[]): Promise<number>;
  /** Marks applications deleted as of `resourceVersion` (tombstones). */
  remove(instance: string, keys: (ApplicationKey & { resourceVersion?: string })[], at: Date): Promise<number>;
  /** Every instance's live (not deleted) applications, or one instance's. */
  listApplications(instance?: string): Promise<InventoryEntry[]>;
  recordList(instance: string, at: Date): Promise<void>;
  recordFailure(instance: string, error: string, at: Date): Promise<void>;
  listRefreshes(): Promise<InstanceRefresh[]>;
  /** Drops tombstones older than `before`. */
  purgeTombstones(before: Date): Promise<number>;
}

type ApplicationRow = {
  instance: string;
  app_namespace: string;
  name: string;
  application: string;
  rollouts: string | null;
  rollout_errors: string | null;
  analysis_runs: string | null;
  refreshed_at: Date | string;
  resource_version: number | string | null;
  deleted_at: Date | string | null;
};

type RefreshRow = {
  instance: string;
  refreshed_at: Date | string | null;
  attempted_at: Date | string;
  error: string | null;
};

const TABLE = 'gitops_applications';
/** Keeps each statement under SQLite's bound-parameter limit. */
const BATCH = 100;

/** Knex implementation, tested on SQLite and PostgreSQL. */
export class DatabaseInventoryStore implements InventoryStore {
  constructor(private readonly db: Knex) {}

  async upsert(entries: InventoryEntry[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < entries.length; i += BATCH) {
      for (const [guarded, rows] of groupByGuard(entries.slice(i, i + BATCH).map(toRow))) {
        written += await this.upsertRows(rows, guarded);
      }
    }
    return written;
  }

  async remove(
    instance: string,
    keys: (ApplicationKey & { resourceVersion?: string })[],
    at: Date,
  ): Promise<number> {
    let removed = 0;
    for (const key of keys) {
      const version = resourceVersionOf({ metadata: { name: key.name, resourceVersion: key.resourceVersion } });
      const query = this.db(TABLE)
        .where({ instance, app_namespace: key.namespace ?? '', name: key.name })
        .whereNull('deleted_at');
      if (version !== undefined) {
        query.andWhere(q => q.whereNull('resource_version').orWhere('resource_version', '<=', version));
      }
      removed += await query.update({ deleted_at: at, resource_version: version ?? null });
    }
    return removed;
  }

  async listApplications(instance?: string): Promise<InventoryEntry[]> {
    const query = this.db<ApplicationRow>(TABLE).whereNull('deleted_at');
    const rows = await (instance ? query.where({ instance }) : query).select();
    return rows.map(fromRow);
  }

  async recordList(instance: string, at: Date): Promise<void> {
    await this.db('gitops_instance_refreshes')
      .insert({ instance, refreshed_at: at, attempted_at: at, error: null })
      .onConflict('instance')
      .merge();
  }

  async recordFailure(instance: string, error: string, at: Date): Promise<void> {
    await this.db('gitops_instance_refreshes')
      .insert({ instance, attempted_at: at, error: error.slice(0, 2000) })
      .onConflict('instance')
      .merge(['attempted_at', 'error']);
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

  async purgeTombstones(before: Date): Promise<number> {
    return this.db(TABLE).where('deleted_at', '<', before).delete();
  }

  /**
   * One statement per batch: an insert that, on conflict, updates the row only when the
   * incoming version is not older than the stored one (or the row is a tombstone older
   * than it). Rows without a version (not a number) always win, as before this guard.
   */
  private async upsertRows(rows: ApplicationRow[], guarded: boolean): Promise<number> {
    const merge = this.db(TABLE).insert(rows).onConflict(['instance', 'app_namespace', 'name']).merge();
    if (guarded) {
      merge.where(q =>
        q
          .whereNull(`${TABLE}.resource_version`)
          .orWhere(`${TABLE}.resource_version`, '<=', this.db.raw('excluded.resource_version')),
      );
    }
    const result: unknown = await merge;
    // PostgreSQL reports rowCount; SQLite the last row id (its changes are not exposed).
    const count = (result as { rowCount?: number })?.rowCount;
    return typeof count === 'number' ? count : rows.length;
  }
}

function groupByGuard(rows: ApplicationRow[]): [boolean, ApplicationRow[]][] {
  const guarded = rows.filter(r => r.resource_version !== null);
  const unguarded = rows.filter(r => r.resource_version === null);
  return [
    [true, guarded],
    [false, unguarded],
  ].filter(([, group]) => (group as ApplicationRow[]).length) as [boolean, ApplicationRow[]][];
}

function toRow(entry: InventoryEntry): ApplicationRow {
  const { instance, application, rollouts, rolloutErrors, analysisRuns, analysisRunErrors, observedAt } = entry;
  return {
    instance,
    app_namespace: application.metadata.namespace ?? '',
    name: application.metadata.name,
    application: JSON.stringify(application),
    rollouts: rollouts.length ? JSON.stringify(rollouts) : null,
    rollout_errors: rolloutErrors.length ? JSON.stringify(rolloutErrors) : null,
    analysis_runs: analysisRuns || analysisRunErrors ? JSON.stringify({ runs: analysisRuns, errors: analysisRunErrors }) : null,
    refreshed_at: observedAt,
    resource_version: resourceVersionOf(application) ?? null,
    deleted_at: null,
  };
}

function fromRow(row: ApplicationRow): InventoryEntry {
  return {
    instance: row.instance,
    application: JSON.parse(row.application),
    rollouts: row.rollouts ? JSON.parse(row.rollouts) : [],
    rolloutErrors: row.rollout_errors ? JSON.parse(row.rollout_errors) : [],
    ...analysisRunsOf(row.analysis_runs),
    observedAt: new Date(row.refreshed_at),
  };
}

/** The stored AnalysisRuns and read errors, as optional entry fields. */
function analysisRunsOf(column: string | null): Pick<InventoryEntry, 'analysisRuns' | 'analysisRunErrors'> {
  if (!column) return {};
  const { runs, errors } = JSON.parse(column);
  return { ...(runs ? { analysisRuns: runs } : {}), ...(errors ? { analysisRunErrors: errors } : {}) };
}
