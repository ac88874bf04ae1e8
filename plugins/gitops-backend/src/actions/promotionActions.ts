import { promotionEvents } from '../service/promotionRoutes';
import { allowedCredentials } from '../service/routeContext';
import type { GitopsActionsContext } from './context';
import { commentInput, entityRefInput, environmentInput, PROMOTION_STATUS_DESCRIPTION, TAG_PATTERN, type Zod } from './schemas';
import {
  gitopsActionsApprovePermission,
  gitopsActionsPromotePermission,
  gitopsActionsReadPermission,
  gitopsActionsRollbackPermission,
} from '@gitops-suite/backstage-plugin-gitops-common';

const promotionIdInput = (z: Zod) => z.string().min(1).max(64).describe('The id of the promotion');

/** A promotion (or rollback) as `GET /v1/promotions/{id}` returns it. */
const promotionOutput = (z: Zod) =>
  z
    .object({
      id: z.string(),
      kind: z.enum(['promotion', 'rollback']),
      entityRef: z.string(),
      from: z.string(),
      to: z.string(),
      status: z.string().describe(PROMOTION_STATUS_DESCRIPTION),
      requestedBy: z.string(),
      version: z.object({ tag: z.string() }).passthrough(),
      gates: z.array(z.object({ gate: z.string(), passed: z.boolean() }).passthrough()),
      approvals: z.array(z.object({ approver: z.string(), decision: z.string() }).passthrough()),
      requiredApprovals: z.number(),
      failureReason: z.string().optional(),
      createdAt: z.string(),
      updatedAt: z.string(),
    })
    .passthrough();

/**
 * The promotion actions: preview, request, get, approve, reject, and rollbacks (a kind of
 * promotion). Each runs the REST route's operation (same permission checks, principals
 * and audit events).
 */
