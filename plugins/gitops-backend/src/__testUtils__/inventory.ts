import type { SourceError } from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsConfig } from '../config/gitopsConfig';
import { entryKey, type InventoryEntry } from '../inventory/InventoryEntry';
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
  let current = entries.map(inventoryEntry);
  const index = new InventoryIndex(config, () => ({ errors: sources.errors ?? [], ...sources }), current);
  const refreshed: string[] = [];
  const keyOf = (e: InventoryEntry) => entryKey(e.instance, e.application);
  return {
    index: () => index,
    /** Replaces the entries, as the inventory would: changed ones upserted, missing ones removed. */
    set(next: TestEntry[]) {
      const entriesNow = next.map(inventoryEntry);
      const keys = new Set(entriesNow.map(keyOf));
      index.apply([
        ...current.filter(e => !keys.has(keyOf(e))).map(e => ({ key: keyOf(e) })),
        ...entriesNow.map(entry => ({ key: keyOf(entry), entry })),
      ]);
      current = entriesNow;
    },
    entries: () => current,
    /** Applications re-read after an action, as `instance/name`. */
    refreshed,
    async refreshApplication(instance: string, name: string) {
      refreshed.push(`${instance}/${name}`);
    },
  };
}
