import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/**
 * LOCAL DEVELOPMENT ONLY: a second identity beside guest, so one person can try in the
 * local app what needs two (a promotion someone else must approve). A proxy provider
 * like the guest provider: `GET /api/auth/localUser/refresh` signs in, without any
 * credential, as the catalog user `auth.providers.localUser.userEntityRef`, with that
 * user's group memberships (catalog sign-in). Refused unless NODE_ENV is
 * `development` (what `backstage-cli package start` sets), as the guest provider does;
 * app-config.production.yaml does not configure it.
 */
const isDevelopment = () => process.env.NODE_ENV === 'development';

const localUserAuthenticator = createProxyAuthenticator<
  { userEntityRef: string },
  { userEntityRef: string },
  undefined
>({
  initialize({ config }) {
    return { userEntityRef: config.getString('userEntityRef') };
  },
  async authenticate(_, { userEntityRef }) {
    if (!isDevelopment()) {
      const error = new Error(
        'The localUser sign-in is for local development only',
      );
      error.name = 'NotAllowedError'; // 403
      throw error;
    }
    return { result: { userEntityRef } };
  },
  async defaultProfileTransform({ userEntityRef }, ctx) {
    const { entity } = await ctx.findCatalogUser({ entityRef: userEntityRef });
    const profile = (entity.spec?.profile ?? {}) as {
      displayName?: string;
      email?: string;
      picture?: string;
    };
    return {
      profile: {
        displayName: profile.displayName ?? entity.metadata.name,
        ...(profile.email ? { email: profile.email } : {}),
        ...(profile.picture ? { picture: profile.picture } : {}),
      },
    };
  },
});

export const authModuleLocalUserProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'local-user-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        logger: coreServices.logger,
      },
      async init({ providers, logger }) {
        if (!isDevelopment()) {
          logger.info(
            'localUser sign-in not registered: not a development run',
          );
          return;
        }
        providers.registerProvider({
          providerId: 'localUser',
          factory: createProxyAuthProviderFactory({
            authenticator: localUserAuthenticator,
            async signInResolver({ result }, ctx) {
              return ctx.signInWithCatalogUser({
                entityRef: result.userEntityRef,
              });
            },
          }),
        });
      },
    });
  },
});
