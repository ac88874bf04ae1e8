import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import type { StoredPromotion } from '../database/PromotionStore';

/**
 * Every notification the suite sends, by topic. The same topics reach the notifications
 * inbox and (with the email module) people's mail, where users may turn each one off.
 */
export const NOTIFICATION_TOPICS = {
  approval: 'gitops-promotion-approval',
  succeeded: 'gitops-promotion-succeeded',
  failed: 'gitops-promotion-failed',
  rollbackStarted: 'gitops-rollback-started',
} as const;

type Promotionish = Pick<StoredPromotion, 'id' | 'kind' | 'entityRef' | 'from' | 'to' | 'version' | 'requestedBy'> &
  Partial<Pick<StoredPromotion, 'previousVersion' | 'failureReason'>>;

/** The entity page's Deployments tab of an entity ref such as `component:default/orders-api`. */
export function deploymentsLink(entityRef: string): string {
  return `/catalog/${entityRef.replace(/^(\w+):(.+)\/(.+)$/, '$2/$1/$3')}/deployments`;
}

/** The name in an entity ref: `orders-api` of `component:default/orders-api`. */
function nameOf(entityRef: string): string {
  return entityRef.slice(entityRef.lastIndexOf('/') + 1);
}

/** The requester, when it is a person (a service or the system is nobody to tell). */
function requesterUser(promotion: Promotionish): string[] {
  return promotion.requestedBy.startsWith('user:') ? [promotion.requestedBy] : [];
}

/** The entity's owners, from its `ownedBy` relations. */
export function ownersOf(entity: Entity | undefined): string[] {
  return (entity?.relations ?? []).filter(r => r.type === 'ownedBy').map(r => r.targetRef);
}

/** The requester (when a user) and the owners, each once. */
export function requesterAndOwners(promotion: Promotionish, entity: Entity | undefined): string[] {
  return [...new Set([...requesterUser(promotion), ...ownersOf(entity)])];
}

function routeOf(promotion: Promotionish): string {
  return promotion.kind === 'rollback' ? `in ${promotion.to}` : `from ${promotion.from} to ${promotion.to}`;
}

/** Asks the approver groups to decide on a promotion (or rollback); the requester is left out. */
export function approvalNotification(promotion: Promotionish, groups: string[]): NotificationSendOptions | undefined {
  if (!groups.length) return undefined;
  const what = promotion.kind === 'rollback' ? 'roll back' : 'promote';
  return {
    recipients: {
      type: 'entity',
      entityRef: groups,
      // A service or the system requester is no entity to leave out.
      ...(promotion.requestedBy.startsWith('user:') ? { excludeEntityRef: promotion.requestedBy } : {}),
    },
    payload: {
      title: `Approve ${nameOf(promotion.entityRef)} ${promotion.version.tag} to ${promotion.to}?`,
      description: `${promotion.requestedBy} asks to ${what} ${promotion.entityRef} ${promotion.version.tag} ${routeOf(promotion)}.`,
      link: deploymentsLink(promotion.entityRef),
      severity: 'high',
      topic: NOTIFICATION_TOPICS.approval,
    },
  };
}

/** Tells the requester and the owners that a promotion or rollback ended. */
export function outcomeNotification(
  promotion: Promotionish,
  outcome: 'succeeded' | 'failed',
  recipients: string[],
): NotificationSendOptions | undefined {
  if (!recipients.length) return undefined;
  const name = nameOf(promotion.entityRef);
  const what = promotion.kind === 'rollback' ? `Rollback of ${name} to ${promotion.version.tag}` : `${name} ${promotion.version.tag}`;
  const description = outcome === 'succeeded'
    ? `${promotion.entityRef} ${promotion.version.tag} is deployed and healthy in ${promotion.to} (${promotion.kind} ${promotion.id} ${routeOf(promotion)}).`
    : `${promotion.kind === 'rollback' ? 'Rollback' : 'Promotion'} ${promotion.id} of ${promotion.entityRef} ${promotion.version.tag} ${routeOf(promotion)} failed: ${promotion.failureReason ?? 'no reason recorded'}.`;
  return {
    recipients: { type: 'entity', entityRef: recipients },
    payload: {
      title: `${what} ${outcome} in ${promotion.to}`,
      description,
      link: deploymentsLink(promotion.entityRef),
      severity: outcome === 'succeeded' ? 'normal' : 'high',
      topic: outcome === 'succeeded' ? NOTIFICATION_TOPICS.succeeded : NOTIFICATION_TOPICS.failed,
    },
  };
}

/** Tells the requester and the owners that a failed promotion is being rolled back. */
export function rollbackStartedNotification(
  promotion: Promotionish,
  recipients: string[],
  description: string,
): NotificationSendOptions | undefined {
  if (!recipients.length) return undefined;
  const back = promotion.previousVersion ? ` to ${promotion.previousVersion.tag}` : '';
  return {
    recipients: { type: 'entity', entityRef: recipients },
    payload: {
      title: `${nameOf(promotion.entityRef)} ${promotion.version.tag} failed in ${promotion.to}: rolling back${back}`,
      description,
      link: deploymentsLink(promotion.entityRef),
      severity: 'high',
      topic: NOTIFICATION_TOPICS.rollbackStarted,
    },
  };
}

/**
 * Sends one notification; one that cannot be sent is logged, never a reason to fail
 * what sent it (a request, a promotion, a rollback).
 */
export async function sendNotification(
  notifications: NotificationService | undefined,
  logger: LoggerService,
  options: NotificationSendOptions | undefined,
  about: string,
): Promise<void> {
  if (!notifications || !options) return;
  try {
    await notifications.send(options);
  } catch (error) {
    logger.warn(`Could not send notification ${options.payload.topic} about ${about}: ${error}`);
  }
}

/** Asks the approver groups to decide on a promotion (or rollback). */
export async function notifyApprovers(
  notifications: NotificationService | undefined,
  logger: LoggerService,
  promotion: StoredPromotion,
  groups: string[],
): Promise<void> {
  await sendNotification(notifications, logger, approvalNotification(promotion, groups), `promotion ${promotion.id}`);
}

/**
 * What the engine calls when a promotion or rollback ends: tells the requester (when a
 * user) and the entity's owners. The owners are looked up in the catalog; an entity
 * that cannot be read still lets the requester know. Never throws.
 */
export function createOutcomeNotifier(options: {
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  notifications?: NotificationService;
}) {
  const { catalog, auth, logger, notifications } = options;
  return async (promotion: StoredPromotion, outcome: 'succeeded' | 'failed'): Promise<void> => {
    if (!notifications) return;
    let entity: Entity | undefined;
    try {
      const credentials = await auth.getOwnServiceCredentials();
      entity = await catalog.getEntityByRef(promotion.entityRef, { credentials });
    } catch (error) {
      logger.warn(`Could not read the owners of ${promotion.entityRef} to notify about promotion ${promotion.id}: ${error}`);
    }
    await sendNotification(
      notifications,
      logger,
      outcomeNotification(promotion, outcome, requesterAndOwners(promotion, entity)),
      `promotion ${promotion.id}`,
    );
  };
}
