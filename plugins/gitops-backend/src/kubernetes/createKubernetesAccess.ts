import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { KubernetesClient } from './KubernetesClient';
import {
  KubernetesClusterSource,
  type KubernetesClusterList,
} from './KubernetesClusters';
import { kubernetesPluginConnection } from './KubernetesPluginConnection';

/** The clusters of the Kubernetes plugin and a client that reaches them through its proxy. */
export interface KubernetesAccess {
  clusters: KubernetesClusterList;
  client: KubernetesClient;
}

/**
 * Kubernetes access for findings and `rolloutControl: kubernetes`: through the
 * Kubernetes backend plugin installed in the same backend, so every cluster locator
 * and every server-side authProvider it supports works here too. Without `kubernetes`
 * config that plugin serves nothing, so there are no clusters and nothing is asked.
 */
export function createKubernetesAccess(options: {
  config: Config;
  discovery: DiscoveryService;
  auth: AuthService;
  logger: LoggerService;
  requestTimeoutMs?: number;
  /** How long the cluster list is reused (default 60 s). */
  clusterListTtlMs?: number;
}): KubernetesAccess {
  const connection = kubernetesPluginConnection(options);
  const client = new KubernetesClient({
    connection,
    timeoutMs: options.requestTimeoutMs,
  });
  if (!options.config.has('kubernetes')) {
    options.logger.info(
      'No kubernetes config: findings and rollout controls through Kubernetes are off',
    );
    return { clusters: { list: async () => [] }, client };
  }
  return {
    clusters: new KubernetesClusterSource({
      connection,
      logger: options.logger,
      ttlMs: options.clusterListTtlMs,
      timeoutMs: options.requestTimeoutMs,
      serverUrls: configuredServerUrls(options.config),
    }),
    client,
  };
}

/**
 * The API server URL of each cluster the Kubernetes plugin's config lists
 * (`kubernetes.clusterLocatorMethods[].clusters[]` of type `config`), by name.
 */
export function configuredServerUrls(config: Config): Map<string, string> {
  const urls = new Map<string, string>();
  for (const method of config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []) {
    if (method.getOptionalString('type') !== 'config') continue;
    for (const cluster of method.getOptionalConfigArray('clusters') ?? []) {
      const name = cluster.getOptionalString('name');
      const url = cluster.getOptionalString('url');
      if (name && url) urls.set(name, url);
    }
  }
  return urls;
}
