import {
  ApiBlueprint,
  createFrontendModule,
  discoveryApiRef,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { LocalUserAuth, localUserAuthApiRef } from './LocalUserAuth';

const localUserAuthApi = ApiBlueprint.make({
  name: 'local-user-auth',
  params: defineParams =>
    defineParams({
      api: localUserAuthApiRef,
      deps: { discoveryApi: discoveryApiRef },
      factory: ({ discoveryApi }) => new LocalUserAuth(discoveryApi),
    }),
});

/**
 * The sign-in page of the local app: guest, plus a second local identity (the catalog
 * user of `auth.providers.localUser`, see app-config.yaml), so one person can try what
 * needs two, such as approving a promotion someone else requested. Development only:
 * the backend refuses both providers outside NODE_ENV=development.
 */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => {
      const { SignInPage } = await import('@backstage/core-components');
      return props => (
        <SignInPage
          {...props}
          providers={[
            'guest',
            {
              id: 'local-user',
              title: 'Second local user',
              message:
                'Local development only: signs in without credentials as the catalog user set in auth.providers.localUser (in this app Sam Rivera of group sre, who may approve production promotions).',
              apiRef: localUserAuthApiRef,
            },
          ]}
        />
      );
    },
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [localUserAuthApi, signInPage],
});
