import type {
  ApplicationDrift,
  ApplicationSource,
  ApplicationSummary,
  HealthStatus,
  OperationPhase,
  SyncHookResult,
  SyncOperation,
  SyncStatus,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { ArgoApplication, ArgoApplicationSource, ArgoOperationState } from '../argocd/types';
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
  const uiBase = instanceConfig?.frontendUrl ?? instanceConfig?.url;
  const url = uiBase
    ? `${uiBase.replace(/\/$/, '')}/applications/${application.metadata.namespace ? `${application.metadata.namespace}/` : ''}${application.metadata.name}`
    : undefined;
  const operation = status.operationState && syncOperation(status.operationState);
  const drift = applicationDrift(application, url);
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
    url,
    ...sourcesOf(application),
    ...(applicationSetOf(application) ? { applicationSet: applicationSetOf(application) } : {}),
    ...(status.summary?.externalURLs?.length ? { externalURLs: status.summary.externalURLs } : {}),
    createdAt: application.metadata.creationTimestamp,
    ...(application.metadata.deletionTimestamp ? { deleting: true } : {}),
    history,
    ...(operation ? { operation } : {}),
    ...(drift ? { drift } : {}),
  };
}

/**
 * `source`: what the application deploys (of a multi-source one, the source holding the
 * chart or the path, not a `ref`-only source of value files), and every source.
 */
function sourcesOf(application: ArgoApplication): Pick<ApplicationSummary, 'source' | 'sources'> {
  const { source, sources } = application.spec ?? {};
  if (source) return { source: applicationSource(source) };
  if (!sources?.length) return {};
  const all = sources.map(applicationSource);
  return { source: all.find(s => s.chart || s.path) ?? all[0], sources: all };
}

function applicationSource(source: ArgoApplicationSource): ApplicationSource {
  return {
    repoURL: source.repoURL,
    ...(source.path !== undefined ? { path: source.path } : {}),
    ...(source.chart ? { chart: source.chart } : {}),
    targetRevision: source.targetRevision,
    ...(source.ref ? { ref: source.ref } : {}),
    ...(source.helm?.valueFiles?.length ? { valueFiles: source.helm.valueFiles } : {}),
  };
}

/** The ApplicationSet that generated the application: its controlling owner reference. */
export function applicationSetOf(application: ArgoApplication): string | undefined {
  return application.metadata.ownerReferences?.find(o => o.kind === 'ApplicationSet' && o.name)?.name;
}

const PHASES: OperationPhase[] = ['Running', 'Terminating', 'Succeeded', 'Failed', 'Error'];
const HOOK_TYPES: SyncHookResult['hookType'][] = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'PostDelete', 'Skip'];
/** Drifted resources listed per application; the count says how many more. */
const DRIFT_LISTED = 50;

/** The current or last operation, who started it, and its hooks. */
function syncOperation(state: ArgoOperationState): SyncOperation {
  const initiatedBy = state.operation?.initiatedBy;
  const hooks = (state.syncResult?.resources ?? [])
    .filter(r => r.hookType && r.kind && r.name)
    .map(r => ({
      hookType: oneOf(r.hookType, HOOK_TYPES, 'Sync'),
      // A hook Argo CD has not reported on yet is still to run: not passed.
      hookPhase: oneOf(r.hookPhase, PHASES, 'Unknown'),
      kind: r.kind!,
      namespace: r.namespace,
      name: r.name!,
      message: r.message,
    }));
  return {
    phase: oneOf(state.phase, PHASES, 'Unknown'),
    message: state.message,
    revision: state.syncResult?.revision ?? state.operation?.sync?.revision,
    initiatedBy: initiatedBy?.automated ? 'automated' : initiatedBy?.username,
    ...(state.operation?.sync?.dryRun ? { dryRun: true } : {}),
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    hooks,
  };
}

/**
 * OutOfSync resources with a link to each one's diff in Argo CD, and whether the live
 * state was changed by hand: OutOfSync at the very revision last synced (git did not
 * move), no operation running, and no auto-sync that would have put it back.
 */
function applicationDrift(application: ArgoApplication, url?: string): ApplicationDrift | undefined {
  const status = application.status ?? {};
  const drifted = (status.resources ?? []).filter(r => r.status === 'OutOfSync' && r.kind && r.name);
  if (status.sync?.status !== 'OutOfSync' && !drifted.length) return undefined;
  const lastSynced = status.operationState?.syncResult?.revision;
  const changedOutsideGit =
    status.sync?.status === 'OutOfSync' &&
    !application.spec?.syncPolicy?.automated &&
    status.operationState?.phase !== 'Running' &&
    Boolean(lastSynced) &&
    status.sync?.revision === lastSynced;
  return {
    changedOutsideGit,
    resources: drifted.slice(0, DRIFT_LISTED).map(r => ({
      group: r.group || undefined,
      kind: r.kind!,
      namespace: r.namespace,
      name: r.name!,
      status: r.status!,
      // The Argo CD UI opens a resource's diff tab from its node key: group/kind/namespace/name/0.
      diffUrl: url && `${url}?${new URLSearchParams({ node: `${r.group ?? ''}/${r.kind}/${r.namespace ?? ''}/${r.name}/0`, tab: 'diff' })}`,
    })),
    total: drifted.length,
  };
}

function oneOf<T extends string>(value: string | undefined, allowed: T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
