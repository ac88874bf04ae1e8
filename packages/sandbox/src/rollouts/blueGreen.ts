import { kubeTime } from '../clock';
import {
  addControllerPause,
  clearPause,
  ControllerContext,
  ControllerState,
  currentReplicaSet,
  findReplicaSet,
  hasPauseConditions,
  isAvailable,
  scaleReplicaSets,
  settleOnCurrent,
  wasResumed,
} from './controllerState';
import { BLUE_GREEN_PAUSE, isFullyPromoted } from './rolloutTypes';

/**
 * The blue-green strategy as the Argo Rollouts controller runs it: the new
 * ReplicaSet comes up behind the preview service while the active service keeps the
 * stable one; promotion switches the active service over.
 */
export function reconcileBlueGreen(
  state: ControllerState,
  ctx: ControllerContext,
): void {
  const { spec, status } = state.rollout;
  const current = currentReplicaSet(state);
  const stable = findReplicaSet(state, status.stableRS);
  if (isFullyPromoted(state.rollout)) {
    settleOnCurrent(state, ctx);
    status.blueGreen = {
      activeSelector: current.hash,
      previewSelector: current.hash,
    };
    return;
  }
  if (status.abort) {
    status.abortedAt ??= kubeTime(ctx.now);
    delete status.promoteFull;
    clearPause(state);
    scaleReplicaSets(state, new Map([[stable, spec.replicas]]), ctx);
    status.blueGreen = {
      activeSelector: stable?.hash,
      previewSelector: stable?.hash,
    };
    return;
  }
  // abort was cleared (retry): the preview comes up again.
  delete status.abortedAt;
  scaleReplicaSets(
    state,
    new Map([
      [current, spec.replicas],
      [stable, spec.replicas],
    ]),
    ctx,
  );
  status.blueGreen = {
    activeSelector: stable?.hash,
    previewSelector: current.hash,
  };
  if (isAvailable(current, spec.replicas) && mayPromote(state, ctx)) {
    status.stableRS = current.hash;
    settleOnCurrent(state, ctx);
    status.blueGreen = {
      activeSelector: current.hash,
      previewSelector: current.hash,
    };
  }
}

/** Decides promotion once the preview is available, pausing first unless auto-promoting. */
function mayPromote(state: ControllerState, ctx: ControllerContext): boolean {
  const { spec, status } = state.rollout;
  if (status.promoteFull) {
    return true;
  }
  if (spec.paused) {
    return false;
  }
  if (
    spec.strategy.blueGreen?.autoPromotionEnabled !== false ||
    wasResumed(state)
  ) {
    return true;
  }
  if (!hasPauseConditions(state)) {
    addControllerPause(state, BLUE_GREEN_PAUSE, 0, kubeTime(ctx.now));
  }
  return false;
}
