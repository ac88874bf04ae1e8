import type { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { InsightsGroup, InsightsResponse, PromotionVersion, SourceChanges } from '@gitops-suite/backstage-plugin-gitops-common';
import { ownerAndSystemOf } from '../fleet/FleetService';
import type { Inventory } from '../inventory/Inventory';
import type { EntityApplications } from '../inventory/InventoryIndex';
import { deliveryMeasures, groupBy, type InsightWindow, type SyncRow } from './deliveryMeasures';
import type { InsightsStore, StoredSync } from './InsightsStore';

export const INSIGHT_PERIODS = [7, 30, 90] as const;
export type InsightPeriod = (typeof INSIGHT_PERIODS)[number];

export interface InsightsServiceOptions {
  store: InsightsStore;
  /** Which applications are the entity's, in which environment (the syncs Argo CD recorded are per application). */
  inventory: Pick<Inventory, 'index'>;
  /** The configured environments, in order. */
  environments: string[];
  /** Reads the source commits between two versions (SourceChangesReader); without it, lead time is not measured. */
  sourceChanges?: { between(entity: Entity, from?: PromotionVersion, to?: PromotionVersion): Promise<SourceChanges | undefined> };
  logger: LoggerService;
  now?: () => Date;
  /** How long an entity's view waits for the source commits it reads (default 2 s; 0: not at all). */
  sourceReadWaitMs?: number;
  /** Promotions whose source commits one entity read looks up, at most (default 20). */
  sourceReadsPerView?: number;
}

const DAY_MS = 24 * 3600_000;
const SOURCE_READ_WAIT_MS = 2_000;

/** Whether the promise settles within `ms` (its timer cleared either way). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>(resolve => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The `days` query parameter, or a 400 naming it. */
export function parseInsightPeriod(days: unknown): InsightPeriod {
  if (days === undefined || days === '') return 30;
  const n = Number(days);
  if (!INSIGHT_PERIODS.includes(n as InsightPeriod)) throw new InputError(`days: must be 7, 30 or 90, not ${String(days)}`);
  return n as InsightPeriod;
}

/**
 * Delivery insights (the four DORA measures) per entity and environment, and for the
 * fleet by owner and system, from the promotions the suite recorded. Lead time needs
 * the source commits a promotion shipped: an entity's view reads those it does not know
 * yet from the source repository in the background (at most `sourceReadsPerView` each
 * time) and keeps them, so a later view, and the fleet, measure them.
 */
export class InsightsService {
  private readonly now: () => Date;
  private readonly reading = new Map<string, Promise<void>>();

  constructor(private readonly options: InsightsServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private window(days: InsightPeriod) {
    const until = this.now();
    const since = new Date(until.getTime() - days * DAY_MS);
    return { since, until, ms: { since: since.getTime(), until: until.getTime() } as InsightWindow };
  }

  private environments(environment?: string): string[] {
    if (environment === undefined) return this.options.environments;
    if (!this.options.environments.includes(environment)) {
      throw new InputError(`environment: ${environment} is not a configured environment (${this.options.environments.join(', ')})`);
    }
    return [environment];
  }

  /** One entity in each environment (or the one asked for). */
  async entity(entity: Entity, query: { days: InsightPeriod; environment?: string }): Promise<InsightsResponse> {
    const environments = this.environments(query.environment);
    const entityRef = stringifyEntityRef(entity);
    const { since, until, ms } = this.window(query.days);
    const apps = this.applicationsOf(entity);
    const [ended, stored] = await Promise.all([
      this.options.store.ended({ since, until, entityRef, environments }),
      this.options.store.syncs({ since, until, appNames: [...new Set(apps.all.map(app => app.application.metadata.name))] }),
    ]);
    let rows = ended;
    if (rows.some(r => r.kind === 'promotion' && r.status === 'succeeded' && !r.commitDates)) {
      const read = this.readSourceCommits(entity, { since, until, environment: query.environment });
      // A quick read (a local clone) is in this answer; a slow one goes on, for a later view.
      const wait = this.options.sourceReadWaitMs ?? SOURCE_READ_WAIT_MS;
      if (wait > 0 && (await settlesWithin(read, wait))) {
        rows = await this.options.store.ended({ since, until, entityRef, environments });
      }
    }
    const byEnvironment = groupBy(rows, r => r.environment);
    const syncs = groupBy(syncRows(stored, placementsOf(entityRef, apps)), s => s.environment);
    return {
      days: query.days,
      since: since.toISOString(),
      until: until.toISOString(),
      items: environments.map(environment => ({
        entityRef,
        ...deliveryMeasures(environment, byEnvironment.get(environment) ?? [], ms, syncs.get(environment) ?? []),
      })),
    };
  }

  /**
   * The entities given (those the caller may read), pooled per environment, per owner
   * and per system: their promotions and what Argo CD synced of their applications.
   */
  async fleet(query: { days: InsightPeriod; environment?: string }, entities: Entity[]): Promise<InsightsResponse> {
    const environments = this.environments(query.environment);
    const { since, until, ms } = this.window(query.days);
    const groupsOf = new Map<string, { owner?: string; system?: string }>();
    const placements = new Map<string, { entityRef: string; environment: string }>();
    for (const entity of entities) {
      const entityRef = stringifyEntityRef(entity);
      groupsOf.set(entityRef, ownerAndSystemOf(entity));
      placementsOf(entityRef, this.applicationsOf(entity)).forEach((placement, key) => placements.set(key, placement));
    }
    const [rows, stored] = await Promise.all([
      this.options.store.ended({ since, until, environments }),
      this.options.store.syncs({ since, until, environments }),
    ]);
    const readable = rows.filter(r => groupsOf.has(r.entityRef));
    const syncs = syncRows(stored, placements);
    const group = (key: (entityRef: string) => string | undefined): InsightsGroup[] => {
      const groups: InsightsGroup[] = [];
      for (const environment of environments) {
        const rowsByGroup = groupBy(readable.filter(r => r.environment === environment), r => key(r.entityRef));
        const syncsByGroup = groupBy(syncs.filter(r => r.environment === environment), r => key(r.entityRef));
        for (const name of new Set([...rowsByGroup.keys(), ...syncsByGroup.keys()])) {
          const members = rowsByGroup.get(name) ?? [];
          const synced = syncsByGroup.get(name) ?? [];
          const entityCount = new Set([...members, ...synced].map(r => r.entityRef)).size;
          groups.push({ name, entities: entityCount, ...deliveryMeasures(environment, members, ms, synced) });
        }
      }
      return groups.sort((a, b) => a.name.localeCompare(b.name) || environments.indexOf(a.environment) - environments.indexOf(b.environment));
    };
    return {
      days: query.days,
      since: since.toISOString(),
      until: until.toISOString(),
      fleet: group(() => 'fleet'),
      owners: group(ref => groupsOf.get(ref)?.owner),
      systems: group(ref => groupsOf.get(ref)?.system),
    };
  }

  /** The entity's applications; none when its annotations are invalid (the tab says why). */
  private applicationsOf(entity: Entity): EntityApplications {
    const found = this.options.inventory.index().lookUp(entity);
    return 'error' in found ? { all: [], byEnvironment: new Map(), previews: [], unassigned: [] } : found;
  }

  /** Reads and keeps the source commits of an entity's recent promotions; one read per entity at a time. */
  readSourceCommits(entity: Entity, filter: { since: Date; until: Date; environment?: string }): Promise<void> {
    const reader = this.options.sourceChanges;
    const entityRef = stringifyEntityRef(entity);
    if (!reader) return Promise.resolve();
    const running = this.reading.get(entityRef);
    if (running) return running;
    const read = (async () => {
      const unread = await this.options.store.unread({ entityRef, ...filter, limit: this.options.sourceReadsPerView ?? 20 }, this.now());
      for (const promotion of unread) {
        if (!promotion.previousVersion) {
          await this.options.store.record(promotion.id, { unavailable: 'the first version in this environment: no earlier version to compare with' }, this.now());
          continue;
        }
        const changes = await reader.between(entity, promotion.previousVersion, promotion.version);
        // No source repository named: nothing to keep; it may be annotated later.
        if (!changes) return;
        await this.options.store.record(
          promotion.id,
          changes.unavailable
            ? { unavailable: changes.unavailable }
            : { commitDates: changes.commits.map(c => Date.parse(c.date)).filter(Number.isFinite), truncated: changes.truncated },
          this.now(),
        );
      }
    })()
      .catch(error => this.options.logger.warn(`Could not read the source commits of ${entityRef} for its lead time: ${error}`))
      .finally(() => this.reading.delete(entityRef));
    this.reading.set(entityRef, read);
    return read;
  }
}

/** Each of the entity's placed applications by inventory key: whose it is, and where. */
function placementsOf(entityRef: string, apps: EntityApplications): Map<string, { entityRef: string; environment: string }> {
  const placements = new Map<string, { entityRef: string; environment: string }>();
  for (const [environment, list] of apps.byEnvironment) {
    for (const app of list) placements.set(app.key, { entityRef, environment });
  }
  return placements;
}

/**
 * The recorded syncs of placed applications, as the measures read them: one per entity,
 * environment and revision (two applications of one entity syncing the same revision
 * are one deployment).
 */
function syncRows(stored: StoredSync[], placements: Map<string, { entityRef: string; environment: string }>): SyncRow[] {
  const seen = new Set<string>();
  const rows: SyncRow[] = [];
  for (const sync of stored) {
    const placement = placements.get(sync.key);
    if (!placement) continue;
    const key = `${placement.entityRef}|${placement.environment}|${sync.revision ?? sync.deployedAt}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ ...placement, revision: sync.revision, deployedAt: sync.deployedAt });
  }
  return rows;
}
