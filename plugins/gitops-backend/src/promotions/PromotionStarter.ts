import type { LoggerService } from '@backstage/backend-plugin-api';
import type { GateResult, Promotion } from '@gitops-suite/backstage-plugin-gitops-common';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import crypto from 'crypto';
import type { NewPromotion, PromotionStore } from '../database/PromotionStore';
import { notifyApprovers } from './promotionNotifications';
import { overrideEvent } from './gateOverride';
import { toApi } from './promotionModel';

/** A promotion or rollback whose gates were assembled and passed (or overridden). */
export type PromotionStart = Omit<NewPromotion, 'id' | 'status'> & {
  /** Who is asked to approve when approvals are required. */
  approverGroups: string[];
  /** The failed gates the requester overrode, recorded with the promotion. */
  overridden: GateResult[];
};

/**
 * The one way a promotion or a rollback starts: stored awaiting approval (or approved
 * when none is required) together with the record of any gate override, and the
 * approvers asked. The engine moves it on from there.
 */
export class PromotionStarter {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      store: PromotionStore;
      notifications?: NotificationService;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async start(request: PromotionStart): Promise<Promotion> {
    const { approverGroups, overridden, ...promotion } = request;
    const id = crypto.randomUUID();
    const awaiting = promotion.requiredApprovals > 0;
    await this.options.store.create(
      { ...promotion, id, status: awaiting ? 'awaiting-approval' : 'approved' },
      this.now(),
      // Recorded with the promotion itself: no promotion past a failed gate without it.
      overridden.length ? [overrideEvent(promotion.requestedBy, overridden)] : [],
    );
    const stored = (await this.options.store.get(id))!;
    if (awaiting) await notifyApprovers(this.options.notifications, this.options.logger, stored, approverGroups);
    return toApi(stored);
  }
}
