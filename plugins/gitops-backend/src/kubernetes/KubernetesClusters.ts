import fs from 'fs';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';

/** One cluster the suite can read, with the credentials to do it. */
export interface KubernetesCluster {
  name: string;
  /** API server URL, without trailing slash. */
  url: string;
  /** Bearer token (a service account token). */
  token: string;
  skipTLSVerify: boolean;
  /** PEM CA bundle that signs the API server's certificate, when it is private. */
  ca?: string;
}

const AUTH_PROVIDER_ANNOTATION = 'kubernetes.io/auth-provider';

/**
 * Reads clusters from the Kubernetes plugin's own config
 * (`kubernetes.clusterLocatorMethods[].clusters[]` of `type: config`), so users
 * configure each cluster once for both plugins. Only `serviceAccount` auth is
 * supported: the others need a user's token or a cloud SDK, which a background
 * read of reports cannot use; such clusters are skipped with a warning rather
 * than failing the backend.
 */
export function readKubernetesClusters(
  config: Config,
  logger: LoggerService,
): KubernetesCluster[] {
  const clusters: KubernetesCluster[] = [];
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  for (const method of methods) {
    const type = method.getString('type');
    if (type !== 'config') {
      logger.info(
        `Findings ignore Kubernetes cluster locator '${type}': only 'config' is read`,
      );
      continue;
    }
    for (const entry of method.getOptionalConfigArray('clusters') ?? []) {
      const cluster = readCluster(entry, logger);
      if (!cluster) continue;
      if (clusters.some(c => c.name === cluster.name)) {
        logger.warn(
          `Kubernetes cluster '${cluster.name}' is configured twice; the first entry is used`,
        );
        continue;
      }
      clusters.push(cluster);
    }
  }
  return clusters;
}

function readCluster(
  entry: Config,
  logger: LoggerService,
): KubernetesCluster | undefined {
  const name = entry.getString('name');
  // Newer Kubernetes plugin configs may carry the provider and token in authMetadata.
  // (read as a record: its keys, like kubernetes.io/auth-provider, are not config keys).
  const authMetadata =
    entry.getOptional<Record<string, string>>('authMetadata');
  const authProvider =
    entry.getOptionalString('authProvider') ??
    authMetadata?.[AUTH_PROVIDER_ANNOTATION];
  if (authProvider !== 'serviceAccount') {
    logger.warn(
      `Kubernetes cluster '${name}' uses authProvider '${
        authProvider ?? '(none)'
      }'; findings support only 'serviceAccount', so this cluster is skipped`,
    );
    return undefined;
  }
  const token =
    entry.getOptionalString('serviceAccountToken') ??
    authMetadata?.serviceAccountToken;
  if (!token) {
    // The in-cluster token the Kubernetes plugin falls back to is rotated hourly;
    // reading it once here would go stale, so it is not supported (yet).
    logger.warn(
      `Kubernetes cluster '${name}' has no serviceAccountToken; findings skip this cluster`,
    );
    return undefined;
  }
  return {
    name,
    url: entry.getString('url').replace(/\/+$/, ''),
    token,
    skipTLSVerify: entry.getOptionalBoolean('skipTLSVerify') ?? false,
    ca: readCa(entry),
  };
}

function readCa(entry: Config): string | undefined {
  const caData = entry.getOptionalString('caData');
  if (caData) return Buffer.from(caData, 'base64').toString('utf8');
  const caFile = entry.getOptionalString('caFile');
  return caFile ? fs.readFileSync(caFile, 'utf8') : undefined;
}
