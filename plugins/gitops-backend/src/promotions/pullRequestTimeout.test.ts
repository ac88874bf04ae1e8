import type { StoredPromotion } from '../database/PromotionStore';
import { pullRequestBranch, pullRequestNumber, pullRequestTimedOut, pullRequestTimeoutReason } from './pullRequestTimeout';

describe('pull request timeout', () => {
  const promotion = (events: { type: string; at: string }[]) =>
    ({ id: 'p1', updatedAt: '2026-12-02T12:00:00Z', events: events.map(e => ({ ...e, message: '' })) }) as StoredPromotion;

  it('counts from the opening of the pull request, not from the last change', () => {
    const opened = promotion([{ type: 'writing', at: '2026-12-02T09:59:00Z' }, { type: 'pull-request-opened', at: '2026-12-02T10:00:00Z' }]);
    expect(pullRequestTimedOut(opened, 60, new Date('2026-12-02T10:59:00Z'))).toBe(false);
    expect(pullRequestTimedOut(opened, 60, new Date('2026-12-02T11:01:00Z'))).toBe(true);
    // Without the event (stored before it existed): from the last change.
    expect(pullRequestTimedOut(promotion([]), 60, new Date('2026-12-02T12:59:00Z'))).toBe(false);
  });

  it('names the branch, the number and the config key', () => {
    expect(pullRequestBranch({ id: 'p1' })).toBe('gitops/promotion-p1');
    expect(pullRequestNumber('https://github.com/acme/gitops/pull/12')).toBe(12);
    expect(pullRequestTimeoutReason(12, 60)).toBe('Pull request #12 was not merged within 60 min (promotion.pullRequestTimeoutMinutes)');
  });
});
