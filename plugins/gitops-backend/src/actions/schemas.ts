import type { ActionsRegistryActionOptions } from '@backstage/backend-plugin-api/alpha';

/**
 * The zod the actions registry hands to schema functions (its own copy, whichever zod
 * `@backstage/backend-plugin-api` resolves): schemas are built on it, never on another
 * installed zod. Each action module builds its schema parts from these shared pieces
 * (exported zod schemas of that copy would not be portable in declarations).
 */
export type Zod = Parameters<ActionsRegistryActionOptions<any, any>['schema']['input']>[0];

/** An environment name as the REST API accepts it. */
export const ENVIRONMENT_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A Kubernetes name (namespace or Rollout) as the REST API accepts it. */
export const NAMESPACE_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const RESOURCE_NAME_PATTERN = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** An image tag as `POST /v1/rollbacks` accepts it. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

const ENTITY_REF_DESCRIPTION =
  'The entity ref of the service, as kind:namespace/name, for example component:default/payments-api';

const COMMENT_DESCRIPTION = 'A comment recorded with it (into the commit message for a promotion)';

export const PROMOTION_STATUS_DESCRIPTION =
  'awaiting-approval, approved, writing, pull-request-open, committed, syncing; ends in succeeded, failed, rejected or cancelled';

/** A string schema of the registry's zod (annotated: the inferred type names a nested zod copy). */
type ZodString = ReturnType<Zod['string']>;

/** The entity an action is about, as every action takes it. */
export const entityRefInput = (z: Zod): ZodString => z.string().min(1).max(255).describe(ENTITY_REF_DESCRIPTION);

/** An environment, described for the action it is an input of. */
export const environmentInput = (z: Zod, what: string): ZodString => z.string().regex(ENVIRONMENT_PATTERN).describe(what);

export const commentInput = (z: Zod): ReturnType<ZodString['optional']> => z.string().max(2000).optional().describe(COMMENT_DESCRIPTION);
