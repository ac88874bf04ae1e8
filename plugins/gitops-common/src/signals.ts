/**
 * Backstage signals channels of the suite. The backend publishes on them when what a
 * view shows changed; the frontend re-reads the view when a signal arrives.
 */

/** Channel of the fleet page: any application or promotion changed. @public */
export const GITOPS_FLEET_SIGNAL_CHANNEL = 'gitops:fleet';

/**
 * Channel of one entity's Deployments tab and promotion history, from its entity ref
 * (`component:default/checkout`; compared case-insensitively, like entity refs).
 *
 * @public
 */
export function gitopsEntitySignalChannel(entityRef: string): string {
  return `gitops:entity:${entityRef.toLocaleLowerCase('en-US')}`;
}

/**
 * The message on a gitops channel: what changed, so a view re-reads only what it shows
 * (`deployments`: applications, rollouts or findings; `promotions`: a promotion moved;
 * `line-stops`: the line was stopped or a stop lifted, on the fleet channel).
 *
 * @public
 */
export type GitopsSignal = {
  kind: 'deployments' | 'promotions' | 'line-stops';
  /** The entity it concerns, on the fleet channel. */
  entityRef?: string;
};
