import { approvalRefusal, approvalsGiven } from './approvals';

const rule = { required: 1, groups: ['group:default/release-managers'], allowSelfApproval: false };
const promotion = { to: 'prod', requestedBy: 'user:default/alice', approvals: [] };
const bob = { userEntityRef: 'user:default/bob', ownershipEntityRefs: ['group:default/release-managers'] };

describe('approvalRefusal', () => {
  it('lets a member of an approver group decide on another person’s promotion', () => {
    expect(approvalRefusal(rule, promotion, bob)).toBeUndefined();
  });

  it('refuses the requester, unless the rule allows self-approval', () => {
    const alice = { ...bob, userEntityRef: 'user:default/alice' };
    expect(approvalRefusal(rule, promotion, alice)).toBe('You requested this promotion: another person must approve it');
    expect(approvalRefusal({ ...rule, allowSelfApproval: true }, promotion, alice)).toBeUndefined();
  });

  it('refuses a second decision by the same person', () => {
    const decided = { ...promotion, approvals: [{ approver: bob.userEntityRef, decision: 'approved' as const, at: '' }] };
    expect(approvalRefusal(rule, decided, bob)).toBe('You have already decided on this promotion');
  });

  it('refuses someone outside the approver groups, naming them', () => {
    expect(approvalRefusal(rule, promotion, { ...bob, ownershipEntityRefs: ['group:default/devs'] })).toBe(
      'Only members of group:default/release-managers may approve promotions to prod',
    );
    expect(approvalRefusal({ ...rule, groups: [] }, promotion, { ...bob, ownershipEntityRefs: [] })).toBeUndefined();
  });

  it('refuses everyone once the environment is no longer configured', () => {
    expect(approvalRefusal(undefined, promotion, bob)).toBe('environment prod is no longer configured');
  });
});

describe('approvalsGiven', () => {
  it('counts approvals, not rejections', () => {
    const approvals = [
      { approver: 'user:default/a', decision: 'approved' as const, at: '' },
      { approver: 'user:default/b', decision: 'rejected' as const, at: '' },
      { approver: 'user:default/c', decision: 'approved' as const, at: '' },
    ];
    expect(approvalsGiven({ approvals })).toBe(2);
  });
});
