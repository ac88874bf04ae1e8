import type { StoredPromotion } from '../database/PromotionStore';

/** Minutes a pull request may wait for its merge where no environment says (the config's default). */
export const DEFAULT_PULL_REQUEST_TIMEOUT_MINUTES = 4320;

/** The branch a pull request of this promotion is opened from. */
export function pullRequestBranch(promotion: Pick<StoredPromotion, 'id'>): string {
  return `gitops/promotion-${promotion.id}`;
}

/** The number at the end of a pull request's URL (`.../pull/12`). */
export function pullRequestNumber(url: string): number {
  return Number(url.match(/(\d+)\/?$/)?.[1]);
}

/**
 * Whether a pull request has waited longer than the environment allows: counted from
 * its opening (the `pull-request-opened` event), so errors recorded meanwhile do not
 * move the deadline.
 */
export function pullRequestTimedOut(promotion: StoredPromotion, timeoutMinutes: number, now: Date): boolean {
  const opened = promotion.events.find(e => e.type === 'pull-request-opened')?.at ?? promotion.updatedAt;
  return now.getTime() - new Date(opened).getTime() > timeoutMinutes * 60_000;
}

/** Why a promotion gave its pull request up, for the failure reason and the comment on it. */
export function pullRequestTimeoutReason(number: number, timeoutMinutes: number): string {
  return `Pull request #${number} was not merged within ${timeoutMinutes} min (promotion.pullRequestTimeoutMinutes)`;
}
