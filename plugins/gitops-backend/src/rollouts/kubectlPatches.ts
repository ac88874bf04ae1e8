import type { RolloutAction } from '@gitops-suite/backstage-plugin-gitops-common';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';

/**
 * The merge patches the Argo Rollouts kubectl plugin sends for an action, as the
 * `spec` and `status` parts of the object (the bodies are `{ spec }` and `{ status }`)
 * (pkg/kubectl-argo-rollouts/cmd/{promote,abort,retry,pause,restart}):
 * `status` is patched on the status subresource, falling back to the whole object
 * (as `unified`) on clusters where the CRD has no status subresource.
 */
export interface RolloutPatches {
  spec?: object;
  status?: object;
  unified?: object;
}

export function kubectlPatches(rollout: IRollout, action: RolloutAction, now: Date): RolloutPatches {
  switch (action) {
    case 'promote':
      return promotePatches(rollout);
    case 'promote-full':
      // Already fully promoted: nothing to send, as the plugin does.
      return rollout.status?.currentPodHash !== rollout.status?.stableRS
        ? { status: { promoteFull: true }, unified: { status: { promoteFull: true } } }
        : {};
    case 'abort':
      return { status: { abort: true }, unified: { status: { abort: true } } };
    case 'retry':
      return { status: { abort: false }, unified: { status: { abort: false } } };
    case 'pause':
      return { spec: { paused: true } };
    case 'restart':
      return { spec: { restartAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } };
    default:
      return {};
  }
}

/** `promote` without --full: unpause, and clear the pause or move past the current step. */
function promotePatches(rollout: IRollout): RolloutPatches {
  const patches: RolloutPatches = {
    unified: { spec: { paused: false }, status: { pauseConditions: null } },
  };
  if (rollout.spec.paused) patches.spec = { paused: false };
  if ((rollout.status?.pauseConditions ?? []).length) {
    patches.status = { pauseConditions: null };
  } else if (rollout.spec.strategy?.canary) {
    // Promoting during an analysis or experiment step moves to the next step instead.
    const steps = rollout.spec.strategy.canary.steps ?? [];
    let index = rollout.status?.currentStepIndex ?? 0;
    if (index < steps.length) index++;
    patches.status = { pauseConditions: null, currentStepIndex: index };
    patches.unified = { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: index } };
  }
  return patches;
}
