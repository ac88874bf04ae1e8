import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gitopsReadPermission, type Promotion } from '@gitops-suite/backstage-plugin-gitops-common';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import { GatesFailedError, type PromotionService } from '../promotions/PromotionService';
import type { AuthorizedEntity, GitopsApiRouter } from './routeTypes';
import type { RollbackService } from '../promotions/RollbackService';

export interface PromotionRouteOptions {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  promotions: PromotionService;
  rollbacks: RollbackService;
  authorizedEntity: AuthorizedEntity;
}

/** The promotion routes: create, preview, list, get, approve, reject, cancel. */
export function registerPromotionRoutes(router: GitopsApiRouter, options: PromotionRouteOptions) {
  const { httpAuth, catalog, auditor, promotions, permissions } = options;

  function normalizedRef(entityRef: string) {
    try {
      return stringifyEntityRef(parseEntityRef(entityRef));
    } catch (error) {
      throw new InputError(`entityRef: ${(error as Error).message}`);
    }
  }

  async function entityFor(entityRef: string, credentials: BackstageCredentials) {
    const ref = normalizedRef(entityRef);
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`No entity ${ref} in the catalog`);
    return entity;
  }

  /** Which of these entities the caller may read the deployments (and promotions) of. */
  async function readable(entityRefs: string[], credentials: BackstageCredentials) {
    const refs = [...new Set(entityRefs)];
    const decisions = refs.length
      ? await permissions.authorize(
          refs.map(resourceRef => ({ permission: gitopsReadPermission, resourceRef })),
          { credentials },
        )
      : [];
    return new Set(refs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW));
  }

  /** Like the entity routes: 403 without the read permission, then 404 when unknown. */
  async function readableEntity(entityRef: string, credentials: BackstageCredentials, verb: string) {
    const ref = normalizedRef(entityRef);
    if (!(await readable([ref], credentials)).has(ref)) {
      throw new NotAllowedError(`Not allowed to ${verb} ${ref}`);
    }
    return entityFor(ref, credentials);
  }

  /**
   * A comment goes into the commit message, where the writer finds a promotion's commit
   * again by its `Promotion-Id:` line: a comment carrying such a line would make another
   * promotion look written.
   */
  function checkComment(comment: string | undefined) {
    if (comment?.split(/\r\n|\r|\n/).some(line => /^\s*promotion-id\s*:/i.test(line))) {
      throw new InputError('comment: may not contain a Promotion-Id: line (it identifies the commit of a promotion)');
    }
  }

  /** Runs a mutation as an audited event: success or failure, with the request. */
  async function audited<T>(req: Request, eventId: string, meta: JsonObject, fn: () => Promise<T>) {
    const event = await auditor.createEvent({ eventId, severityLevel: 'medium', request: req, meta });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  router.post('/v1/promotions/preview', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entity = await readableEntity(req.body.entityRef, credentials, 'preview promotions of');
    res.json(await promotions.preview(entity, req.body.from, req.body.to));
  });

  router.post('/v1/promotions', async (req, res) => {
    const { entityRef, ...request } = req.body;
    try {
      const promotion = await audited(req, 'promotion-create', { entityRef, from: request.from, to: request.to }, async () => {
        const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
        checkComment(request.comment);
        const entity = await entityFor(entityRef, credentials);
        return promotions.create(entity, request, credentials);
      });
      res.status(201).json(promotion);
    } catch (error) {
      if (!(error instanceof GatesFailedError)) throw error;
      res.status(409).json({ error: { name: error.name, message: error.message }, gates: error.gates });
    }
  });

  router.get('/v1/entities/:kind/:namespace/:name/rollback-candidates', async (req, res) => {
    const entity = await options.authorizedEntity(req, 'read the deployments of');
    res.json({ items: await options.rollbacks.candidates(entity, req.query.environment) });
  });

  router.post('/v1/rollbacks', async (req, res) => {
    const { entityRef, ...request } = req.body;
    const rollback = await audited(req, 'rollback-create', { entityRef, environment: request.environment, tag: request.tag }, async () => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      checkComment(request.comment);
      const entity = await entityFor(entityRef, credentials);
      return options.rollbacks.create(entity, request, credentials);
    });
    res.status(201).json(rollback);
  });

  router.get('/v1/promotions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const { entityRef, awaitingMyApproval } = req.query;
    if (entityRef) await readableEntity(entityRef, credentials, 'read the promotions of');
    const items: Promotion[] = await promotions.list({
      entityRef: entityRef ? normalizedRef(entityRef) : undefined,
      awaitingApprovalBy: awaitingMyApproval === 'true' ? credentials : undefined,
    });
    // Across entities, only those whose deployments the caller may read.
    const allowed = await readable(items.map(p => p.entityRef), credentials);
    res.json({ items: items.filter(p => allowed.has(p.entityRef)) });
  });

  router.get('/v1/promotions/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const promotion = await promotions.get(req.params.id);
    await readableEntity(promotion.entityRef, credentials, 'read the promotions of');
    res.json(promotion);
  });

  router.post('/v1/promotions/:id/:decision', async (req, res) => {
    const { id, decision } = req.params;
    const comment = req.body?.comment;
    const promotion = await audited(req, `promotion-${decision}`, { promotionId: id }, async () => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const entity = await entityFor(await promotions.entityRefOf(id), credentials);
      if (decision === 'approve') return promotions.approve(entity, id, credentials, comment);
      if (decision === 'reject') return promotions.reject(entity, id, credentials, comment);
      return promotions.cancel(entity, id, credentials);
    });
    res.json(promotion);
  });
}
