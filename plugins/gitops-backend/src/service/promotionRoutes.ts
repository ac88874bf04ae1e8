import { InputError } from '@backstage/errors';
import type { Promotion } from '@gitops-suite/backstage-plugin-gitops-common';
import type { PromotionService } from '../promotions/PromotionService';
import type { RollbackService } from '../promotions/RollbackService';
import type { LineStops } from '../promotions/LineStops';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { createdOrGatesFailed, normalizedEntityRef, type AuditedEvent, type RouteContext } from './routeContext';
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

/** A promotion request (the body of `POST /v1/promotions` and of its preview). */
export type PromotionRequest = { entityRef: string; from: string; to: string; comment?: string; overrideGates?: boolean };
/** A rollback request (the body of `POST /v1/rollbacks`). */
export type RollbackRequest = { entityRef: string; environment: string; tag: string; comment?: string; overrideGates?: boolean };
/** A decision on a promotion (`POST /v1/promotions/{id}/{decision}`). */
export type PromotionDecision = 'approve' | 'reject' | 'cancel';

/** The audit events of the promotion mutations, for the routes and the actions alike. */
export const promotionEvents = {
  create: ({ entityRef, from, to }: PromotionRequest): AuditedEvent => ({ eventId: 'promotion-create', meta: { entityRef, from, to } }),
  rollback: ({ entityRef, environment, tag }: RollbackRequest): AuditedEvent => ({
    eventId: 'rollback-create',
    meta: { entityRef, environment, tag },
  }),
  decision: (id: string, decision: string): AuditedEvent => ({ eventId: `promotion-${decision}`, meta: { promotionId: id } }),
};

/**
 * What the promotion routes do once the caller's credentials are known: the routes
 * (credentials from the request) and the actions (credentials of the action's call) run
 * the same permission checks through these.
 */
export function promotionOperations(
  context: Pick<RouteContext, 'entityByRef' | 'readableEntity'>,
  options: Pick<PromotionRouteOptions, 'promotions' | 'rollbacks'>,
) {
  const { entityByRef, readableEntity } = context;
  const { promotions, rollbacks } = options;
  return {
    /** Principals each operation allows (as `httpAuth.credentials(req, { allow })`). */
    allow: {
      preview: ['user'],
      create: ['user', 'service'],
      rollback: ['user'],
      get: ['user', 'service'],
      decide: ['user'],
    } as const,

    async preview(credentials: BackstageCredentials, { entityRef, from, to }: Pick<PromotionRequest, 'entityRef' | 'from' | 'to'>) {
      const entity = await readableEntity(entityRef, credentials, 'preview promotions of');
      return promotions.preview(entity, from, to);
    },

    async create(credentials: BackstageCredentials, { entityRef, ...request }: PromotionRequest) {
      checkComment(request.comment);
      return promotions.create(await entityByRef(entityRef, credentials), request, credentials);
    },

    async rollback(credentials: BackstageCredentials, { entityRef, ...request }: RollbackRequest) {
      checkComment(request.comment);
      return rollbacks.create(await entityByRef(entityRef, credentials), request, credentials);
    },

    async get(credentials: BackstageCredentials, id: string) {
      const promotion = await promotions.get(id);
      await readableEntity(promotion.entityRef, credentials, 'read the promotions of');
      return promotion;
    },

    async decide(credentials: BackstageCredentials, id: string, decision: PromotionDecision, comment?: string) {
      const entity = await entityByRef(await promotions.entityRefOf(id), credentials);
      if (decision === 'approve') return promotions.approve(entity, id, credentials, comment);
      if (decision === 'reject') return promotions.reject(entity, id, credentials, comment);
      return promotions.cancel(entity, id, credentials);
    },
  };
}

/** The promotion and rollback routes (preview, create, list, get, approve, reject, cancel), and stopping the line. */
export function registerPromotionRoutes(router: GitopsApiRouter, context: RouteContext, options: PromotionRouteOptions) {
  const { httpAuth, audited, readableEntity, readableRefs } = context;
  const { promotions, rollbacks } = options;
  const operations = promotionOperations(context, options);
  const { allow } = operations;

  router.post('/v1/promotions/preview', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: [...allow.preview] });
    res.json(await operations.preview(credentials, req.body));
  });

  router.post('/v1/promotions', async (req, res) => {
    await createdOrGatesFailed(res, () =>
      audited(req, promotionEvents.create(req.body), async () =>
        operations.create(await httpAuth.credentials(req, { allow: [...allow.create] }), req.body),
      ),
    );
  });

  router.get('/v1/entities/:kind/:namespace/:name/rollback-candidates', async (req, res) => {
    const entity = await context.authorizedEntity(req, 'read the deployments of');
    res.json({ items: await rollbacks.candidates(entity, req.query.environment) });
  });

  router.post('/v1/rollbacks', async (req, res) => {
    await createdOrGatesFailed(res, () =>
      audited(req, promotionEvents.rollback(req.body), async () =>
        operations.rollback(await httpAuth.credentials(req, { allow: [...allow.rollback] }), req.body),
      ),
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
    const credentials = await httpAuth.credentials(req, { allow: [...allow.get] });
    res.json(await operations.get(credentials, req.params.id));
  });

  router.post('/v1/promotions/:id/:decision', async (req, res) => {
    const { id, decision } = req.params;
    const promotion = await audited(req, promotionEvents.decision(id, decision), async () =>
      operations.decide(await httpAuth.credentials(req, { allow: [...allow.decide] }), id, decision, req.body?.comment),
    );
    res.json(promotion);
  });
}
