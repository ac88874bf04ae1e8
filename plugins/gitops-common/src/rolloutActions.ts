import type { RolloutSummary } from './api';

/**
 * The rollout controls, named as the Argo Rollouts kubectl plugin names them.
 *
 * @public
 */
export const ROLLOUT_ACTIONS = [
  'promote',
  'promote-full',
  'abort',
  'retry',
  'pause',
  'restart',
] as const;

/** One of {@link ROLLOUT_ACTIONS}. @public */
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

/** Narrows a string from outside (a request parameter) to a {@link RolloutAction}. @public */
export function isRolloutAction(value: string): value is RolloutAction {
  return (ROLLOUT_ACTIONS as readonly string[]).includes(value);
}

/**
 * Why an action cannot run in the rollout's current state, or undefined when it can.
 * Mirrors Argo CD's action discovery for `argoproj.io/Rollout` (resume needs a pause,
 * abort and promote-full need an update in flight, retry needs an abort).
 *
 * @public
 */
export function rolloutActionConflict(
  rollout: RolloutSummary,
  action: RolloutAction,
): string | undefined {
  const name = `Rollout ${rollout.namespace}/${rollout.name}`;
  switch (action) {
    case 'promote':
      if (rollout.aborted) return `${name} is aborted: retry it first`;
      return rollout.paused ? undefined : `${name} is not paused`;
    case 'promote-full':
    case 'abort':
      if (rollout.aborted) return `${name} is already aborted`;
      return rollout.completed ? `${name} has no update in progress` : undefined;
    case 'retry':
      return rollout.aborted ? undefined : `${name} is not aborted`;
    case 'pause':
      if (rollout.aborted) return `${name} is aborted`;
      if (rollout.paused) return `${name} is already paused`;
      return rollout.completed ? `${name} has no update in progress` : undefined;
    case 'restart':
      return undefined;
    default:
      return `unknown action ${action}`;
  }
}

/** The actions valid in the rollout's current state, in display order. @public */
export function availableRolloutActions(rollout: RolloutSummary): RolloutAction[] {
  return ROLLOUT_ACTIONS.filter(a => !rolloutActionConflict(rollout, a));
}
