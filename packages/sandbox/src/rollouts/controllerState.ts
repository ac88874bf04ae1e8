import type { PodTemplate } from '../kubeTypes';
import type { AnalysisRunState, AnalysisTemplate, MetricScript } from './analysis';
import type { Rollout } from './rolloutTypes';

/**
 * What the simulated Argo Rollouts controller knows about one Rollout: the live object
 * (whose spec and status users may edit) plus the ReplicaSets and pods it manages.
 */
export interface ControllerState {
  rollout: Rollout;
  replicaSets: ReplicaSetState[];
  /** The last `rollout.argoproj.io/revision` handed out. */
  revision: number;
  /** The step index (0 for blue-green) at which the controller added its pause condition. */
  pausedAtStep?: number;
  /** Why the controller aborted the update itself (progressDeadlineAbort), for its condition. */
  abortMessage?: string;
  /** The AnalysisRuns the controller created and has not yet deleted. */
  analysisRuns: AnalysisRunState[];
  /** The run of the current analysis step (`currentStepAnalysisRunStatus`). */
  stepRun?: AnalysisRunState;
  /** The background run (`currentBackgroundAnalysisRunStatus`). */
  backgroundRun?: AnalysisRunState;
}

export interface ReplicaSetState {
  hash: string;
  name: string;
  revision: number;
  template: PodTemplate;
  createdAt: number;
  generation: number;
  pods: PodState[];
}

export interface PodState {
  name: string;
  createdAt: number;
  ready: boolean;
  /** Set when the pod's container exits at start (scenario `podFailures`): never ready. */
  crash?: { exitCode: number };
}

export interface ControllerContext {
  now: number;
  /** Time from pod creation to readiness, already scaled by the time scale. */
  podStartupMs: number;
  /** Multiplies pause step durations. */
  timeScale: number;
  nextPodName(replicaSet: ReplicaSetState): string;
  /** The scripted failure of a container image in this Rollout's namespace, if any. */
  podFailure?(image: string): { exitCode?: number } | undefined;
  /** The AnalysisTemplate of that name in the Rollout's namespace, if the manifests have one. */
  analysisTemplate?(name: string): AnalysisTemplate | undefined;
  /** The scripted measurements of `metric` for canary pods running `images` (scenario `analysisRuns`). */
  analysisScript?(images: string[], metric: string): MetricScript | undefined;
}

export function findReplicaSet(
  state: ControllerState,
  hash: string | undefined,
): ReplicaSetState | undefined {
  return state.replicaSets.find(replicaSet => replicaSet.hash === hash);
}

/** The ReplicaSet of the current pod template; it always exists after the first reconcile. */
export function currentReplicaSet(state: ControllerState): ReplicaSetState {
  const replicaSet = findReplicaSet(state, state.rollout.status.currentPodHash);
  if (!replicaSet) {
    throw new Error(
      `rollout ${state.rollout.metadata.name} has no current ReplicaSet`,
    );
  }
  return replicaSet;
}

function scaleReplicaSet(
  replicaSet: ReplicaSetState,
  replicas: number,
  ctx: ControllerContext,
): void {
  if (replicaSet.pods.length === replicas) {
    return;
  }
  replicaSet.generation += 1;
  replicaSet.pods = replicaSet.pods.slice(0, replicas);
  while (replicaSet.pods.length < replicas) {
    replicaSet.pods.push(newPod(replicaSet, ctx));
  }
}

/** Scales every ReplicaSet: the listed ones to their counts, all others to zero. */
export function scaleReplicaSets(
  state: ControllerState,
  counts: Map<ReplicaSetState | undefined, number>,
  ctx: ControllerContext,
): void {
  for (const replicaSet of state.replicaSets) {
    scaleReplicaSet(replicaSet, counts.get(replicaSet) ?? 0, ctx);
  }
}

export function newPod(
  replicaSet: ReplicaSetState,
  ctx: ControllerContext,
): PodState {
  const failure = replicaSet.template.spec.containers
    .map(container => ctx.podFailure?.(container.image))
    .find(Boolean);
  return {
    name: ctx.nextPodName(replicaSet),
    createdAt: ctx.now,
    ready: !failure && ctx.podStartupMs <= 0,
    ...(failure ? { crash: { exitCode: failure.exitCode ?? 1 } } : {}),
  };
}

export function refreshReadiness(
  replicaSet: ReplicaSetState,
  ctx: ControllerContext,
): void {
  for (const pod of replicaSet.pods) {
    pod.ready ||= !pod.crash && ctx.now >= pod.createdAt + ctx.podStartupMs;
  }
}

/** All `replicas` pods exist and are ready. */
export function isAvailable(
  replicaSet: ReplicaSetState,
  replicas: number,
): boolean {
  return (
    replicaSet.pods.length === replicas &&
    replicaSet.pods.every(pod => pod.ready)
  );
}

/** Nothing left to roll out: the current ReplicaSet runs every replica, no update state lingers. */
export function settleOnCurrent(
  state: ControllerState,
  ctx: ControllerContext,
): void {
  const { spec, status } = state.rollout;
  scaleReplicaSets(
    state,
    new Map([[currentReplicaSet(state), spec.replicas]]),
    ctx,
  );
  delete status.abort;
  delete status.abortedAt;
  delete status.promoteFull;
  clearPause(state);
}

export function clearPause(state: ControllerState): void {
  delete state.rollout.status.pauseConditions;
  delete state.rollout.status.controllerPause;
  state.pausedAtStep = undefined;
}

export function hasPauseConditions(state: ControllerState): boolean {
  return (state.rollout.status.pauseConditions?.length ?? 0) > 0;
}

/** Adds the controller's own pause condition, remembering where it paused. */
export function addControllerPause(
  state: ControllerState,
  reason: string,
  step: number,
  startTime: string,
): void {
  const { status } = state.rollout;
  status.pauseConditions = [
    ...(status.pauseConditions ?? []),
    { reason, startTime },
  ];
  status.controllerPause = true;
  state.pausedAtStep = step;
}

/**
 * The controller added a pause and someone has since removed its condition: that is
 * how `resume` (Argo CD action) and `promote` (kubectl plugin) ask it to move on.
 */
export function wasResumed(state: ControllerState): boolean {
  return (
    state.rollout.status.controllerPause === true && !hasPauseConditions(state)
  );
}
