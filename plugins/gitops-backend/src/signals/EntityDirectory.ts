import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { GITOPS_ENTITY_ANNOTATIONS } from '@gitops-suite/backstage-plugin-gitops-common';
import { entityApplicationFilter } from '../inventory/entityApplications';
import type { InventoryEntry } from '../inventory/InventoryEntry';

type Selecting = { entityRef: string; belongs: (entry: InventoryEntry) => boolean };

/** How long the list of annotated entities is used before it is read again. */
const TTL_MS = 60_000;
/**
 * A change no known entity selects may be of an entity registered since the last read
 * (the catalog ingests at its own pace): read again, but not more often than this.
 */
const UNMATCHED_RELOAD_MS = 5_000;

/**
 * Which catalog entities an application belongs to, for change signals: the entities
 * with gitops annotations, read from the catalog once a minute, and again (at most every
 * few seconds) when a change matches none of them, each with its compiled application
 * filter. Entities with an invalid selector select nothing here; their views report the
 * error.
 */
export class EntityDirectory {
  private entities: Selecting[] = [];
  private loadedAt = 0;
  private loading?: Promise<void>;

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly now: () => number = Date.now,
  ) {}

  /** The refs of entities any of these applications belongs to. */
  async entitiesOf(entries: InventoryEntry[]): Promise<Set<string>> {
    const age = this.now() - this.loadedAt;
    if (age > TTL_MS) await this.load();
    let refs = this.match(entries);
    if (!refs.size && this.now() - this.loadedAt > UNMATCHED_RELOAD_MS) {
      await this.load();
      refs = this.match(entries);
    }
    return refs;
  }

  private match(entries: InventoryEntry[]): Set<string> {
    const refs = new Set<string>();
    for (const { entityRef, belongs } of this.entities) {
      if (entries.some(belongs)) refs.add(entityRef);
    }
    return refs;
  }

  /** Reads the annotated entities now (at start-up, and in tests). */
  async load(): Promise<void> {
    this.loading ??= this.read().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(): Promise<void> {
    try {
      const credentials = await this.auth.getOwnServiceCredentials();
      const { items } = await this.catalog.getEntities(
        {
          filter: GITOPS_ENTITY_ANNOTATIONS.map(a => ({ [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS })),
          fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.annotations'],
        },
        { credentials },
      );
      this.entities = items.flatMap(selecting);
    } catch (error) {
      this.logger.warn(`Reading the catalog's annotated entities for change signals failed: ${error}`);
    } finally {
      // A failed read is retried on the same schedule, not on every change.
      this.loadedAt = this.now();
    }
  }
}

function selecting(entity: Entity): Selecting[] {
  try {
    return [{ entityRef: stringifyEntityRef(entity), belongs: entityApplicationFilter(entity) }];
  } catch {
    return [];
  }
}
