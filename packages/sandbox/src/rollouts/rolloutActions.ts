import { kubeTime } from '../clock';
import { canarySteps, isFullyPromoted, Rollout } from './rolloutTypes';

/** Argo CD's `v1alpha1ResourceAction`. */
export interface ResourceAction {
  name: string;
  disabled: boolean;
  displayName?: string;
}

export class UnknownActionError extends Error {}
export class DisabledActionError extends Error {}

/**
 * The actions Argo CD offers for an `argoproj.io/Rollout`, after its built-in
 * `resource_customizations/argoproj.io/Rollout/actions/discovery.lua`.
 */
export function discoverRolloutActions(rollout: Rollout): ResourceAction[] {
  const { spec, status } = rollout;
  // discovery.lua reads pauseConditions when present and only falls back to spec.paused.
  const paused = status.pauseConditions
    ? status.pauseConditions.length > 0
    : spec.paused === true;
  const fullyPromoted = isFullyPromoted(rollout);
  const aborted = status.abort === true;
  const steps = canarySteps(rollout);
  return [
    { name: 'restart', disabled: false, displayName: 'Restart Pods' },
    { name: 'resume', disabled: !paused },
    { name: 'abort', disabled: fullyPromoted || aborted },
    { name: 'retry', disabled: fullyPromoted || !aborted },
    { name: 'promote-full', disabled: fullyPromoted },
    // Upstream's action tests expect pause to be off for aborted and manually paused
    // Rollouts, and on while the controller holds a step pause.
    {
      name: 'pause',
      disabled: fullyPromoted || aborted || spec.paused === true,
    },
    {
      name: 'skip-current-step',
      disabled:
        !rollout.spec.strategy.canary ||
        steps.length === 0 ||
        (status.currentStepIndex ?? steps.length) >= steps.length,
    },
  ];
}

/**
 * Applies an action the way Argo CD's Lua action scripts edit the object. The
 * controller then reacts to the edited spec and status, as it would in a cluster.
 */
export function applyRolloutAction(
  rollout: Rollout,
  action: string,
  now: number,
): void {
  const discovered = discoverRolloutActions(rollout).find(
    a => a.name === action,
  );
  if (!discovered) {
    throw new UnknownActionError(
      `action "${action}" is not available for Rollout`,
    );
  }
  if (discovered.disabled) {
    throw new DisabledActionError(
      `action "${action}" is disabled for Rollout ${rollout.metadata.name}`,
    );
  }
  const { spec, status } = rollout;
  switch (action) {
    case 'restart':
      spec.restartAt = kubeTime(now);
      break;
    case 'resume':
      delete status.pauseConditions;
      if (spec.paused) {
        spec.paused = false;
      }
      break;
    case 'abort':
      status.abort = true;
      break;
    case 'retry':
      delete status.abort;
      break;
    case 'promote-full':
      status.promoteFull = true;
      break;
    case 'pause':
      spec.paused = true;
      break;
    case 'skip-current-step':
      delete status.pauseConditions;
      status.currentStepIndex = (status.currentStepIndex ?? 0) + 1;
      break;
    default:
      // Unreachable: discovery lists exactly the actions handled above.
      throw new UnknownActionError(`action "${action}" is not available for Rollout`);
  }
}
