import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { StoredPromotion } from '../database/PromotionStore';

/** The entity page's Deployments tab of an entity ref such as `component:default/orders-api`. */
export function deploymentsLink(entityRef: string): string {
  return `/catalog/${entityRef.replace(/^(\w+):(.+)\/(.+)$/, '$2/$1/$3')}/deployments`;
}

/**
 * Asks the approver groups to decide on a promotion (or rollback). A notification that
 * cannot be sent is logged, never a reason to fail the request that created it.
 */
export async function notifyApprovers(
  notifications: NotificationService | undefined,
  logger: LoggerService,
  promotion: StoredPromotion,
  groups: string[],
): Promise<void> {
  if (!notifications || !groups.length) return;
  const what = promotion.kind === 'rollback' ? 'roll back' : 'promote';
  const route = promotion.kind === 'rollback' ? `in ${promotion.to}` : `from ${promotion.from} to ${promotion.to}`;
  try {
    await notifications.send({
      recipients: {
        type: 'entity',
        entityRef: groups,
        // A service or the system requester is no entity to leave out.
        ...(promotion.requestedBy.startsWith('user:') ? { excludeEntityRef: promotion.requestedBy } : {}),
      },
      payload: {
        title: `Approve ${promotion.entityRef} ${promotion.version.tag} to ${promotion.to}?`,
        description: `${promotion.requestedBy} asks to ${what} ${promotion.version.tag} ${route}.`,
        link: deploymentsLink(promotion.entityRef),
        severity: 'high',
        topic: 'gitops-promotion-approval',
      },
    });
  } catch (error) {
    logger.warn(`Could not notify approvers of promotion ${promotion.id}: ${error}`);
  }
}
