import type {
  ApplicationSummary,
  HealthStatus,
  SyncStatus,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { InventoryEntry } from '../inventory/InventoryEntry';
import type { ArgoCdInstanceConfig } from '../config/gitopsConfig';

const SYNC_STATUSES: SyncStatus[] = ['Synced', 'OutOfSync', 'Unknown'];
const HEALTH_STATUSES: HealthStatus[] = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
];

/** The API view of one Argo CD application. */
export function summarizeApplication(
  { instance, application }: Pick<InventoryEntry, 'instance' | 'application'>,
  instanceConfig?: ArgoCdInstanceConfig,
): ApplicationSummary {
  const status = application.status ?? {};
  const history = (status.history ?? [])
    .map(entry => ({
      id: Number(entry.id ?? 0),
      revision: entry.revision,
      deployedAt: entry.deployedAt,
    }))
    .reverse();
  const source = application.spec?.source ?? application.spec?.sources?.[0];
  const uiBase = instanceConfig?.frontendUrl ?? instanceConfig?.url;
  return {
    instance,
    name: application.metadata.name,
    namespace: application.metadata.namespace,
    project: application.spec?.project,
    sync: {
      status: oneOf(status.sync?.status, SYNC_STATUSES, 'Unknown'),
      revision: status.sync?.revision,
    },
    health: {
      status: oneOf(status.health?.status, HEALTH_STATUSES, 'Unknown'),
      message: status.health?.message,
    },
    images: status.summary?.images ?? [],
    autoSync: Boolean(application.spec?.syncPolicy?.automated),
    lastDeployedAt: history[0]?.deployedAt ?? status.operationState?.finishedAt,
    url: uiBase
      ? `${uiBase.replace(/\/$/, '')}/applications/${application.metadata.namespace ? `${application.metadata.namespace}/` : ''}${application.metadata.name}`
      : undefined,
    source: source && {
      repoURL: source.repoURL,
      path: source.path,
      targetRevision: source.targetRevision,
    },
    history,
  };
}

function oneOf<T extends string>(value: string | undefined, allowed: T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
