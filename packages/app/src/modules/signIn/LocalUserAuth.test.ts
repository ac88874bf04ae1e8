import { LocalUserAuth } from './LocalUserAuth';

describe('LocalUserAuth', () => {
  const discoveryApi = {
    getBaseUrl: async () => 'http://localhost:7007/api/auth',
  };
  const session = {
    profile: { displayName: 'Sam Rivera', email: 'sam@example.com' },
    backstageIdentity: {
      token: 'token-1',
      expiresInSeconds: 3600,
      identity: {
        type: 'user',
        userEntityRef: 'user:default/sam',
        ownershipEntityRefs: ['user:default/sam', 'group:default/sre'],
      },
    },
  };
  const fetchMock = jest.fn();

  beforeEach(() => {
    fetchMock.mockReset();
    global.fetch = fetchMock as unknown as typeof fetch;
  });

  it('signs in through the localUser proxy provider and caches the session', async () => {
    fetchMock.mockResolvedValue({ ok: true, json: async () => session });
    const auth = new LocalUserAuth(discoveryApi);
    const [identity, profile] = await Promise.all([
      auth.getBackstageIdentity(),
      auth.getProfile(),
    ]);
    expect(identity.identity.userEntityRef).toBe('user:default/sam');
    expect(profile.displayName).toBe('Sam Rivera');
    await auth.getBackstageIdentity();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock).toHaveBeenCalledWith(
      'http://localhost:7007/api/auth/localUser/refresh',
      expect.objectContaining({
        credentials: 'include',
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      }),
    );
  });

  it('reports a refused sign-in with the status', async () => {
    fetchMock.mockResolvedValue({
      ok: false,
      status: 404,
      text: async () => 'Unknown auth provider',
    });
    await expect(
      new LocalUserAuth(discoveryApi).getBackstageIdentity(),
    ).rejects.toThrow('Sign-in as the local user failed (404)');
  });
});
