import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { Knex } from 'knex';
import { KubernetesClient } from '../kubernetes/KubernetesClient';
import { readKubernetesClusters } from '../kubernetes/KubernetesClusters';
import { FindingsService } from './FindingsService';
import { DatabaseScanStore } from './ScanStore';

/**
 * Builds the findings service from the root config: clusters from the Kubernetes
 * plugin's `kubernetes.clusterLocatorMethods`, CI scans in the plugin database
 * (migrated by `connectDatabase`, which runs every file of `migrations/`).
 */
export function createFindingsService(options: {
  config: Config;
  logger: LoggerService;
  database: Knex;
  requestTimeoutMs?: number;
  cacheTtlMs?: number;
}): FindingsService {
  const clusters = readKubernetesClusters(options.config, options.logger);
  options.logger.info(
    `Findings read ${clusters.length} Kubernetes cluster(s): ${
      clusters.map(c => c.name).join(', ') || 'none'
    }`,
  );
  return new FindingsService({
    clusters,
    kubernetesClient: new KubernetesClient({
      timeoutMs: options.requestTimeoutMs,
    }),
    scanStore: new DatabaseScanStore(options.database),
    logger: options.logger,
    cacheTtlMs: options.cacheTtlMs,
  });
}
