import { kubeTime } from '../clock';
import {
  advanceAnalysisRun,
  createAnalysisRun,
  resolveTemplates,
  runStatus,
  terminateAnalysisRun,
} from './analysisRuns';
import type { AnalysisRunState, RolloutAnalysis } from './analysis';
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
  INCONCLUSIVE_ANALYSIS_PAUSE,
  isAnalysisStep,
  isFullyPromoted,
  isPauseStep,
  isSetWeightStep,
  RolloutAnalysisRunStatus,
} from './rolloutTypes';

/**
 * The canary strategy as the Argo Rollouts controller runs it. Without a traffic
 * router the weight of a step is the share of pods running the new template; with
 * one (`trafficRouting`) the stable pods stay up and the router's weights are
 * reported in `status.canary.weights`. Analysis steps and background analysis run
 * AnalysisRuns (see analysisRuns.ts); a failed one aborts the update.
 */
export function reconcileCanary(
  state: ControllerState,
  ctx: ControllerContext,
): void {
  // The analysis controller takes the measurements that are due.
  state.analysisRuns.forEach(run => advanceAnalysisRun(run, ctx));
  dropStaleRuns(state);
  runStrategy(state, ctx);
  // Runs that are no longer current are cancelled (`spec.terminate`).
  state.analysisRuns
    .filter(run => run !== state.stepRun && run !== state.backgroundRun)
    .forEach(run => terminateAnalysisRun(run, ctx));
  const { canary } = state.rollout.status;
  setRunStatus(canary, 'currentStepAnalysisRunStatus', state.stepRun);
  setRunStatus(
    canary,
    'currentBackgroundAnalysisRunStatus',
    state.backgroundRun,
  );
  routeTraffic(state);
}

function runStrategy(state: ControllerState, ctx: ControllerContext): void {
  const { spec, status } = state.rollout;
  const steps = canarySteps(state.rollout);
  if (isFullyPromoted(state.rollout)) {
    settleOnCurrent(state, ctx);
    endAnalysis(state);
    if (status.canary.weights) {
      status.canary.weights = fullWeights(status.currentPodHash!);
    }
    return;
  }
  if (status.abort) {
    abort(state, ctx);
    endAnalysis(state);
    return;
  }
  // abort was cleared (retry): the steps run again from where abort reset them.
  delete status.abortedAt;
  if (status.promoteFull) {
    status.currentStepIndex = steps.length;
    clearPause(state);
    endAnalysis(state);
  } else if (!spec.paused) {
    advanceSteps(state, steps, ctx);
  }
  if (!status.promoteFull) {
    reconcileBackgroundAnalysis(state, ctx);
  }
  const index = status.currentStepIndex ?? steps.length;
  applyWeight(state, canaryWeight(steps, index), ctx);
  if (
    !status.abort &&
    index >= steps.length &&
    isAvailable(currentReplicaSet(state), spec.replicas)
  ) {
    promote(state, ctx);
    endAnalysis(state);
  }
}

/** Promotion, abort and promote-full end the current runs (cancelled if still running). */
function endAnalysis(state: ControllerState): void {
  state.stepRun = undefined;
  state.backgroundRun = undefined;
}

/** A run of an earlier pod template, or of a step the Rollout has left, is no longer current. */
function dropStaleRuns(state: ControllerState): void {
  const { status } = state.rollout;
  if (
    state.stepRun &&
    (state.stepRun.podHash !== status.currentPodHash ||
      state.stepRun.stepIndex !== status.currentStepIndex)
  ) {
    state.stepRun = undefined;
  }
  if (state.backgroundRun?.podHash !== status.currentPodHash) {
    state.backgroundRun = undefined;
  }
}

function setRunStatus(
  canary: { [key: string]: unknown },
  field: 'currentStepAnalysisRunStatus' | 'currentBackgroundAnalysisRunStatus',
  run: AnalysisRunState | undefined,
): void {
  if (run) {
    canary[field] = runStatus(run) satisfies RolloutAnalysisRunStatus;
  } else {
    delete canary[field];
  }
}

/**
 * `reconcileStepBasedAnalysisRun` and the step's completion: the step waits for its
 * run and completes once the run is Successful. A step whose templates the sandbox
 * does not have passes at once, as before analysis was simulated.
 */
function stepAnalysisCompleted(
  state: ControllerState,
  step: { analysis: RolloutAnalysis },
  index: number,
  ctx: ControllerContext,
): boolean {
  const templates = resolveTemplates(step.analysis, ctx);
  if (!templates) {
    return true;
  }
  if (needsNewRun(state, state.stepRun)) {
    state.stepRun = createAnalysisRun(
      state,
      step.analysis,
      templates,
      'Step',
      ctx,
      index,
    );
    advanceAnalysisRun(state.stepRun, ctx);
  }
  return reactToRun(state, state.stepRun!, 'Step-based', ctx);
}

