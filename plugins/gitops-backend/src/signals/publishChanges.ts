import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type { LineStopStore } from '../database/LineStopStore';
import type { PromotionStore } from '../database/PromotionStore';
import type { Inventory } from '../inventory/Inventory';
import { ChangeSignals } from './ChangeSignals';
import { EntityDirectory } from './EntityDirectory';

/**
 * Publishes a signal whenever what a view shows changes: an application of an entity
 * (from the inventory's stream), one of its promotions (from the store's writes), or a
 * stop of the line (to every view).
 * Returns what stops it.
 */
export function publishChanges(options: {
  inventory: Pick<Inventory, 'onChange'>;
  promotions: Pick<PromotionStore, 'onChange'>;
  lineStops?: Pick<LineStopStore, 'onChange'>;
  signals: SignalsService;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
}): { start(): Promise<void>; stop(): Promise<void> } {
  const { inventory, promotions, logger } = options;
  const signals = new ChangeSignals(options.signals, logger);
  const directory = new EntityDirectory(options.catalog, options.auth, logger);
  const unsubscribe = [
    inventory.onChange(change => {
      directory.entitiesOf(change.entries).then(refs => signals.changed(refs, 'deployments'));
    }),
    promotions.onChange(entityRef => signals.changed([entityRef], 'promotions')),
    options.lineStops?.onChange(() => signals.everywhere('line-stops')) ?? (() => {}),
  ];
  return {
    start: () => directory.load(),
    async stop() {
      unsubscribe.forEach(u => u());
      await signals.flush();
    },
  };
}
