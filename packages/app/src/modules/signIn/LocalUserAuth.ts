import {
  createApiRef,
  SessionState,
  type BackstageIdentityApi,
  type BackstageIdentityResponse,
  type DiscoveryApi,
  type ProfileInfo,
  type ProfileInfoApi,
  type SessionApi,
} from '@backstage/frontend-plugin-api';

/** The auth backend's provider id of the local second user (packages/backend). */
export const LOCAL_USER_PROVIDER = 'localUser';

export type LocalUserAuthApi = BackstageIdentityApi &
  ProfileInfoApi &
  SessionApi;

export const localUserAuthApiRef = createApiRef<LocalUserAuthApi>({
  id: 'app.auth.local-user',
});

interface ProxiedSession {
  profile: ProfileInfo;
  backstageIdentity: BackstageIdentityResponse & { expiresInSeconds?: number };
}

/**
 * LOCAL DEVELOPMENT ONLY. Signs in as the catalog user the auth backend's `localUser`
 * provider is configured with: like the guest provider, a proxy provider whose
 * `/refresh` issues a Backstage token without credentials. The session is cached
 * until shortly before the token expires.
 */
export class LocalUserAuth implements LocalUserAuthApi {
  private session?: { value: ProxiedSession; expiresAt: number };
  private pending?: Promise<ProxiedSession>;

  constructor(private readonly discoveryApi: DiscoveryApi) {}

  async getBackstageIdentity(): Promise<BackstageIdentityResponse> {
    return (await this.getSession()).backstageIdentity;
  }

  async getProfile(): Promise<ProfileInfo> {
    return (await this.getSession()).profile;
  }

  async signIn(): Promise<void> {
    await this.getSession();
  }

  async signOut(): Promise<void> {
    this.session = undefined;
  }

  sessionState$(): ReturnType<SessionApi['sessionState$']> {
    const state = this.session ? SessionState.SignedIn : SessionState.SignedOut;
    const observable = {
      subscribe(observer: any) {
        const next = typeof observer === 'function' ? observer : observer?.next;
        next?.(state);
        return { closed: true, unsubscribe() {} };
      },
      [Symbol.observable ?? '@@observable']() {
        return observable;
      },
    };
    return observable as unknown as ReturnType<SessionApi['sessionState$']>;
  }

  private async getSession(): Promise<ProxiedSession> {
    if (this.session && Date.now() < this.session.expiresAt) {
      return this.session.value;
    }
    this.pending ??= this.fetchSession().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchSession(): Promise<ProxiedSession> {
    const baseUrl = await this.discoveryApi.getBaseUrl('auth');
    const response = await fetch(`${baseUrl}/${LOCAL_USER_PROVIDER}/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
      credentials: 'include',
    });
    if (!response.ok) {
      const body = await response.text();
      throw new Error(
        `Sign-in as the local user failed (${response.status}): ${body}`,
      );
    }
    const value = (await response.json()) as ProxiedSession;
    // Renew a minute before the token expires (one hour by default).
    const lifetimeMs =
      (value.backstageIdentity.expiresInSeconds ?? 3600) * 1000;
    this.session = {
      value,
      expiresAt: Date.now() + Math.max(lifetimeMs - 60_000, 10_000),
    };
    return value;
  }
}
