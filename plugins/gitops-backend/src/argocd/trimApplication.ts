import type { ArgoApplication, ArgoOperationState } from './types';

const HISTORY_KEPT = 10;
const WORKLOAD_KINDS = new Set(['Rollout', 'Deployment', 'StatefulSet']);

/**
 * Keeps only the fields of an Application the suite reads, so the snapshot of
 * thousands of applications stays small (managed resources lists and operation
 * results can be many kilobytes per app).
 */
export function trimApplication(app: ArgoApplication): ArgoApplication {
  const { metadata, spec, status } = app;
  return {
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      labels: metadata.labels,
      // Only the suite's own (a preview's pull request); others can be large (last-applied).
      annotations: suiteAnnotations(metadata.annotations),
      resourceVersion: metadata.resourceVersion,
      creationTimestamp: metadata.creationTimestamp,
      deletionTimestamp: metadata.deletionTimestamp,
      ownerReferences: metadata.ownerReferences?.filter(o => o.kind === 'ApplicationSet'),
    },
    spec: spec && {
      project: spec.project,
      source: spec.source,
      sources: spec.sources,
      destination: spec.destination,
      syncPolicy: spec.syncPolicy?.automated
        ? { automated: spec.syncPolicy.automated }
        : undefined,
    },
    status: status && {
      sync: status.sync && {
        status: status.sync.status,
        revision: status.sync.revision,
        revisions: status.sync.revisions,
      },
      health: status.health,
      summary: status.summary && {
        images: status.summary.images,
        externalURLs: status.summary.externalURLs,
      },
      history: status.history?.slice(-HISTORY_KEPT),
      operationState: status.operationState && trimOperationState(status.operationState),
      // Workloads (for Rollouts and findings), and what drifted (for the drift list).
      resources: status.resources?.filter(r => WORKLOAD_KINDS.has(r.kind ?? '') || r.status === 'OutOfSync'),
    },
  };
}

function suiteAnnotations(annotations?: Record<string, string>) {
  const kept = Object.entries(annotations ?? {}).filter(([key]) => key.startsWith('gitops.backstage.io/'));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** The operation's phase, who started it, and its hooks: not the (large) list of every synced resource. */
function trimOperationState(state: ArgoOperationState): ArgoOperationState {
  const { operation, syncResult } = state;
  const hooks = syncResult?.resources?.filter(r => r.hookType);
  return {
    phase: state.phase,
    message: state.message,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    operation: operation && {
      sync: operation.sync && { revision: operation.sync.revision, dryRun: operation.sync.dryRun },
      initiatedBy: operation.initiatedBy,
    },
    syncResult: syncResult && {
      revision: syncResult.revision,
      ...(hooks?.length ? { resources: hooks } : {}),
    },
  };
}

/** The Rollouts an application manages, from its resource list. */
export function managedRollouts(app: ArgoApplication) {
  return (app.status?.resources ?? []).filter(
    r => r.kind === 'Rollout' && r.group === 'argoproj.io' && r.name,
  );
}
