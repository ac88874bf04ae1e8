import {
  LabelSelector,
  LabelSelectorError,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { kubeTime } from '../clock';
import {
  ControllerContext,
  ControllerState,
  currentReplicaSet,
  isAvailable,
} from './controllerState';
import {
  canarySteps,
  DEFAULT_PROGRESS_DEADLINE_SECONDS,
  isFullyPromoted,
  isPauseStep,
  POD_TEMPLATE_HASH_LABEL,
  Rollout,
  RolloutCondition,
  RolloutStatus,
} from './rolloutTypes';

/** Argo Rollouts' `conditions.TimedOutReason`. */
export const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';

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
  const before = progressCounts(status);
  if (!status.abort) {
    state.abortMessage = undefined;
  }
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
  const after = progressCounts(status);
  // Progress as the controller counts it: more updated or available pods, fewer old ones.
  const progressed =
    after.updated > before.updated ||
    after.available > before.available ||
    after.old < before.old;
  status.conditions = nextConditions(state, ctx, progressed);
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

/**
 * `metav1.FormatLabelSelector` of the Rollout's selector, or for blue-green of the
 * active ReplicaSet's (the Rollout's plus its pod-template-hash), as the controller
 * writes `status.selector`.
 */
function selector(rollout: Rollout): string {
  const matchLabels = { ...rollout.spec.selector.matchLabels };
  const active = rollout.status.blueGreen.activeSelector;
  if (rollout.spec.strategy.blueGreen && active) {
    matchLabels[POD_TEMPLATE_HASH_LABEL] = active;
  }
  try {
    return LabelSelector.fromObject({ matchLabels }).toString() || '<none>';
  } catch (error) {
    if (error instanceof LabelSelectorError) return '<error>';
    throw error;
  }
}

function progressCounts(status: RolloutStatus) {
  const updated = status.updatedReplicas ?? 0;
  return {
    updated,
    available: status.availableReplicas ?? 0,
    old: (status.replicas ?? 0) - updated,
  };
}

function nextConditions(
  state: ControllerState,
  ctx: ControllerContext,
  progressed: boolean,
): RolloutCondition[] {
  const { spec, status } = state.rollout;
  const time = kubeTime(ctx.now);
  const available = (status.availableReplicas ?? 0) >= spec.replicas;
  const previous = status.conditions?.find(c => c.type === 'Progressing');
  const next = progressing(state, ctx, previous, progressed);
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
      { type: 'Progressing', ...next.condition },
      time,
      next.touch,
    ),
  ];
}

/**
 * The Progressing condition as the controller's `calculateRolloutConditions` sets it,
 * including the progress deadline: an update that makes no progress (more updated or
 * available pods, fewer old ones) for `progressDeadlineSeconds`, outside a pause step,
 * times out (`ProgressDeadlineExceeded`), and with `progressDeadlineAbort` is aborted.
 */
function progressing(
  state: ControllerState,
  ctx: ControllerContext,
  previous: RolloutCondition | undefined,
  progressed: boolean,
): {
  condition: Pick<RolloutCondition, 'status' | 'reason' | 'message'>;
  touch?: boolean;
} {
  const { rollout } = state;
  const { spec, status } = rollout;
  const current = currentReplicaSet(state);
  if (status.abort && !isFullyPromoted(rollout)) {
    const message = `Rollout aborted update to revision ${current.revision}`;
    return {
      condition: {
        status: 'False',
        reason: 'RolloutAborted',
        message: state.abortMessage
          ? `${message}: ${state.abortMessage}`
          : message,
      },
    };
  }
  if (spec.paused || status.pauseConditions?.length) {
    return {
      condition: {
        status: 'Unknown',
        reason: 'RolloutPaused',
        message: 'Rollout is paused',
      },
    };
  }
  if (isFullyPromoted(rollout) && isAvailable(current, spec.replicas)) {
    return {
      condition: {
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${current.name}" has successfully progressed.`,
      },
    };
  }
  const updating = {
    status: 'True' as const,
    reason: 'ReplicaSetUpdated',
    message: `ReplicaSet "${current.name}" is progressing.`,
  };
  // Progress, or an update that (re)starts after a pause, an abort or completion,
  // moves the deadline: it counts from the condition's lastUpdateTime.
  if (
    progressed ||
    !previous ||
    ![updating.reason, TIMED_OUT_REASON].includes(previous.reason)
  ) {
    return { condition: updating, touch: true };
  }
  const deadlineMs =
    (spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS) *
    1000 *
    ctx.timeScale;
  const timedOut =
    previous.reason === TIMED_OUT_REASON ||
    ctx.now - Date.parse(previous.lastUpdateTime) > deadlineMs;
  if (!timedOut || atIndefiniteStep(rollout)) {
    return { condition: updating };
  }
  const message = `ReplicaSet "${current.name}" has timed out progressing.`;
  if (spec.progressDeadlineAbort && !status.abort) {
    status.abort = true;
    status.abortedAt = kubeTime(ctx.now);
    state.abortMessage = message;
  }
  return {
    condition: { status: 'False', reason: TIMED_OUT_REASON, message },
  };
}

/** A pause (or analysis, experiment) step does not count against the deadline. */
function atIndefiniteStep(rollout: Rollout): boolean {
  const index = rollout.status.currentStepIndex;
  const step = index === undefined ? undefined : canarySteps(rollout)[index];
  return (
    step !== undefined &&
    (isPauseStep(step) ||
      ['analysis', 'experiment'].some(key => key in (step as object)))
  );
}

/** Keeps a condition's timestamps unless its status (transition) or text (update) changed. */
function withTimes(
  previous: RolloutCondition[] | undefined,
  next: Omit<RolloutCondition, 'lastTransitionTime' | 'lastUpdateTime'>,
  time: string,
  touch = false,
): RolloutCondition {
  const before = previous?.find(condition => condition.type === next.type);
  const transitioned = !before || before.status !== next.status;
  const updated =
    touch ||
    transitioned ||
    before.reason !== next.reason ||
    before.message !== next.message;
  return {
    ...next,
    lastTransitionTime: transitioned ? time : before.lastTransitionTime,
    lastUpdateTime: updated ? time : before.lastUpdateTime,
  };
}