export function registerPromotionActions({ actionsRegistry, context, promotions }: GitopsActionsContext) {
  const { allow } = promotions;

  actionsRegistry.register({
    name: 'preview-promotion',
    title: 'Preview a promotion',
    description: `What promoting a service from one environment to the next would do, without doing it: the version
it ships (from) and the version it replaces (previousVersion), the source commits between them where known, each gate
with its evidence and whether it passes, the approvals needed and by which groups, and blockedBy when it cannot start
now (nothing to promote, a promotion already active, the line stopped). Environments promote in order (for example
dev -> staging -> prod); to must be the environment promoted from from. Users only; needs gitops.deployments.read.`,
    visibilityPermission: gitopsActionsReadPermission,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          from: environmentInput(z, 'The environment whose version is promoted, for example staging'),
          to: environmentInput(z, 'The environment it is promoted into, for example prod'),
        }),
      output: z =>
        z
          .object({
            entityRef: z.string(),
            from: z.string(),
            to: z.string(),
            version: z.object({ tag: z.string() }).passthrough().optional(),
            previousVersion: z.object({ tag: z.string() }).passthrough().optional(),
            gates: z.array(z.object({ gate: z.string(), passed: z.boolean(), evidence: z.string().optional() }).passthrough()),
            requiredApprovals: z.number(),
            approverGroups: z.array(z.string()),
            changes: z.object({}).passthrough().optional().describe('The source commits the promotion ships'),
            blockedBy: z.string().optional().describe('Why a request would be refused now'),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => ({
      output: await promotions.preview(allowedCredentials(credentials, [...allow.preview]), input),
    }),
  });

  actionsRegistry.register({
    name: 'request-promotion',
    title: 'Request a promotion',
    description: `Requests promoting a service's version from one environment to the next (for example staging -> prod).
The gates are checked first: when one fails the request is refused with each failed gate and its evidence
(overrideGates lets them pass, with gitops.promotion.override, and is recorded). Environments that need approvals wait
in awaiting-approval for another person; otherwise the promotion is written to the GitOps repository and followed
until Argo CD runs it (status succeeded or failed). Returns the promotion: poll get-promotion for its progress.
Needs gitops.promotion.create on the entity. Audited (promotion-create).`,
    visibilityPermission: gitopsActionsPromotePermission,
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          from: environmentInput(z, 'The environment whose version is promoted, for example staging'),
          to: environmentInput(z, 'The environment it is promoted into, for example prod'),
          comment: commentInput(z),
          overrideGates: z.boolean().optional().describe('Let failed gates pass (needs gitops.promotion.override; recorded)'),
        }),
      output: promotionOutput,
    },
    action: async ({ input, credentials }) => ({
      output: await context.auditedAs(credentials, promotionEvents.create(input), async () =>
        promotions.create(allowedCredentials(credentials, [...allow.create]), input),
      ),
    }),
  });

  actionsRegistry.register({
    name: 'get-promotion',
    title: 'Get a promotion',
    description: `A promotion or rollback by id: its status (awaiting-approval, approved, writing, pull-request-open,
committed, syncing, then succeeded, failed, rejected or cancelled), the version, gates, approvals, the commit and
failureReason. Needs gitops.deployments.read on its entity.`,
    visibilityPermission: gitopsActionsReadPermission,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({ id: promotionIdInput(z) }),
      output: promotionOutput,
    },
    action: async ({ input, credentials }) => ({
      output: await promotions.get(allowedCredentials(credentials, [...allow.get]), input.id),
    }),
  });

  for (const decision of ['approve', 'reject'] as const) {
    actionsRegistry.register({
      name: `${decision}-promotion`,
      title: decision === 'approve' ? 'Approve a promotion' : 'Reject a promotion',
      description:
        decision === 'approve'
          ? `Approves a promotion awaiting approval, as the calling user. Refused for the person who requested it
(another person must approve, also when an agent acts for the requester), for someone who already decided, and for
anyone outside the environment's approver groups; services never approve. Once the required approvals are given the
promotion proceeds. Needs gitops.promotion.approve on the entity. Audited (promotion-approve).`
          : `Rejects a promotion awaiting approval, as the calling user: it ends as rejected and never runs. The same
rules as approving apply (not one's own request, approver groups, users only). Needs gitops.promotion.approve on the
entity. Audited (promotion-reject).`,
      visibilityPermission: gitopsActionsApprovePermission,
      attributes: { readOnly: false, destructive: decision === 'reject', idempotent: false },
      schema: {
        input: z => z.object({ id: promotionIdInput(z), comment: commentInput(z) }),
        output: promotionOutput,
      },
      action: async ({ input, credentials }) => ({
        output: await context.auditedAs(credentials, promotionEvents.decision(input.id, decision), async () =>
          promotions.decide(allowedCredentials(credentials, [...allow.decide]), input.id, decision, input.comment),
        ),
      }),
    });
  }

  actionsRegistry.register({
    name: 'request-rollback',
    title: 'Request a rollback',
    description: `Rolls an environment of a service back to a version (image tag) it ran before, read from the history of
its values file in the GitOps repository: written and followed like a promotion (kind rollback), under the
environment's approval rule. The gates a rollback does not skip are checked (overrideGates lets them pass, with
gitops.promotion.override). Users only; needs gitops.rollback.create on the entity. Audited (rollback-create).
Returns the rollback: poll get-promotion for its progress.`,
    visibilityPermission: gitopsActionsRollbackPermission,
    attributes: { readOnly: false, destructive: true, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          environment: environmentInput(z, 'The environment to roll back, for example prod'),
          tag: z.string().regex(TAG_PATTERN).describe('The version (image tag) it ran before'),
          comment: commentInput(z),
          overrideGates: z.boolean().optional().describe('Go back past failed gates (needs gitops.promotion.override; recorded)'),
        }),
      output: promotionOutput,
    },
    action: async ({ input, credentials }) => ({
      output: await context.auditedAs(credentials, promotionEvents.rollback(input), async () =>
        promotions.rollback(allowedCredentials(credentials, [...allow.rollback]), input),
      ),
    }),
  });
}
