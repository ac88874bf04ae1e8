import { safeHash } from '../ids';
import { pruneAnalysisRuns } from './analysisRuns';
import { reconcileBlueGreen } from './blueGreen';
import { reconcileCanary } from './canary';
import {
  clearPause,
  ControllerContext,
  ControllerState,
  findReplicaSet,
  newPod,
  ReplicaSetState,
  refreshReadiness,
} from './controllerState';
import { updateStatus } from './rolloutStatus';
import {
  canarySteps,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  Rollout,
} from './rolloutTypes';

/**
 * One reconcile of the simulated Argo Rollouts controller: notice a new pod template,
 * restart pods if asked, run the strategy, then write the derived status.
 */
export function reconcileRollout(
  state: ControllerState,
  ctx: ControllerContext,
): void {
  observePodTemplate(state, ctx);
  restartPods(state, ctx);
  state.replicaSets.forEach(replicaSet => refreshReadiness(replicaSet, ctx));
  if (state.rollout.spec.strategy.blueGreen) {
    reconcileBlueGreen(state, ctx);
  } else {
    reconcileCanary(state, ctx);
  }
  pruneReplicaSets(state);
  pruneAnalysisRuns(state);
  updateStatus(state, ctx);
}

function observePodTemplate(
  state: ControllerState,
  ctx: ControllerContext,
): void {
  const { rollout } = state;
  const { status } = rollout;
  const hash = safeHash(rollout.spec.template);
  if (status.currentPodHash === hash) {
    return;
  }
  state.revision += 1;
  const existing = findReplicaSet(state, hash);
  if (existing) {
    // Going back to an earlier template re-uses its ReplicaSet under a new revision.
    existing.revision = state.revision;
  } else {
    state.replicaSets.push(
      newReplicaSet(rollout, hash, state.revision, ctx.now),
    );
  }
  rollout.metadata.annotations[REVISION_ANNOTATION] = String(state.revision);
  status.currentPodHash = hash;
  // abort, pauses and promote-full belonged to the previous update.
  delete status.abort;
  delete status.abortedAt;
  delete status.promoteFull;
  clearPause(state);
  const steps = canarySteps(rollout);
  if (!status.stableRS || status.stableRS === hash) {
    // A new Rollout, or a return to the stable template, skips the steps: there is no
    // other version to shift traffic from.
    status.stableRS = hash;
    status.currentStepIndex = steps.length || undefined;
  } else {
    status.currentStepIndex = steps.length ? 0 : undefined;
  }
}

function newReplicaSet(
  rollout: Rollout,
  hash: string,
  revision: number,
  now: number,
): ReplicaSetState {
  const template = structuredClone(rollout.spec.template);
  template.metadata.labels = {
    ...template.metadata.labels,
    [POD_TEMPLATE_HASH_LABEL]: hash,
  };
  return {
    hash,
    name: `${rollout.metadata.name}-${hash}`,
    revision,
    template,
    createdAt: now,
    generation: 1,
    pods: [],
  };
}

/** `spec.restartAt` replaces the pods created before it; the template, and hash, stay. */
function restartPods(state: ControllerState, ctx: ControllerContext): void {
  const { spec, status } = state.rollout;
  if (
    !spec.restartAt ||
    spec.restartAt === status.restartedAt ||
    Date.parse(spec.restartAt) > ctx.now
  ) {
    return;
  }
  for (const replicaSet of state.replicaSets) {
    replicaSet.pods = replicaSet.pods.map(() => newPod(replicaSet, ctx));
  }
  status.restartedAt = spec.restartAt;
}

/** Keeps scaled-down ReplicaSets up to `revisionHistoryLimit`, newest first. */
function pruneReplicaSets(state: ControllerState): void {
  const { spec, status } = state.rollout;
  const inUse = [status.currentPodHash, status.stableRS];
  const old = state.replicaSets
    .filter(rs => !inUse.includes(rs.hash) && rs.pods.length === 0)
    .sort((a, b) => b.revision - a.revision);
  const dropped = new Set(old.slice(spec.revisionHistoryLimit));
  state.replicaSets = state.replicaSets.filter(rs => !dropped.has(rs));
}
