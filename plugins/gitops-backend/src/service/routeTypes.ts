import type { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import type { Entity } from '@backstage/catalog-model';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import type { Request } from 'express';
import type { spec } from '../schema/openapi.generated';

/** The router, typed by the OpenAPI spec; each route module registers its routes on it. */
export type GitopsApiRouter = ReturnType<typeof createValidatedOpenApiRouter<typeof spec>>;

/** The entity of an `/entities/{kind}/{namespace}/{name}/...` request, when the caller may read it. */
export type AuthorizedEntity = (
  req: Request<{ kind: string; namespace: string; name: string }>,
  verb: string,
  permission?: ResourcePermission<'catalog-entity'>,
) => Promise<Entity>;
