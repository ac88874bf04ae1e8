import { kubeTime } from '../clock';
import {
  addControllerPause,
  clearPause,
  ControllerContext,
  ControllerState,
  currentReplicaSet,
  findReplicaSet,
  isAvailable,
  scaleReplicaSets,
  settleOnCurrent,
  wasResumed,
} from './controllerState';
import {
  CANARY_PAUSE_STEP,
  CanaryStep,
  canarySteps,
  isFullyPromoted,
  isPauseStep,
  isSetWeightStep,
} from './rolloutTypes';

/**
 * The canary strategy without a traffic router, as the Argo Rollouts controller runs
 * it: the weight of a step is the share of pods running the new template.
 */
export function reconcileCanary(
  state: ControllerState,
  ctx: ControllerContext,
): void {
  const { spec, status } = state.rollout;
  const steps = canarySteps(state.rollout);
  if (isFullyPromoted(state.rollout)) {
    settleOnCurrent(state, ctx);
    if (status.canary.weights) {
      status.canary.weights = fullWeights(status.currentPodHash!);
    }
    return;
  }
  if (status.abort) {
    abort(state, ctx);
    return;
  }
  // abort was cleared (retry): the steps run again from where abort reset them.
  delete status.abortedAt;
  if (status.promoteFull) {
    status.currentStepIndex = steps.length;
    clearPause(state);
  } else if (!spec.paused) {
    advanceSteps(state, steps, ctx);
  }
  const index = status.currentStepIndex ?? steps.length;
  applyWeight(state, canaryWeight(steps, index), ctx);
  if (
    index >= steps.length &&
    isAvailable(currentReplicaSet(state), spec.replicas)
  ) {
    promote(state, ctx);
  }
}

/** Argo Rollouts pause durations: an integer number of seconds, or digits with unit s, m or h. */
function pauseDurationMs(
  duration: string | number | undefined,
): number | undefined {
  if (typeof duration === 'number') {
    return duration * 1000;
  }
  const match = /^(\d+)(s|m|h)?$/.exec(duration?.trim() ?? '');
  if (!match) {
    // No (or an unreadable) duration: an indefinite pause that waits for a person.
    return undefined;
  }
  const unitMs = { s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's']!;
  return Number(match[1]) * unitMs;
}

function advanceSteps(
  state: ControllerState,
  steps: CanaryStep[],
  ctx: ControllerContext,
): void {
  const { status } = state.rollout;
  let index = status.currentStepIndex ?? 0;
  if (wasResumed(state)) {
    // Only the pause the controller is holding completes; if someone already moved the
    // index on (skip-current-step), there is nothing more to skip.
    if (state.pausedAtStep === index) {
      index += 1;
    }
    clearPause(state);
  }
  while (index < steps.length) {
    const step = steps[index];
    if (isSetWeightStep(step)) {
      applyWeight(state, step.setWeight, ctx);
      if (
        !isAvailable(
          currentReplicaSet(state),
          canaryReplicas(state, step.setWeight),
        )
      ) {
        break;
      }
    } else if (isPauseStep(step) && !pauseCompleted(state, step, index, ctx)) {
      break;
    }
    // Steps the sandbox does not simulate (analysis, experiment, ...) pass at once.
    index += 1;
  }
  status.currentStepIndex = index;
}

function pauseCompleted(
  state: ControllerState,
  step: { pause: { duration?: string | number } },
  index: number,
  ctx: ControllerContext,
): boolean {
  const { status } = state.rollout;
  const isStepPause = (reason: string) => reason === CANARY_PAUSE_STEP;
  if (
    !status.pauseConditions?.some(condition => isStepPause(condition.reason))
  ) {
    addControllerPause(state, CANARY_PAUSE_STEP, index, kubeTime(ctx.now));
  }
  const condition = status.pauseConditions!.find(c => isStepPause(c.reason))!;
  const durationMs = pauseDurationMs(step.pause.duration);
  if (
    durationMs === undefined ||
    ctx.now < Date.parse(condition.startTime) + durationMs * ctx.timeScale
  ) {
    return false;
  }
  const remaining = status.pauseConditions!.filter(c => c !== condition);
  clearPause(state);
  if (remaining.length) {
    status.pauseConditions = remaining;
  }
  return true;
}

/** The weight in effect at `index`: the last setWeight reached, 100 after the last step. */
function canaryWeight(steps: CanaryStep[], index: number): number {
  if (index >= steps.length) {
    return 100;
  }
  let weight = 0;
  for (const step of steps.slice(0, index + 1)) {
    if (isSetWeightStep(step)) {
      weight = step.setWeight;
    }
  }
  return weight;
}

function canaryReplicas(state: ControllerState, weight: number): number {
  const { replicas } = state.rollout.spec;
  return Math.min(replicas, Math.ceil((replicas * weight) / 100));
}

function applyWeight(
  state: ControllerState,
  weight: number,
  ctx: ControllerContext,
): void {
  const { spec, status } = state.rollout;
  const canary = currentReplicaSet(state);
  const stable = findReplicaSet(state, status.stableRS);
  const canaryCount = canaryReplicas(state, weight);
  // The stable side keeps at least one pod until promotion, so the old version keeps
  // serving while the new one is only partly rolled out.
  const stableCount = Math.max(spec.replicas - canaryCount, 1);
  scaleReplicaSets(
    state,
    new Map([
      [canary, canaryCount],
      [stable, stableCount],
    ]),
    ctx,
  );
  status.canary.weights = {
    canary: { weight, podTemplateHash: canary.hash },
    stable: {
      weight: 100 - weight,
      podTemplateHash: stable?.hash ?? canary.hash,
    },
  };
}

function promote(state: ControllerState, ctx: ControllerContext): void {
  const { status } = state.rollout;
  status.stableRS = status.currentPodHash;
  settleOnCurrent(state, ctx);
  status.canary.weights = fullWeights(status.currentPodHash!);
}

function abort(state: ControllerState, ctx: ControllerContext): void {
  const { spec, status } = state.rollout;
  const canary = currentReplicaSet(state);
  const stable = findReplicaSet(state, status.stableRS);
  status.abortedAt ??= kubeTime(ctx.now);
  // Abort sends the step index back to the start, so a retry runs every step again.
  status.currentStepIndex = 0;
  delete status.promoteFull;
  clearPause(state);
  scaleReplicaSets(state, new Map([[stable, spec.replicas]]), ctx);
  status.canary.weights = {
    canary: { weight: 0, podTemplateHash: canary.hash },
    stable: { weight: 100, podTemplateHash: stable?.hash ?? canary.hash },
  };
}

function fullWeights(hash: string) {
  return {
    canary: { weight: 0, podTemplateHash: hash },
    stable: { weight: 100, podTemplateHash: hash },
  };
}
