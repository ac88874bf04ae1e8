import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';

/** The plugin id of `@backstage/plugin-kubernetes-backend`. */
export const KUBERNETES_PLUGIN_ID = 'kubernetes';

/**
 * How the suite reaches the Kubernetes backend plugin installed in the same backend:
 * its base URL (`/clusters`, `/proxy`) and a service token to call it with, on the
 * gitops plugin's own behalf (reads run in the background, with no user).
 */
export interface KubernetesPluginConnection {
  baseUrl(): Promise<string>;
  token(): Promise<string>;
}

export function kubernetesPluginConnection(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}): KubernetesPluginConnection {
  const { discovery, auth } = options;
  return {
    baseUrl: async () =>
      (await discovery.getBaseUrl(KUBERNETES_PLUGIN_ID)).replace(/\/+$/, ''),
    // The auth service caches plugin tokens and renews them before they expire.
    token: async () =>
      (
        await auth.getPluginRequestToken({
          onBehalfOf: await auth.getOwnServiceCredentials(),
          targetPluginId: KUBERNETES_PLUGIN_ID,
        })
      ).token,
  };
}
