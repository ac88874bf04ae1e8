import type { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult, type ResourcePermission } from '@backstage/plugin-permission-common';

/** Throws a 403 naming `what` unless the caller holds `permission` on the entity. */
export async function authorizeOnEntity(
  permissions: PermissionsService,
  permission: ResourcePermission<'catalog-entity'>,
  entity: Entity,
  credentials: BackstageCredentials,
  what: string,
): Promise<void> {
  const [decision] = await permissions.authorize(
    [{ permission, resourceRef: stringifyEntityRef(entity) }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) throw new NotAllowedError(`Not allowed to ${what}`);
}
