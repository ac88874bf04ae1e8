import { kubeTime } from '../clock';
import {
  ControllerContext,
  ControllerState,
  currentReplicaSet,
  isAvailable,
} from './controllerState';
import {
  isFullyPromoted,
  POD_TEMPLATE_HASH_LABEL,
  Rollout,
  RolloutCondition,
  RolloutStatus,
} from './rolloutTypes';

/**
 * Writes the status fields the controller derives (counts, selector, conditions,
 * phase and message) after a reconcile.
 */
export function updateStatus(
  state: ControllerState,
  ctx: ControllerContext,
): void {
  const { rollout } = state;
  const { status } = rollout;
  const pods = state.replicaSets.flatMap(replicaSet => replicaSet.pods);
  const activePods = rollout.spec.strategy.blueGreen
    ? state.replicaSets.find(rs => rs.hash === status.blueGreen.activeSelector)
        ?.pods ?? []
    : pods;
  status.observedGeneration = String(rollout.metadata.generation);
  // Counts are `omitempty` in the CRD: zero is left out, as the API server would.
  status.replicas = pods.length || undefined;
  status.updatedReplicas = currentReplicaSet(state).pods.length || undefined;
  status.readyReplicas = pods.filter(pod => pod.ready).length || undefined;
  status.availableReplicas =
    activePods.filter(pod => pod.ready).length || undefined;
  status.selector = selector(rollout);
  status.conditions = nextConditions(state, kubeTime(ctx.now));
  const { phase, message } = rolloutPhase(rollout);
  status.phase = phase;
  if (message) {
    status.message = message;
  } else {
    delete status.message;
  }
}

/**
 * Phase and message as Argo Rollouts computes them (`CalculateRolloutPhase`); the
 * kubectl plugin and UIs show these.
 */
function rolloutPhase(rollout: Rollout): {
  phase: NonNullable<RolloutStatus['phase']>;
  message: string;
} {
  const { spec, status } = rollout;
  if (Number(status.observedGeneration) !== rollout.metadata.generation) {
    return {
      phase: 'Progressing',
      message: 'waiting for rollout spec update to be observed',
    };
  }
  for (const condition of status.conditions ?? []) {
    if (condition.type === 'InvalidSpec') {
      return {
        phase: 'Degraded',
        message: `InvalidSpec: ${condition.message}`,
      };
    }
    if (
      ['RolloutAborted', 'ProgressDeadlineExceeded'].includes(condition.reason)
    ) {
      return {
        phase: 'Degraded',
        message: `${condition.reason}: ${condition.message}`,
      };
    }
  }
  if (spec.paused) {
    return { phase: 'Paused', message: 'manually paused' };
  }
  if (status.pauseConditions?.length) {
    return { phase: 'Paused', message: status.pauseConditions[0].reason };
  }
  const updated = status.updatedReplicas ?? 0;
  if (updated < spec.replicas) {
    return {
      phase: 'Progressing',
      message: 'more replicas need to be updated',
    };
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return {
      phase: 'Progressing',
      message: 'updated replicas are still becoming available',
    };
  }
  if (spec.strategy.blueGreen) {
    if (status.blueGreen.activeSelector !== status.currentPodHash) {
      return {
        phase: 'Progressing',
        message: 'active service cutover pending',
      };
    }
  } else if ((status.replicas ?? 0) > updated) {
    return {
      phase: 'Progressing',
      message: 'old replicas are pending termination',
    };
  }
  if (!isFullyPromoted(rollout)) {
    return {
      phase: 'Progressing',
      message: spec.strategy.blueGreen
        ? 'waiting for analysis to complete'
        : 'waiting for all steps to complete',
    };
  }
  return { phase: 'Healthy', message: '' };
}

function selector(rollout: Rollout): string {
  const labels = Object.entries(rollout.spec.selector.matchLabels).map(
    ([key, value]) => `${key}=${value}`,
  );
  const active = rollout.status.blueGreen.activeSelector;
  if (rollout.spec.strategy.blueGreen && active) {
    labels.push(`${POD_TEMPLATE_HASH_LABEL}=${active}`);
  }
  return labels.join(',');
}

function nextConditions(
  state: ControllerState,
  time: string,
): RolloutCondition[] {
  const { spec, status } = state.rollout;
  const available = (status.availableReplicas ?? 0) >= spec.replicas;
  return [
    withTimes(
      status.conditions,
      {
        type: 'Available',
        status: available ? 'True' : 'False',
        reason: 'AvailableReason',
        message: available
          ? 'Rollout has minimum availability'
          : 'Rollout does not have minimum availability',
      },
      time,
    ),
    withTimes(
      status.conditions,
      { type: 'Progressing', ...progressing(state) },
      time,
    ),
  ];
}

function progressing(
  state: ControllerState,
): Pick<RolloutCondition, 'status' | 'reason' | 'message'> {
  const { rollout } = state;
  const current = currentReplicaSet(state);
  if (rollout.status.abort && !isFullyPromoted(rollout)) {
    return {
      status: 'False',
      reason: 'RolloutAborted',
      message: `Rollout aborted update to revision ${current.revision}`,
    };
  }
  if (rollout.spec.paused || rollout.status.pauseConditions?.length) {
    return {
      status: 'Unknown',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
    };
  }
  if (isFullyPromoted(rollout) && isAvailable(current, rollout.spec.replicas)) {
    return {
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${current.name}" has successfully progressed.`,
    };
  }
  return {
    status: 'True',
    reason: 'ReplicaSetUpdated',
    message: `ReplicaSet "${current.name}" is progressing.`,
  };
}

/** Keeps a condition's timestamps unless its status (transition) or text (update) changed. */
function withTimes(
  previous: RolloutCondition[] | undefined,
  next: Omit<RolloutCondition, 'lastTransitionTime' | 'lastUpdateTime'>,
  time: string,
): RolloutCondition {
  const before = previous?.find(condition => condition.type === next.type);
  const transitioned = !before || before.status !== next.status;
  const updated =
    transitioned ||
    before.reason !== next.reason ||
    before.message !== next.message;
  return {
    ...next,
    lastTransitionTime: transitioned ? time : before.lastTransitionTime,
    lastUpdateTime: updated ? time : before.lastUpdateTime,
  };
}
