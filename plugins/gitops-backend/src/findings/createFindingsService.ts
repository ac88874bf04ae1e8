import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesAccess } from '../kubernetes/createKubernetesAccess';
import { FindingsService } from './FindingsService';
import type { ScanStore } from './ScanStore';

/**
 * Builds the findings service: clusters and requests through the Kubernetes plugin
 * (see createKubernetesAccess), CI scans from the scan store (the one the scans
 * route writes).
 */
export function createFindingsService(options: {
  kubernetes: KubernetesAccess;
  logger: LoggerService;
  scans: ScanStore;
  cacheTtlMs?: number;
}): FindingsService {
  return new FindingsService({
    clusters: options.kubernetes.clusters,
    kubernetesClient: options.kubernetes.client,
    scanStore: options.scans,
    logger: options.logger,
    cacheTtlMs: options.cacheTtlMs,
  });
}
