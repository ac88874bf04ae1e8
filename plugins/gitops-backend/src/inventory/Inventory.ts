import type { SourceError } from '@gitops-suite/backstage-plugin-gitops-common';
import type {
  InventoryApplication,
  InventoryStore,
} from '../database/InventoryStore';

/** The applications of every instance as last refreshed, with per-instance errors. */
export interface InventorySnapshot {
  applications: InventoryApplication[];
  errors: SourceError[];
  observedAt?: Date;
}

/**
 * Read side of the inventory. Every replica reads the shared snapshot from the
 * database, cached in memory for a short time so a burst of page views costs one
 * query, and concurrent readers share one load.
 */
export class Inventory {
  private cached?: { at: number; snapshot: Promise<InventorySnapshot> };

  constructor(
    private readonly store: InventoryStore,
    private readonly instanceNames: string[],
    private readonly cacheTtlMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  snapshot(): Promise<InventorySnapshot> {
    if (!this.cached || this.now() - this.cached.at > this.cacheTtlMs) {
      const snapshot = this.load();
      this.cached = { at: this.now(), snapshot };
      snapshot.catch(() => (this.cached = undefined));
    }
    return this.cached.snapshot;
  }

  /** Drops the cached snapshot, after a refresh written by this replica. */
  invalidate() {
    this.cached = undefined;
  }

  private async load(): Promise<InventorySnapshot> {
    const [applications, refreshes] = await Promise.all([
      this.store.listApplications(),
      this.store.listRefreshes(),
    ]);
    const errors: SourceError[] = [];
    for (const name of this.instanceNames) {
      const refresh = refreshes.find(r => r.instance === name);
      if (!refresh) {
        errors.push({
          source: `argocd:${name}`,
          message: `Argo CD instance '${name}' has not been read yet; its applications appear after the first refresh`,
        });
      } else if (refresh.error) {
        errors.push({
          source: `argocd:${name}`,
          message: `${refresh.error}${refresh.refreshedAt ? ` (showing data from ${refresh.refreshedAt.toISOString()})` : ''}`,
        });
      }
    }
    const times = refreshes
      .map(r => r.refreshedAt?.getTime())
      .filter((t): t is number => t !== undefined);
    return {
      applications: applications.filter(a => this.instanceNames.includes(a.instance)),
      errors,
      observedAt: times.length ? new Date(Math.min(...times)) : undefined,
    };
  }
}
