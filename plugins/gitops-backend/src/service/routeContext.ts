import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { AuthenticationError, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult, type ResourcePermission } from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import { gitopsReadPermission } from '@gitops-suite/backstage-plugin-gitops-common';
import type { Request, Response } from 'express';
import { GatesFailedError } from '../promotions/GatesFailedError';
import type { AuthorizedEntity } from './routeTypes';

/** What every route module shares: who the caller is, which entities they may see, and audit. */
export interface RouteContext {
  httpAuth: HttpAuthService;
  /** The entity of an `/entities/{kind}/{namespace}/{name}/...` route: 403, then 404. */
  authorizedEntity: AuthorizedEntity;
  /** The entity a request body names (`entityRef`): 400 for a malformed ref, 404 when unknown. */
  entityByRef(entityRef: string, credentials: BackstageCredentials): Promise<Entity>;
  /** The entity a body names, when the caller may read its deployments: 403, then 404. */
  readableEntity(entityRef: string, credentials: BackstageCredentials, verb: string): Promise<Entity>;
  /** Which of these entities the caller may read the deployments (and promotions) of, in one batch. */
  readableRefs(entityRefs: string[], credentials: BackstageCredentials): Promise<Set<string>>;
  /** The entity a ref names, when the caller holds `permission` on it (default: read): 400, 403, then 404. */
  permittedEntity(
    entityRef: string,
    credentials: BackstageCredentials,
    verb: string,
    permission?: ResourcePermission<'catalog-entity'>,
  ): Promise<Entity>;
  /** Runs a mutation as an audited event: success or failure, with the request. */
  audited<T>(req: Request, event: AuditedEvent, fn: () => Promise<T>): Promise<T>;
  /**
   * `audited` for a call with no HTTP request (an action of the actions registry): the
   * same event, with the caller recorded in its metadata (`actor`) since there is no
   * request to read them from.
   */
  auditedAs<T>(credentials: BackstageCredentials, event: AuditedEvent, fn: () => Promise<T>): Promise<T>;
}

/** Who a call is from, for audit metadata: a user's entity ref or a service's subject. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as { type?: string; userEntityRef?: string; subject?: string };
  if (principal?.type === 'user') return principal.userEntityRef!;
  if (principal?.type === 'service') return principal.subject!;
  return 'none';
}

/**
 * The principal check `httpAuth.credentials(req, { allow })` makes, for credentials that
 * came without a request (the same errors).
 */
export function allowedCredentials(
  credentials: BackstageCredentials,
  allow: Array<'user' | 'service'>,
): BackstageCredentials {
  const type = (credentials.principal as { type?: string } | undefined)?.type;
  if (type === 'none' || !type) throw new AuthenticationError('Missing credentials');
  if (!allow.includes(type as 'user' | 'service')) {
    throw new NotAllowedError(`This endpoint does not allow '${type}' credentials`);
  }
  return credentials;
}

/** An audit event's id, metadata and severity (medium unless said). */
export interface AuditedEvent {
  eventId: string;
  meta: JsonObject;
  severityLevel?: 'low' | 'medium' | 'high' | 'critical';
  /** What the success event adds about the result (for example a Rollout's phase). */
  resultMeta?: (result: any) => JsonObject;
}

/** The normalized form of an entity ref in a request body, or a 400 naming the field. */
export function normalizedEntityRef(entityRef: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(entityRef));
  } catch (error) {
    throw new InputError(`entityRef: ${(error as Error).message}`);
  }
}

export function createRouteContext(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
}): RouteContext {
  const { httpAuth, permissions, catalog, auditor } = options;

  async function entityByRef(entityRef: string, credentials: BackstageCredentials) {
    const ref = normalizedEntityRef(entityRef);
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`No entity ${ref} in the catalog`);
    return entity;
  }

  async function readableRefs(entityRefs: string[], credentials: BackstageCredentials) {
    const refs = [...new Set(entityRefs)];
    if (!refs.length) return new Set<string>();
    const decisions = await permissions.authorize(
      refs.map(resourceRef => ({ permission: gitopsReadPermission, resourceRef })),
      { credentials },
    );
    return new Set(refs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW));
  }

  async function permittedEntity(
    ref: string,
    credentials: BackstageCredentials,
    verb: string,
    permission: ResourcePermission<'catalog-entity'> = gitopsReadPermission,
  ) {
    const entityRef = normalizedEntityRef(ref);
    const [decision] = await permissions.authorize([{ permission, resourceRef: entityRef }], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) throw new NotAllowedError(`Not allowed to ${verb} ${entityRef}`);
    return entityByRef(entityRef, credentials);
  }

  async function runAudited<T>(
    { eventId, meta, severityLevel = 'medium', resultMeta }: AuditedEvent,
    context: { request?: Request; actor?: string },
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      severityLevel,
      request: context.request,
      meta: context.actor ? { ...meta, actor: context.actor } : meta,
    });
    try {
      const result = await fn();
      await event.success(resultMeta ? { meta: resultMeta(result) } : undefined);
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  return {
    httpAuth,
    entityByRef,
    readableRefs,

    async authorizedEntity(req, verb, permission = gitopsReadPermission) {
      const credentials: BackstageCredentials = await httpAuth.credentials(req);
      return permittedEntity(stringifyEntityRef(req.params), credentials, verb, permission);
    },

    permittedEntity,

    // The read permission is permittedEntity's default.
    readableEntity: (entityRef, credentials, verb) => permittedEntity(entityRef, credentials, verb),

    audited: (req, event, fn) => runAudited(event, { request: req }, fn),

    auditedAs: (credentials, event, fn) => runAudited(event, { actor: actorOf(credentials) }, fn),
  };
}

/**
 * Answers with what `create` made (201), or with 409 and the gate results when gates
 * refused it: the dialog shows each gate, not only the message.
 */
export async function createdOrGatesFailed(res: Response, create: () => Promise<unknown>): Promise<void> {
  try {
    res.status(201).json(await create());
  } catch (error) {
    if (!(error instanceof GatesFailedError)) throw error;
    res.status(409).json({ error: { name: error.name, message: error.message }, gates: error.gates });
  }
}
