import { ConflictError } from '@backstage/errors';
import {
  isTerminalPromotionStatus,
  type Promotion,
  type PromotionApproval,
  type PromotionStatus,
  type PromotionWriteStrategy,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { Knex } from 'knex';

/** Where a promotion writes: resolved once, when it is requested. */
export interface PromotionTarget {
  instance: string;
  appName: string;
  appNamespace?: string;
  repoURL: string;
  branch: string;
  file: string;
  /** The values key (`helm-value`); unused by `kustomize-image`. */
  key: string;
  /** Absent on promotions stored before strategies existed: `helm-value`. */
  strategy?: PromotionWriteStrategy;
  /** Absent on promotions stored before pull requests existed: `commit`. */
  method?: 'commit' | 'pull-request';
  /**
   * chart-version, git-revision, application-set: the manifest document `file` holds and
   * the field of it that is set (a path, or a template field of an ApplicationSet).
   */
  manifest?: ManifestLocation;
  /** environment-branch: the source environment's branch, and the environment's files. */
  sourceBranch?: string;
  path?: string;
  /**
   * How the live application shows the version landed: the commit in the revision of
   * this source (`commit`, the default), or this field of its spec set to the version.
   */
  live?: LiveVersionField;
}

/** Which document of a manifest file a promotion edits, and where in it. */
export type ManifestLocation =
  | { kind: 'Application'; name: string; path: string[] }
  | { kind: 'ApplicationSet'; name: string; application: string; field: TemplateField };

/** A field of an ApplicationSet's template that takes the version from a list element. */
export type TemplateField =
  | { kind: 'path'; path: string[] }
  | { kind: 'helmParameter'; name: string };

/**
 * Where the live application shows the promoted version: the sync revision of source
 * `source` (an index of `spec.sources`, or undefined for `spec.source`) containing the
 * commit, or, for versions written into the Application itself, its `targetRevision`
 * or a Helm parameter equal to the version.
 */
export type LiveVersionField =
  | { kind: 'commit'; source?: number }
  | { kind: 'targetRevision'; source?: number }
  | { kind: 'helmParameter'; source?: number; name: string };

/** What a new promotion is stored with: the API fields known at request time, and where it writes. */
export type NewPromotion = Pick<
  Promotion,
  | 'id'
  | 'entityRef'
  | 'from'
  | 'to'
  | 'version'
  | 'previousVersion'
  | 'requestedBy'
  | 'comment'
  | 'status'
  | 'gates'
  | 'requiredApprovals'
  | 'rollbackOf'
> & {
  target: PromotionTarget;
  kind?: Promotion['kind'];
};

export type StoredPromotion = Promotion & { target: PromotionTarget };

/** An event to append to a promotion's log. */
export type PromotionEventInput = { type: string; message: string; actor?: string };

type PromotionRow = {
  id: string;
  entity_ref: string;
  source_env: string;
  target_env: string;
  version: string;
  previous_version: string | null;
  requested_by: string;
  comment: string | null;
  status: PromotionStatus;
  gates: string;
  required_approvals: number;
  target: string;
  commit_sha: string | null;
  pull_request_url: string | null;
  failure_reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  kind: 'promotion' | 'rollback' | null;
  rollback_of: string | null;
};

/** Statuses the engine moves forward on its own. */
export const ADVANCING_STATUSES: PromotionStatus[] = ['approved', 'writing', 'pull-request-open', 'committed', 'syncing'];

/** Persistence of promotions, their approvals and their event log (SQLite and PostgreSQL). */
export class PromotionStore {
  private readonly listeners = new Set<(entityRef: string) => void>();
  /** Entity of each promotion written to lately, so a change costs no extra query. */
  private readonly entityOf = new Map<string, string>();

  constructor(private readonly db: Knex) {}

  /** Called with the entity ref after any write to one of its promotions. */
  onChange(listener: (entityRef: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Inserts a promotion with its `requested` event and any `events` that must exist
   * with it (a gate override); 409 with the active one's id when one is already active.
   */
  async create(promotion: NewPromotion, now = new Date(), events: PromotionEventInput[] = []): Promise<void> {
    const activeKey = `${promotion.entityRef}|${promotion.to}`;
    try {
      await this.db.transaction(async tx => {
        await tx('gitops_promotions').insert({
          id: promotion.id,
          entity_ref: promotion.entityRef,
          source_env: promotion.from,
          target_env: promotion.to,
          version: JSON.stringify(promotion.version),
          previous_version: promotion.previousVersion ? JSON.stringify(promotion.previousVersion) : null,
          requested_by: promotion.requestedBy,
          comment: promotion.comment ?? null,
          status: promotion.status,
          gates: JSON.stringify(promotion.gates),
          required_approvals: promotion.requiredApprovals,
          target: JSON.stringify(promotion.target),
          kind: promotion.kind ?? 'promotion',
          rollback_of: promotion.rollbackOf ?? null,
          active_key: activeKey,
          created_at: now,
          updated_at: now,
        });
        await tx('gitops_promotion_events').insert({
          promotion_id: promotion.id,
          at: now,
          type: 'requested',
          message:
            promotion.kind === 'rollback'
              ? `Rollback of ${promotion.to} to ${promotion.version.tag} requested`
              : `Promotion of ${promotion.version.tag} from ${promotion.from} to ${promotion.to} requested`,
          actor: promotion.requestedBy,
        });
        for (const event of events) {
          await tx('gitops_promotion_events').insert({ promotion_id: promotion.id, at: now, ...event });
        }
      });
      this.remember(promotion.id, promotion.entityRef);
      await this.changed(promotion.id);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const active = await this.db('gitops_promotions').where({ active_key: activeKey }).first('id');
      throw new ConflictError(
        `Promotion ${active?.id} of ${promotion.entityRef} to ${promotion.to} is still active`,
      );
    }
  }

  private remember(id: string, entityRef: string) {
    this.entityOf.delete(id);
    this.entityOf.set(id, entityRef);
    // Bounded: the oldest first out (Map keeps insertion order).
    if (this.entityOf.size > 1000) this.entityOf.delete(this.entityOf.keys().next().value!);
  }

  /** Tells listeners; never fails the write it follows. */
  private async changed(id: string) {
    if (!this.listeners.size) return;
    try {
      let entityRef = this.entityOf.get(id);
      if (!entityRef) {
        entityRef = (await this.db('gitops_promotions').where({ id }).first('entity_ref'))?.entity_ref as string | undefined;
        if (entityRef) this.remember(id, entityRef);
      }
      if (entityRef) this.listeners.forEach(listener => listener(entityRef!));
    } catch {
      // A listener is a view hint; the promotion is written.
    }
  }

  async get(id: string): Promise<StoredPromotion | undefined> {
    const row = await this.db<PromotionRow>('gitops_promotions').where({ id }).first();
    if (!row) return undefined;
    const [withDetails] = await this.withDetails([row]);
    return withDetails;
  }

  async list(filter: { entityRef?: string; statuses?: PromotionStatus[]; limit?: number } = {}) {
    let query = this.db<PromotionRow>('gitops_promotions').orderBy('created_at', 'desc');
    if (filter.entityRef) query = query.where({ entity_ref: filter.entityRef });
    if (filter.statuses) query = query.whereIn('status', filter.statuses);
    const rows = await query.limit(filter.limit ?? 100);
    return this.withDetails(rows);
  }

  /**
   * Moves a promotion from one of `from` to `to` atomically; false when another
   * worker (or request) moved it first. Terminal states free the active slot. With
   * `heldBy`, it moves only while that worker holds the promotion's lease: a worker
   * that lost its lease (stalled past it) cannot move what another now works on.
   */
  async transition(
    id: string,
    from: PromotionStatus[],
    to: PromotionStatus,
    event: PromotionEventInput,
    patch: { commitSha?: string; pullRequestUrl?: string; failureReason?: string } = {},
    now = new Date(),
    heldBy?: string,
  ): Promise<boolean> {
    const moved = await this.db.transaction(async tx => {
      const updated = await tx('gitops_promotions')
        .where({ id, ...(heldBy ? { claimed_by: heldBy } : {}) })
        .whereIn('status', from)
        .update({
          status: to,
          updated_at: now,
          ...(isTerminalPromotionStatus(to) ? { active_key: null, claimed_by: null, claimed_until: null } : {}),
          ...(patch.commitSha ? { commit_sha: patch.commitSha } : {}),
          ...(patch.pullRequestUrl ? { pull_request_url: patch.pullRequestUrl } : {}),
          ...(patch.failureReason ? { failure_reason: patch.failureReason } : {}),
        });
      if (!updated) return false;
      await tx('gitops_promotion_events').insert({ promotion_id: id, at: now, ...event });
      return true;
    });
    if (moved) await this.changed(id);
    return moved;
  }

  async addEvent(id: string, event: PromotionEventInput, now = new Date()) {
    await this.db('gitops_promotion_events').insert({ promotion_id: id, at: now, ...event });
    await this.changed(id);
  }

  /** Records a decision; one per approver and promotion (409 on a second one). */
  async addApproval(id: string, approval: Omit<PromotionApproval, 'at'>, now = new Date()) {
    try {
      await this.db('gitops_promotion_approvals').insert({
        promotion_id: id,
        approver: approval.approver,
        decision: approval.decision,
        comment: approval.comment ?? null,
        created_at: now,
      });
      await this.changed(id);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(`${approval.approver} has already decided on promotion ${id}`);
      }
      throw error;
    }
  }

  /** Remembers that a version failed in an environment. */
  async markBad(entityRef: string, environment: string, tag: string, promotionId: string, reason: string, now = new Date()) {
    await this.db('gitops_bad_versions')
      .insert({ entity_ref: entityRef, environment, tag, promotion_id: promotionId, reason, created_at: now })
      .onConflict(['entity_ref', 'environment', 'tag'])
      .merge(['promotion_id', 'reason', 'created_at']);
  }

  /** The bad versions of an environment, with the promotion that found them bad. */
  async badVersions(entityRef: string, environment: string): Promise<{ tag: string; promotionId: string; reason?: string }[]> {
    const rows = await this.db('gitops_bad_versions').where({ entity_ref: entityRef, environment });
    return rows.map(r => ({ tag: r.tag, promotionId: r.promotion_id, reason: r.reason ?? undefined }));
  }

  /**
   * Leases the oldest promotion the engine should advance that no live lease holds
   * (and that is not in `skip`) to `worker`, so that two replicas never work on the
   * same one; a crashed worker's lease simply expires. One at a time: a worker holds
   * only what it works on, and renews that while it does (see `renew`).
   */
  async claimNext(worker: string, leaseMs: number, now = new Date(), skip: string[] = []): Promise<string | undefined> {
    const free = (q: Knex.QueryBuilder) => q.whereNull('claimed_until').orWhere('claimed_until', '<', now);
    const passed = [...skip];
    for (;;) {
      const candidate = await this.db('gitops_promotions')
        .whereIn('status', ADVANCING_STATUSES)
        .where(free)
        .whereNotIn('id', passed)
        .orderBy('created_at')
        .first('id');
      if (!candidate) return undefined;
      // Compare-and-swap: another worker may have leased it since the read.
      const updated = await this.db('gitops_promotions')
        .where({ id: candidate.id })
        .whereIn('status', ADVANCING_STATUSES)
        .where(free)
        .update({ claimed_by: worker, claimed_until: new Date(now.getTime() + leaseMs) });
      if (updated) return candidate.id;
      passed.push(candidate.id);
    }
  }

  /**
   * Extends `worker`'s lease of a promotion to `leaseMs` from now; false when the
   * worker no longer holds it (another took it after it expired, or it ended).
   */
  async renew(id: string, worker: string, leaseMs: number, now = new Date()): Promise<boolean> {
    const updated = await this.db('gitops_promotions')
      .where({ id, claimed_by: worker })
      .update({ claimed_until: new Date(now.getTime() + leaseMs) });
    return updated > 0;
  }

  async release(id: string, worker: string) {
    await this.db('gitops_promotions')
      .where({ id, claimed_by: worker })
      .update({ claimed_by: null, claimed_until: null });
  }

  private async withDetails(rows: PromotionRow[]): Promise<StoredPromotion[]> {
    if (!rows.length) return [];
    const ids = rows.map(r => r.id);
    const [approvals, events] = await Promise.all([
      this.db('gitops_promotion_approvals').whereIn('promotion_id', ids).orderBy('created_at'),
      this.db('gitops_promotion_events').whereIn('promotion_id', ids).orderBy('id'),
    ]);
    return rows.map(row => toPromotion(row, approvals, events));
  }
}

function toPromotion(row: PromotionRow, approvals: any[], events: any[]): StoredPromotion {
  const target = JSON.parse(row.target) as PromotionTarget;
  return {
    id: row.id,
    kind: row.kind ?? 'promotion',
    rollbackOf: row.rollback_of ?? undefined,
    entityRef: row.entity_ref,
    from: row.source_env,
    to: row.target_env,
    version: JSON.parse(row.version),
    previousVersion: row.previous_version ? JSON.parse(row.previous_version) : undefined,
    requestedBy: row.requested_by,
    comment: row.comment ?? undefined,
    status: row.status,
    gates: JSON.parse(row.gates),
    requiredApprovals: row.required_approvals,
    approvals: approvals
      .filter(a => a.promotion_id === row.id)
      .map(a => ({
        approver: a.approver,
        decision: a.decision,
        comment: a.comment ?? undefined,
        at: new Date(a.created_at).toISOString(),
      })),
    commit: row.commit_sha
      ? { sha: row.commit_sha, repoURL: target.repoURL, path: target.file }
      : undefined,
    pullRequestUrl: row.pull_request_url ?? undefined,
    failureReason: row.failure_reason ?? undefined,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    events: events
      .filter(e => e.promotion_id === row.id)
      .map(e => ({
        at: new Date(e.at).toISOString(),
        type: e.type,
        message: e.message,
        actor: e.actor ?? undefined,
      })),
    target,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/.test(e.message ?? '')
  );
}
