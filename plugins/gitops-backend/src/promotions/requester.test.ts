import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { approverOf, isService, requesterOf } from './requester';

describe('requester', () => {
  const userInfo = mockServices.userInfo();

  it('records a user by entity ref and a service by its subject', async () => {
    expect(await requesterOf(mockCredentials.user('user:default/alice'), userInfo)).toBe('user:default/alice');
    expect(await requesterOf(mockCredentials.service('external:ci'), userInfo)).toBe('service:external:ci');
    expect(isService(mockCredentials.service())).toBe(true);
    expect(isService(mockCredentials.user())).toBe(false);
  });

  it('lets only people decide on promotions', async () => {
    await expect(approverOf(mockCredentials.user('user:default/bob'), userInfo)).resolves.toMatchObject({ userEntityRef: 'user:default/bob' });
    await expect(approverOf(mockCredentials.service('external:ci'), userInfo)).rejects.toThrow(
      'service external:ci may not approve or reject promotions: approvals are by people',
    );
  });
});
