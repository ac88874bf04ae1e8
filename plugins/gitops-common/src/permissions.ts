import {
  createPermission,
  type BasicPermission,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * The permissions of the GitOps suite. All are resource permissions on catalog
 * entities, so a policy can make them conditional on ownership.
 *
 * @public
 */
export const gitopsReadPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'gitops.deployments.read',
    attributes: { action: 'read' },
    resourceType: 'catalog-entity',
  });

/**
 * Requests a promotion of the entity from one environment to the next.
 *
 * @public
 */
export const gitopsPromotePermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'gitops.promotion.create',
    attributes: { action: 'create' },
    resourceType: 'catalog-entity',
  });

/**
 * Approves or rejects a promotion awaiting approval; the environment's approver groups
 * still apply.
 *
 * @public
 */
export const gitopsApprovePermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'gitops.promotion.approve',
    attributes: { action: 'update' },
    resourceType: 'catalog-entity',
  });

/**
 * Runs the rollout controls (promote, abort, retry, pause, restart) on the entity's
 * Argo Rollouts.
 *
 * @public
 */
export const gitopsRolloutControlPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'gitops.rollout.control',
    attributes: { action: 'update' },
    resourceType: 'catalog-entity',
  });

/**
 * Lets a promotion pass failed gates; recorded on the promotion.
 *
 * @public
 */
export const gitopsGateOverridePermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'gitops.promotion.override',
    attributes: { action: 'update' },
    resourceType: 'catalog-entity',
  });

/**
 * Rolls an environment back to a version it ran before.
 *
 * @public
 */
export const gitopsRollbackPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'gitops.rollback.create',
    attributes: { action: 'create' },
    resourceType: 'catalog-entity',
  });

/**
 * Acts on the entity's Argo CD applications through Argo CD: sync, refresh, hard
 * refresh, terminate the running operation. Argo CD's own RBAC applies on top.
 *
 * @public
 */
export const gitopsApplicationSyncPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'gitops.application.sync',
    attributes: { action: 'update' },
    resourceType: 'catalog-entity',
  });

/**
 * Stops the line (pauses every promotion into an environment, or all of them) and
 * lifts a stop. Not tied to one entity: a stop holds every service.
 *
 * @public
 */
export const gitopsLineStopPermission: BasicPermission = createPermission({
  name: 'gitops.line.stop',
  attributes: { action: 'update' },
});

/**
 * Who an AI agent's caller sees the suite's actions as (the actions registry's
 * `visibilityPermission`, served over MCP). The registry decides visibility with a basic
 * permission and no resource, while every gitops permission above is a resource
 * permission on catalog entities; so each action is listed under the basic twin
 * `gitops.actions.<name>` (the same attributes), and its call still checks the gitops
 * permission itself on the entity, exactly as the REST route does.
 *
 * @public
 */
export const gitopsActionsReadPermission: BasicPermission = createPermission({
  name: 'gitops.actions.deployments.read',
  attributes: { action: 'read' },
});

/**
 * Lists the `request-promotion` action (twin of {@link gitopsPromotePermission}).
 *
 * @public
 */
export const gitopsActionsPromotePermission: BasicPermission = createPermission({
  name: 'gitops.actions.promotion.create',
  attributes: { action: 'create' },
});

/**
 * Lists the `approve-promotion` and `reject-promotion` actions (twin of
 * {@link gitopsApprovePermission}).
 *
 * @public
 */
export const gitopsActionsApprovePermission: BasicPermission = createPermission({
  name: 'gitops.actions.promotion.approve',
  attributes: { action: 'update' },
});

/**
 * Lists the `run-rollout-control` action (twin of {@link gitopsRolloutControlPermission}).
 *
 * @public
 */
export const gitopsActionsRolloutControlPermission: BasicPermission = createPermission({
  name: 'gitops.actions.rollout.control',
  attributes: { action: 'update' },
});

/**
 * Lists the `request-rollback` action (twin of {@link gitopsRollbackPermission}).
 *
 * @public
 */
export const gitopsActionsRollbackPermission: BasicPermission = createPermission({
  name: 'gitops.actions.rollback.create',
  attributes: { action: 'create' },
});

/**
 * Every permission above, for the backend to register with the permission framework
 * (so policies and the permission UI can list them).
 *
 * @public
 */
export const gitopsPermissions = [
  gitopsRollbackPermission,
  gitopsGateOverridePermission,
  gitopsReadPermission,
  gitopsPromotePermission,
  gitopsApprovePermission,
  gitopsRolloutControlPermission,
  gitopsApplicationSyncPermission,
  gitopsLineStopPermission,
];
