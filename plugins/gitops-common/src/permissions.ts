import {
  createPermission,
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

/** @public */
export const gitopsPromotePermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'gitops.promotion.create',
    attributes: { action: 'create' },
    resourceType: 'catalog-entity',
  });

/** @public */
export const gitopsApprovePermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'gitops.promotion.approve',
    attributes: { action: 'update' },
    resourceType: 'catalog-entity',
  });

/** @public */
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

/** @public */
export const gitopsPermissions = [
  gitopsRollbackPermission,
  gitopsGateOverridePermission,
  gitopsReadPermission,
  gitopsPromotePermission,
  gitopsApprovePermission,
  gitopsRolloutControlPermission,
];
