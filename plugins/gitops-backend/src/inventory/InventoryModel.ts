import {
  entryKey,
  isNotOlder,
  resourceVersionOf,
  type InventoryEntry,
} from './InventoryEntry';

/** Which applications changed: their new entries, or the last held one of a removed app. */
export type InventoryChange = { instance: string; entries: InventoryEntry[] };

/**
 * The inventory in memory: one entry per application of every instance, changed one
 * application at a time as Argo CD reports changes. Every change bumps `version`, so
 * the read model is rebuilt once per change and only when read.
 */
export class InventoryModel {
  private readonly entries = new Map<string, InventoryEntry>();
  private readonly listeners = new Set<(change: InventoryChange) => void>();
  private currentVersion = 0;

  get version(): number {
    return this.currentVersion;
  }

  values(): IterableIterator<InventoryEntry> {
    return this.entries.values();
  }

  get(key: string): InventoryEntry | undefined {
    return this.entries.get(key);
  }

  entriesOf(instance: string): InventoryEntry[] {
    return [...this.entries.values()].filter(e => e.instance === instance);
  }

  /** Listens for changes; returns the unsubscribe function. */
  onChange(listener: (change: InventoryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies entries of one instance that are not older than what is held, and returns
   * those whose content changed (a new resourceVersion alone is kept, not reported).
   */
  upsert(instance: string, entries: InventoryEntry[]): InventoryEntry[] {
    const changed: InventoryEntry[] = [];
    for (const entry of entries) {
      const key = entryKey(instance, entry.application);
      const held = this.entries.get(key);
      if (held && !isNotOlder(entry.application, held.application)) continue;
      if (held && contentOf(held) === contentOf(entry)) {
        // Only the resourceVersion moved (a reconciliation, a resync): keep the held entry,
        // which the read model derived from, rather than a second copy of it.
        held.application.metadata.resourceVersion = entry.application.metadata.resourceVersion;
        continue;
      }
      this.entries.set(key, entry);
      changed.push(entry);
    }
    this.notify(instance, changed);
    return changed;
  }

  /** Removes applications Argo CD deleted, unless what is held is newer. */
  remove(instance: string, apps: InventoryEntry['application'][]): InventoryEntry[] {
    const removed: InventoryEntry[] = [];
    for (const app of apps) {
      const key = entryKey(instance, app);
      const held = this.entries.get(key);
      if (held && isNotOlder(app, held.application)) {
        this.entries.delete(key);
        removed.push(held);
      }
    }
    this.notify(instance, removed);
    return removed;
  }

  /**
   * The applications of a full list replace the instance's: entries not in the list are
   * gone, unless they are newer than the list (an event that arrived while it was read).
   */
  replaceInstance(instance: string, entries: InventoryEntry[], listVersion?: string) {
    const listed = new Set(entries.map(e => entryKey(instance, e.application)));
    const version = resourceVersionOf({ metadata: { name: '', resourceVersion: listVersion } });
    const gone = this.entriesOf(instance).filter(held => {
      if (listed.has(entryKey(instance, held.application))) return false;
      const heldVersion = resourceVersionOf(held.application);
      return version === undefined || heldVersion === undefined || heldVersion <= version;
    });
    const changed = this.upsert(instance, entries);
    const removed = this.remove(instance, gone.map(g => g.application));
    return { changed, removed };
  }

  private notify(instance: string, entries: InventoryEntry[]) {
    if (!entries.length) return;
    this.currentVersion += 1;
    for (const listener of this.listeners) listener({ instance, entries });
  }
}

/** What an entry shows, without the resourceVersion and time it was observed. */
export function contentOf(entry: InventoryEntry): string {
  const { resourceVersion: _version, ...metadata } = entry.application.metadata;
  return JSON.stringify([
    { ...entry.application, metadata },
    entry.rollouts,
    entry.rolloutErrors,
    entry.analysisRuns,
    entry.analysisRunErrors,
  ]);
}
