import type { SourceError } from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { InventoryEntry } from '../inventory/InventoryEntry';
import { InventoryIndex } from '../inventory/InventoryIndex';

/** An inventory entry for tests: rollouts, errors and time default to none / now. */
export type TestEntry = Pick<InventoryEntry, 'instance' | 'application'> &
  Partial<Pick<InventoryEntry, 'rolloutErrors' | 'observedAt'>> & { rollouts?: unknown[] };

export function inventoryEntry(entry: TestEntry): InventoryEntry {
  return {
    rolloutErrors: [],
    observedAt: new Date('2026-11-22T10:00:00Z'),
    ...entry,
    rollouts: (entry.rollouts ?? []) as InventoryEntry['rollouts'],
  };
}

/**
 * The inventory's read side over entries a test sets: the real InventoryIndex, rebuilt
 * (carrying unchanged entries over) whenever `set` is called.
 */
export function testInventory(
  config: GitopsConfig,
  entries: TestEntry[],
  sources: { errors?: SourceError[]; observedAt?: Date } = {},
) {
  let version = 0;
  let current = entries.map(inventoryEntry);
  let index: InventoryIndex | undefined;
  const refreshed: string[] = [];
  return {
    index() {
      index ??= new InventoryIndex(config, current, version, () => ({ errors: sources.errors ?? [], ...sources }));
      return index;
    },
    /** Replaces the entries; entries passed again as the same objects keep their derived data. */
    set(next: (TestEntry | InventoryEntry)[]) {
      version += 1;
      current = next.map(e => (current.includes(e as InventoryEntry) ? (e as InventoryEntry) : inventoryEntry(e)));
      index = new InventoryIndex(config, current, version, () => ({ errors: sources.errors ?? [], ...sources }), index);
    },
    entries: () => current,
    /** Applications re-read after an action, as `instance/name`. */
    refreshed,
    async refreshApplication(instance: string, name: string) {
      refreshed.push(`${instance}/${name}`);
    },
  };
}
