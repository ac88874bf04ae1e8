import type {
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Entity } from '@backstage/catalog-model';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { PromotionStore, StoredPromotion } from '../database/PromotionStore';
import { requesterAndOwners, rollbackStartedNotification, sendNotification } from './promotionNotifications';
import type { RollbackService } from './RollbackService';

/** Who automatic rollbacks are recorded as requested by. */
export const AUTO_ROLLBACK_REQUESTER = 'system:gitops/auto-rollback';

/**
 * What happens when a promotion fails to become healthy: the version is marked bad
 * for that environment (not promoted there again without an override) and, where the
 * environment says `autoRollback`, a rollback to the version that ran before starts,
 * once: a failed rollback never starts another (no loops).
 */
export function createFailureHandler(options: {
  config: GitopsConfig;
  store: PromotionStore;
  rollbacks: RollbackService;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  notifications?: NotificationService;
}) {
  const { config, store, rollbacks, catalog, auth, logger, notifications } = options;

  /** Tells the requester and the owners what happened; a failed notification is only logged. */
  async function notify(promotion: StoredPromotion, entity: Entity, description: string) {
    const notification = rollbackStartedNotification(promotion, requesterAndOwners(promotion, entity), description);
    await sendNotification(notifications, logger, notification, `promotion ${promotion.id}`);
  }

  return async (promotion: StoredPromotion, reason: string) => {
    if (promotion.kind === 'rollback') return;
    await store.markBad(promotion.entityRef, promotion.to, promotion.version.tag, promotion.id, reason);
    const environment = config.environments.find(e => e.name === promotion.to);
    const previous = promotion.previousVersion?.tag;
    if (!environment?.promotion.autoRollback || !previous) return;
    try {
      const credentials = await auth.getOwnServiceCredentials();
      const entity = await catalog.getEntityByRef(promotion.entityRef, { credentials });
      if (!entity) throw new Error(`${promotion.entityRef} is no longer in the catalog`);
      const rollback = await rollbacks.start(entity, promotion.to, previous, {
        requestedBy: AUTO_ROLLBACK_REQUESTER,
        comment: `Automatic rollback after promotion ${promotion.id} failed: ${reason}`,
        rollbackOf: promotion.id,
      });
      await store.addEvent(promotion.id, {
        type: 'rollback-started',
        message: `Automatic rollback ${rollback.id} of ${promotion.to} to ${previous} started`,
      });
      await notify(promotion, entity, `${reason}. Rolling ${promotion.to} back to ${previous} (rollback ${rollback.id}); ${promotion.version.tag} is marked bad there.`);
    } catch (error) {
      logger.error(`Automatic rollback after promotion ${promotion.id} could not start: ${error}`);
      await store.addEvent(promotion.id, {
        type: 'rollback-not-started',
        message: `Automatic rollback to ${previous} could not start: ${(error as Error).message}`,
      });
    }
  };
}
