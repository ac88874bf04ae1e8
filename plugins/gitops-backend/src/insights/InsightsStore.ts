import type { PromotionVersion } from '@gitops-suite/backstage-plugin-gitops-common';
import type { Knex } from 'knex';
import type { InsightRow } from './deliveryMeasures';

/** A succeeded promotion whose shipped source commits are not known yet. */
export interface UnreadPromotion {
  id: string;
  environment: string;
  version: PromotionVersion;
  previousVersion?: PromotionVersion;
}

/** A sync to a new revision of an application, as DeploymentRecorder recorded it. */
export interface StoredSync {
  /** The application's inventory key, `instance/appNamespace/name`. */
  key: string;
  revision: string | null;
  deployedAt: number;
}

/** What reading a promotion's source commits found. */
export type SourceCommitsRecord =
  | { commitDates: number[]; truncated: boolean; unavailable?: undefined }
  | { commitDates?: undefined; truncated?: undefined; unavailable: string };

/** A read that failed is tried again after this long (the repository may be back). */
const RETRY_UNAVAILABLE_MS = 24 * 3600_000;

/**
 * Reads for the delivery insights: only the promotions that ended (succeeded or failed)
 * in a period, only the columns the measures need, through the indexes on
 * `(entity_ref, target_env, updated_at)` and `(target_env, updated_at)`;
 * and the source commits of succeeded promotions, kept once read.
 */
export class InsightsStore {
  constructor(private readonly db: Knex) {}

  /** One query per environment, each a range of one index (a status index would otherwise scan every ended promotion). */
  async ended(filter: { since: Date; until: Date; entityRef?: string; environments: string[] }): Promise<InsightRow[]> {
    const perEnvironment = await Promise.all(filter.environments.map(environment => this.endedIn({ ...filter, environment })));
    return perEnvironment.flat();
  }

  private async endedIn(filter: { since: Date; until: Date; entityRef?: string; environment: string }): Promise<InsightRow[]> {
    let query = this.db('gitops_promotions as p')
      .leftJoin('gitops_promotion_source_commits as s', 's.promotion_id', 'p.id')
      .whereIn('p.status', ['succeeded', 'failed'])
      .where('p.updated_at', '>=', filter.since)
      .where('p.updated_at', '<=', filter.until)
      .select(
        'p.id',
        'p.entity_ref',
        'p.target_env',
        'p.kind',
        'p.status',
        'p.rollback_of',
        'p.created_at',
        'p.updated_at',
        's.commit_dates',
        's.unavailable',
      );
    if (filter.entityRef) query = query.where('p.entity_ref', filter.entityRef);
    query = query.where('p.target_env', filter.environment);
    const rows = await query;
    return rows.map(toRow);
  }

  /**
   * Syncs to a new revision in the period: of the named applications (an entity's), or
   * of every application placed in the environments (the fleet).
   */
  async syncs(filter: { since: Date; until: Date; appNames?: string[]; environments?: string[] }): Promise<StoredSync[]> {
    if (filter.appNames && !filter.appNames.length) return [];
    let query = this.db('gitops_deployments')
      .where('new_revision', true)
      .where('deployed_at', '>=', filter.since)
      .where('deployed_at', '<=', filter.until)
      .select('instance', 'app_namespace', 'app_name', 'revision', 'deployed_at');
    if (filter.appNames) query = query.whereIn('app_name', filter.appNames);
    if (filter.environments) query = query.whereIn('environment', filter.environments);
    const rows = await query;
    return rows.map(r => ({
      key: `${r.instance}/${r.app_namespace}/${r.app_name}`,
      revision: r.revision,
      deployedAt: new Date(r.deployed_at).getTime(),
    }));
  }

  /** Succeeded promotions of an entity in the period whose source commits were never read (or failed to read a day ago). */
  async unread(filter: { entityRef: string; since: Date; until: Date; environment?: string; limit: number }, now = new Date()): Promise<UnreadPromotion[]> {
    let query = this.db('gitops_promotions as p')
      .leftJoin('gitops_promotion_source_commits as s', 's.promotion_id', 'p.id')
      .where('p.entity_ref', filter.entityRef)
      .where('p.status', 'succeeded')
      .where('p.kind', 'promotion')
      .where('p.updated_at', '>=', filter.since)
      .where('p.updated_at', '<=', filter.until)
      .where(q =>
        q.whereNull('s.promotion_id').orWhere(retry =>
          retry.whereNotNull('s.unavailable').where('s.read_at', '<', new Date(now.getTime() - RETRY_UNAVAILABLE_MS)),
        ),
      )
      .orderBy('p.updated_at', 'desc')
      .limit(filter.limit)
      .select('p.id', 'p.target_env', 'p.version', 'p.previous_version');
    if (filter.environment) query = query.where('p.target_env', filter.environment);
    const rows = await query;
    return rows.map(r => ({
      id: r.id,
      environment: r.target_env,
      version: JSON.parse(r.version),
      previousVersion: r.previous_version ? JSON.parse(r.previous_version) : undefined,
    }));
  }

  async record(promotionId: string, record: SourceCommitsRecord, now = new Date()) {
    await this.db('gitops_promotion_source_commits')
      .insert({
        promotion_id: promotionId,
        commit_dates: record.commitDates ? JSON.stringify(record.commitDates) : null,
        truncated: record.truncated ?? false,
        unavailable: record.unavailable ?? null,
        read_at: now,
      })
      .onConflict('promotion_id')
      .merge(['commit_dates', 'truncated', 'unavailable', 'read_at']);
  }
}

function toRow(r: any): InsightRow {
  const row: InsightRow = {
    id: r.id,
    entityRef: r.entity_ref,
    environment: r.target_env,
    kind: r.kind ?? 'promotion',
    status: r.status,
    createdAt: new Date(r.created_at).getTime(),
    endedAt: new Date(r.updated_at).getTime(),
  };
  if (r.rollback_of) row.rollbackOf = r.rollback_of;
  if (r.commit_dates) row.commitDates = JSON.parse(r.commit_dates);
  else if (r.unavailable) row.sourceUnavailable = r.unavailable;
  return row;
}
