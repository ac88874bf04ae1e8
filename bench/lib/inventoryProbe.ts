/**
 * Instruments the gitops plugin's Inventory from outside, for the benchmarks only: the
 * plugin builds its Inventory inside its init, so this wraps methods of the classes (no
 * behaviour changes) to keep a handle on the instance and to time the read-model
 * updates (InventoryIndex.apply: what each change costs the read model).
 *
 * Require it only in a process that measures our plugin: it loads the plugin's code.
 */
import type { Inventory as InventoryClass } from '../../plugins/gitops-backend/src/inventory/Inventory';
import type { InventoryIndex as InventoryIndexClass } from '../../plugins/gitops-backend/src/inventory/InventoryIndex';

export type InventoryProbe = {
  /** The plugin's Inventory, once its start-up began. */
  inventory(): InventoryClass;
  /** Each read-model update (InventoryIndex.apply): how many applications, how long. */
  updates: { applications: number; ms: number }[];
  /** How long the inventory's start took (load the stored copy, list every instance once). */
  startMs?: number;
};

let installed: InventoryProbe | undefined;

export function probeInventory(): InventoryProbe {
  if (installed) return installed;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Inventory } = require('../../plugins/gitops-backend/src/inventory/Inventory') as {
    Inventory: typeof InventoryClass;
  };
  const { InventoryIndex } = require('../../plugins/gitops-backend/src/inventory/InventoryIndex') as {
    InventoryIndex: typeof InventoryIndexClass;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  let instance: InventoryClass | undefined;
  const probe: InventoryProbe = {
    inventory() {
      if (!instance) throw new Error('the gitops inventory has not started');
      return instance;
    },
    updates: [],
  };
  const { start } = Inventory.prototype;
  Inventory.prototype.start = async function startProbed(this: InventoryClass) {
    instance = this;
    const started = process.hrtime.bigint();
    await start.call(this);
    probe.startMs = Number(process.hrtime.bigint() - started) / 1e6;
  };
  const { apply } = InventoryIndex.prototype;
  InventoryIndex.prototype.apply = function applyProbed(this: InventoryIndexClass, changes) {
    const started = process.hrtime.bigint();
    apply.call(this, changes);
    probe.updates.push({ applications: changes.length, ms: Number(process.hrtime.bigint() - started) / 1e6 });
  };
  installed = probe;
  return probe;
}

/**
 * Resolves when the inventory applied a change of application `name` (an upsert whose
 * content changed; the read model is updated before any other listener hears of it),
 * with when: epoch milliseconds, comparable across processes. Subscribe before making
 * the change.
 */
export function nextChangeOf(inventory: Pick<InventoryClass, 'onChange'>, name: string): Promise<number> {
  return new Promise(resolve => {
    const unsubscribe = inventory.onChange(change => {
      if (change.entries.some(entry => entry.application.metadata.name === name)) {
        unsubscribe();
        resolve(performance.timeOrigin + performance.now());
      }
    });
  });
}
