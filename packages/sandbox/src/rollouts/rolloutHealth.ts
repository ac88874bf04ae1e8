import type { Rollout } from './rolloutTypes';

export type HealthStatusCode =
  | 'Healthy'
  | 'Suspended'
  | 'Progressing'
  | 'Missing'
  | 'Degraded'
  | 'Unknown';

export interface HealthStatus {
  status: HealthStatusCode;
  message?: string;
}

/**
 * The health Argo CD reports for an `argoproj.io/Rollout`: a port of Argo CD's
 * built-in `resource_customizations/argoproj.io/Rollout/health.lua`. A paused
 * Rollout is `Suspended`, an aborted one `Degraded`.
 */
export function rolloutHealth(rollout: Rollout): HealthStatus {
  const { metadata, spec, status } = rollout;
  if (
    status.observedGeneration === undefined ||
    Number(status.observedGeneration) !== metadata.generation
  ) {
    return progressing('Waiting for rollout spec update to be observed');
  }
  for (const condition of status.conditions ?? []) {
    const degraded =
      condition.type === 'InvalidSpec' ||
      (condition.type === 'Progressing' &&
        ['RolloutAborted', 'ProgressDeadlineExceeded'].includes(
          condition.reason,
        ));
    if (degraded) {
      return { status: 'Degraded', message: condition.message };
    }
  }
  if (status.pauseConditions?.length || spec.paused) {
    return { status: 'Suspended', message: 'Rollout is paused' };
  }
  if (!status.currentPodHash) {
    return progressing(
      'Waiting for rollout to finish: status has not been reconciled.',
    );
  }
  const updated = status.updatedReplicas ?? 0;
  if (updated < spec.replicas) {
    return progressing(
      'Waiting for roll out to finish: More replicas need to be updated',
    );
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return progressing(
      'Waiting for roll out to finish: updated replicas are still becoming available',
    );
  }
  const stable = status.stableRS ?? '';
  if (spec.strategy.blueGreen) {
    if (status.blueGreen.activeSelector !== status.currentPodHash) {
      return progressing('active service cutover pending');
    }
    if (stable !== '' && stable !== status.currentPodHash) {
      return progressing('waiting for analysis to complete');
    }
  } else {
    if ((status.replicas ?? 0) > updated) {
      return progressing(
        'Waiting for roll out to finish: old replicas are pending termination',
      );
    }
    if (stable === '' || stable !== status.currentPodHash) {
      return progressing('Waiting for rollout to finish steps');
    }
  }
  return { status: 'Healthy' };
}

function progressing(message: string): HealthStatus {
  return { status: 'Progressing', message };
}