/** `reconcileBackgroundAnalysisRun`: one run from `startingStep` until promotion. */
function reconcileBackgroundAnalysis(
  state: ControllerState,
  ctx: ControllerContext,
): void {
  const { status } = state.rollout;
  const analysis = state.rollout.spec.strategy.canary?.analysis;
  const templates = resolveTemplates(analysis, ctx);
  const index = status.currentStepIndex ?? canarySteps(state.rollout).length;
  if (
    !templates ||
    status.abort ||
    (analysis!.startingStep !== undefined && index < analysis!.startingStep)
  ) {
    return;
  }
  if (needsNewRun(state, state.backgroundRun)) {
    state.backgroundRun = createAnalysisRun(
      state,
      analysis!,
      templates,
      'Background',
      ctx,
    );
    advanceAnalysisRun(state.backgroundRun, ctx);
  }
  reactToRun(state, state.backgroundRun!, 'Background', ctx);
}

/**
 * `needsNewAnalysisRun`: none yet, or an Inconclusive one whose pause was resumed
 * (the controller then starts over with a new run).
 */
function needsNewRun(
  state: ControllerState,
  run: AnalysisRunState | undefined,
): boolean {
  if (!run) return true;
  const paused = state.rollout.status.pauseConditions?.some(
    condition => condition.reason === INCONCLUSIVE_ANALYSIS_PAUSE,
  );
  return run.phase === 'Inconclusive' && run.pausedFor === true && !paused;
}

/** True once the run is Successful; a failed run aborts, an Inconclusive one pauses. */
function reactToRun(
  state: ControllerState,
  run: AnalysisRunState,
  kind: 'Step-based' | 'Background',
  ctx: ControllerContext,
): boolean {
  const { status } = state.rollout;
  switch (run.phase) {
    case 'Successful':
      return true;
    case 'Failed':
    case 'Error':
      if (!status.abort) {
        status.abort = true;
        status.abortedAt = kubeTime(ctx.now);
        state.abortMessage = `${kind} analysis phase error/failed${
          run.message ? `: ${run.message}` : ''
        }`;
      }
      return false;
    case 'Inconclusive':
      if (!run.pausedFor) {
        addControllerPause(
          state,
          INCONCLUSIVE_ANALYSIS_PAUSE,
          -1,
          kubeTime(ctx.now),
        );
        run.pausedFor = true;
      }
      return false;
    default:
      return false;
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
    } else if (
      isAnalysisStep(step) &&
      !stepAnalysisCompleted(state, step, index, ctx)
    ) {
      break;
    }
    // Steps the sandbox does not simulate (experiment, plugin, ...) pass at once.
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
  // serving while the new one is only partly rolled out. Behind a traffic router it
  // keeps all of them (`CalculateReplicaCountsForTrafficRoutedCanary`).
  const stableCount = spec.strategy.canary?.trafficRouting
    ? spec.replicas
    : Math.max(spec.replicas - canaryCount, 1);
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

/**
 * `reconcileTrafficRouting` and `calculateWeightStatus`: the weight the router sends
 * to the canary (the current setWeight once its pods are up, the previous one until
 * then, 100 after the last step, 0 when aborted, fully promoted or without ready
 * canary pods) and the rest to stable, with the canary and stable Services.
 */
function routeTraffic(state: ControllerState): void {
  const { rollout } = state;
  const { spec, status } = rollout;
  const strategy = spec.strategy.canary;
  if (!strategy?.trafficRouting) {
    // Upstream sets status.canary.weights only through a traffic router: a basic canary
    // splits traffic by replica counts and reports none.
    delete status.canary.weights;
    return;
  }
  const steps = canarySteps(rollout);
  const index = status.currentStepIndex ?? steps.length;
  const canary = currentReplicaSet(state);
  const stable = findReplicaSet(state, status.stableRS);
  let weight = 0;
  if (
    isFullyPromoted(rollout) ||
    status.abort ||
    !canary.pods.some(pod => pod.ready)
  ) {
    weight = 0;
  } else if (status.promoteFull) {
    weight = status.canary.weights?.canary.weight ?? 0;
  } else if (
    isAvailable(canary, canaryReplicas(state, canaryWeight(steps, index)))
  ) {
    weight = canaryWeight(steps, index);
  } else {
    weight = index > 0 ? canaryWeight(steps.slice(0, index), index - 1) : 0;
  }
  const service = (name: string | undefined) =>
    name ? { serviceName: name } : {};
  status.canary.weights = {
    canary: {
      weight,
      podTemplateHash: canary.hash,
      ...service(strategy.canaryService),
    },
    stable: {
      weight: 100 - weight,
      podTemplateHash: stable?.hash ?? canary.hash,
      ...service(strategy.stableService),
    },
  };
}
