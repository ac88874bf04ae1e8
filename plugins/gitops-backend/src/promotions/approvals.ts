import type { StoredPromotion } from '../database/PromotionStore';
import type { EnvironmentConfig } from '../config/gitopsConfig';

/** The approval rule of an environment's promotions. */
export type ApprovalRule = EnvironmentConfig['promotion']['approvals'];

/** The person deciding: their entity ref and the groups they belong to. */
export interface Approver {
  userEntityRef: string;
  ownershipEntityRefs: string[];
}

/**
 * Why `approver` may not decide on the promotion under `rule`, or undefined when they
 * may. No rule (the environment left the config) refuses everyone.
 */
export function approvalRefusal(
  rule: ApprovalRule | undefined,
  promotion: Pick<StoredPromotion, 'to' | 'requestedBy' | 'approvals'>,
  approver: Approver,
): string | undefined {
  if (!rule) return `environment ${promotion.to} is no longer configured`;
  if (promotion.requestedBy === approver.userEntityRef && !rule.allowSelfApproval) {
    return 'You requested this promotion: another person must approve it';
  }
  if (promotion.approvals.some(a => a.approver === approver.userEntityRef)) {
    return 'You have already decided on this promotion';
  }
  if (rule.groups.length && !rule.groups.some(group => approver.ownershipEntityRefs.includes(group))) {
    return `Only members of ${rule.groups.join(', ')} may approve promotions to ${promotion.to}`;
  }
  return undefined;
}

/** Approvals counted towards the rule: approvals given, rejections not. */
export function approvalsGiven(promotion: Pick<StoredPromotion, 'approvals'>): number {
  return promotion.approvals.filter(a => a.decision === 'approved').length;
}
