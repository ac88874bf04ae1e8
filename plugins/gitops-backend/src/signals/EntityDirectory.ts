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
 * Which catalog entities an application belongs to, for change signals: the entities
 * with gitops annotations, read from the catalog at most once a minute (in the
 * background, so a change is never held up by the catalog), each with its compiled
 * application filter. Entities with an invalid selector select nothing here; their
 * views report the error.
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
  entitiesOf(entries: InventoryEntry[]): Set<string> {
    this.refreshIfStale();
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

  private refreshIfStale() {
    if (this.now() - this.loadedAt > TTL_MS) this.load().catch(() => undefined);
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
      this.loadedAt = this.now();
    } catch (error) {
      this.logger.warn(`Reading the catalog's annotated entities for change signals failed: ${error}`);
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
