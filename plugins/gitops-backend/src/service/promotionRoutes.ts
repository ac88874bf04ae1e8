import { InputError } from '@backstage/errors';
import type { Promotion } from '@gitops-suite/backstage-plugin-gitops-common';
import type { PromotionService } from '../promotions/PromotionService';
import type { RollbackService } from '../promotions/RollbackService';
import type { LineStops } from '../promotions/LineStops';
import { createdOrGatesFailed, normalizedEntityRef, type RouteContext } from './routeContext';
import type { GitopsApiRouter } from './routeTypes';

export interface PromotionRouteOptions {
  promotions: PromotionService;
  rollbacks: RollbackService;
  lineStops: LineStops;
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

/** The promotion and rollback routes (preview, create, list, get, approve, reject, cancel), and stopping the line. */
export function registerPromotionRoutes(router: GitopsApiRouter, context: RouteContext, options: PromotionRouteOptions) {
  const { httpAuth, audited, entityByRef, readableEntity, readableRefs } = context;
  const { promotions, rollbacks } = options;

  router.post('/v1/promotions/preview', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entity = await readableEntity(req.body.entityRef, credentials, 'preview promotions of');
    res.json(await promotions.preview(entity, req.body.from, req.body.to));
  });

  router.post('/v1/promotions', async (req, res) => {
    const { entityRef, ...request } = req.body;
    const event = { eventId: 'promotion-create', meta: { entityRef, from: request.from, to: request.to } };
    await createdOrGatesFailed(res, () =>
      audited(req, event, async () => {
        const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
        checkComment(request.comment);
        return promotions.create(await entityByRef(entityRef, credentials), request, credentials);
      }),
    );
  });

  router.get('/v1/entities/:kind/:namespace/:name/rollback-candidates', async (req, res) => {
    const entity = await context.authorizedEntity(req, 'read the deployments of');
    res.json({ items: await rollbacks.candidates(entity, req.query.environment) });
  });

  router.post('/v1/rollbacks', async (req, res) => {
    const { entityRef, ...request } = req.body;
    const event = { eventId: 'rollback-create', meta: { entityRef, environment: request.environment, tag: request.tag } };
    await createdOrGatesFailed(res, () =>
      audited(req, event, async () => {
        const credentials = await httpAuth.credentials(req, { allow: ['user'] });
        checkComment(request.comment);
        return rollbacks.create(await entityByRef(entityRef, credentials), request, credentials);
      }),
    );
  });

  router.get('/v1/line-stops', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await options.lineStops.list());
  });

  router.post('/v1/line-stops', async (req, res) => {
    const event = { eventId: 'line-stop', severityLevel: 'high' as const, meta: { environment: req.body.environment, reason: req.body.reason } };
    const stop = await audited(req, event, async () =>
      options.lineStops.stop(req.body, await httpAuth.credentials(req, { allow: ['user'] })),
    );
    res.status(201).json(stop);
  });

  router.post('/v1/line-stops/:id/lift', async (req, res) => {
    const event = { eventId: 'line-stop-lift', severityLevel: 'high' as const, meta: { lineStopId: req.params.id } };
    const lifted = await audited(req, event, async () =>
      options.lineStops.lift(req.params.id, await httpAuth.credentials(req, { allow: ['user'] })),
    );
    res.json(lifted);
  });

  router.get('/v1/promotions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const { entityRef, awaitingMyApproval } = req.query;
    if (entityRef) await readableEntity(entityRef, credentials, 'read the promotions of');
    const items: Promotion[] = await promotions.list({
      entityRef: entityRef ? normalizedEntityRef(entityRef) : undefined,
      awaitingApprovalBy: awaitingMyApproval === 'true' ? credentials : undefined,
    });
    // Across entities, only those whose deployments the caller may read.
    const allowed = await readableRefs(items.map(p => p.entityRef), credentials);
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
    const promotion = await audited(req, { eventId: `promotion-${decision}`, meta: { promotionId: id } }, async () => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const entity = await entityByRef(await promotions.entityRefOf(id), credentials);
      if (decision === 'approve') return promotions.approve(entity, id, credentials, comment);
      if (decision === 'reject') return promotions.reject(entity, id, credentials, comment);
      return promotions.cancel(entity, id, credentials);
    });
    res.json(promotion);
  });
}
