import { mockServices } from '@backstage/backend-test-utils';
import { kubernetesPluginConnection } from '../KubernetesPluginConnection';

/**
 * The real connection code over the test-utils discovery and auth services: the
 * Kubernetes plugin is at `http://localhost:0/api/kubernetes` (requests are meant to be
 * intercepted by msw), tokens are mock service tokens of the gitops plugin.
 */
export function testConnection() {
  return kubernetesPluginConnection({
    discovery: mockServices.discovery(),
    auth: mockServices.auth({ pluginId: 'gitops' }),
  });
}

export const KUBERNETES_PLUGIN_URL = 'http://localhost:0/api/kubernetes';
export const PROXY_URL = `${KUBERNETES_PLUGIN_URL}/proxy`;

/** The error body Backstage's error handler (and so the Kubernetes plugin's proxy) answers. */
export function backstageError(status: number, name: string, message: string) {
  return {
    error: { name, message },
    request: { method: 'GET', url: '/api/kubernetes/proxy/x' },
    response: { statusCode: status },
  };
}
