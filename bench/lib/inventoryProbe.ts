/**
 * Instruments the gitops plugin's Inventory from outside, for the benchmarks only: the
 * plugin builds its Inventory inside its init, so this wraps two methods of the class
 * (no behaviour changes) to keep a handle on the instance and to time the read-model
 * rebuilds, the cost the first read after a change pays.
 *
 * Require it only in a process that measures our plugin: it loads the plugin's code.
 */
import type { Inventory as InventoryClass } from '../../plugins/gitops-backend/src/inventory/Inventory';
import type { InventoryIndex } from '../../plugins/gitops-backend/src/inventory/InventoryIndex';

export type InventoryProbe = {
  /** The plugin's Inventory, once its start-up began. */
  inventory(): InventoryClass;
  /** Milliseconds of each `index()` call that rebuilt the read model. */
  rebuildsMs: number[];
  /** `index()` calls in all. */
  indexCalls(): number;
};

let installed: InventoryProbe | undefined;

export function probeInventory(): InventoryProbe {
  if (installed) return installed;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Inventory } = require('../../plugins/gitops-backend/src/inventory/Inventory') as {
    Inventory: typeof InventoryClass;
  };
  let instance: InventoryClass | undefined;
  let calls = 0;
  const rebuildsMs: number[] = [];
  const { start, index } = Inventory.prototype;
  Inventory.prototype.start = function startProbed(this: InventoryClass) {
    instance = this;
    return start.call(this);
  };
  Inventory.prototype.index = function indexProbed(this: InventoryClass): InventoryIndex {
    calls++;
    const before = (this as unknown as { cachedIndex?: InventoryIndex }).cachedIndex;
    const started = process.hrtime.bigint();
    const result = index.call(this);
    if (result !== before) rebuildsMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    return result;
  };
  installed = {
    inventory() {
      if (!instance) throw new Error('the gitops inventory has not started');
      return instance;
    },
    rebuildsMs,
    indexCalls: () => calls,
  };
  return installed;
}

/**
 * Resolves when the inventory applied a change of application `name` (an upsert whose
 * content changed), with when: epoch milliseconds, comparable across processes.
 * Subscribe before making the change.
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
