import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { KubernetesAccess } from '../kubernetes/createKubernetesAccess';
import { FindingsService } from './FindingsService';
import { DatabaseScanStore } from './ScanStore';

/**
 * Builds the findings service: clusters and requests through the Kubernetes plugin
 * (see createKubernetesAccess), CI scans in the plugin database (migrated by
 * `connectDatabase`, which runs every file of `migrations/`).
 */
export function createFindingsService(options: {
  kubernetes: KubernetesAccess;
  logger: LoggerService;
  database: Knex;
  cacheTtlMs?: number;
}): FindingsService {
  return new FindingsService({
    clusters: options.kubernetes.clusters,
    kubernetesClient: options.kubernetes.client,
    scanStore: new DatabaseScanStore(options.database),
    logger: options.logger,
    cacheTtlMs: options.cacheTtlMs,
  });
}
