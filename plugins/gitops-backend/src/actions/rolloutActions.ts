import { gitopsActionsRolloutControlPermission, ROLLOUT_ACTIONS } from '@gitops-suite/backstage-plugin-gitops-common';
import { rolloutEvent } from '../service/deploymentRoutes';
import type { GitopsActionsContext } from './context';
import { entityRefInput, environmentInput, NAMESPACE_PATTERN, RESOURCE_NAME_PATTERN } from './schemas';

/** The rollout controls on an entity's Argo Rollouts, as the REST route runs them. */
export function registerRolloutActions({ actionsRegistry, context, deployments }: GitopsActionsContext) {
  actionsRegistry.register({
    name: 'run-rollout-control',
    title: 'Run a rollout control',
    description: `Runs a control on one of a service's Argo Rollouts in an environment: promote (next step, or unpause),
promote-full (skip the remaining steps), abort (back to the stable version), retry (an aborted rollout), pause, or
restart (the pods). namespace and name are the Rollout's, as get-entity-deployments lists them under the environment's
rollouts. Refused when the Rollout's live state does not allow the control. Needs gitops.rollout.control on the
entity; Argo CD's RBAC applies too. Audited (rollout-action). Returns the Rollout after the control.`,
    visibilityPermission: gitopsActionsRolloutControlPermission,
    attributes: { readOnly: false, destructive: true, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          action: z.enum(ROLLOUT_ACTIONS).describe('The control'),
          environment: environmentInput(z, 'The environment the Rollout runs in'),
          namespace: z.string().regex(NAMESPACE_PATTERN).describe("The Rollout's namespace"),
          name: z.string().regex(RESOURCE_NAME_PATTERN).describe("The Rollout's name"),
        }),
      output: z =>
        z
          .object({
            name: z.string(),
            namespace: z.string(),
            phase: z.string(),
            paused: z.boolean(),
            aborted: z.boolean(),
            step: z.object({ index: z.number(), count: z.number() }).optional(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => ({
      output: await context.auditedAs(credentials, rolloutEvent(input), async () =>
        deployments.rolloutControl(credentials, input),
      ),
    }),
  });
}
