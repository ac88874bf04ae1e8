import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type {
  HealthStatus,
  SyncStatus,
} from '@gitops-suite/backstage-plugin-gitops-common';

/** Argo CD sync status with the core-components status icon. */
export function SyncStatusLabel({ status }: { status: SyncStatus }) {
  if (status === 'Synced') return <StatusOK>Synced</StatusOK>;
  if (status === 'OutOfSync') return <StatusWarning>OutOfSync</StatusWarning>;
  return <StatusPending>Unknown</StatusPending>;
}

/** Argo CD / Argo Rollouts health with the core-components status icon. */
export function HealthStatusLabel({ status }: { status: HealthStatus | string }) {
  switch (status) {
    case 'Healthy':
      return <StatusOK>{status}</StatusOK>;
    case 'Progressing':
      return <StatusRunning>{status}</StatusRunning>;
    case 'Degraded':
      return <StatusError>{status}</StatusError>;
    case 'Suspended':
    case 'Paused':
      return <StatusWarning>{status}</StatusWarning>;
    case 'Missing':
      return <StatusAborted>{status}</StatusAborted>;
    default:
      return <StatusPending>{status}</StatusPending>;
  }
}

/** An Argo Rollouts analysis phase (of a run or a metric) with the core-components status icon. */
export function AnalysisPhaseLabel({ phase }: { phase: string }) {
  switch (phase) {
    case 'Successful':
      return <StatusOK>{phase}</StatusOK>;
    case 'Running':
      return <StatusRunning>{phase}</StatusRunning>;
    case 'Failed':
    case 'Error':
      return <StatusError>{phase}</StatusError>;
    case 'Inconclusive':
      return <StatusWarning>{phase}</StatusWarning>;
    default:
      return <StatusPending>{phase}</StatusPending>;
  }
}
