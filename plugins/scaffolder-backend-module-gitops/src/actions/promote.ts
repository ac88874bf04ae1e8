import type { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type {
  CreatePromotionRequest,
  GateResult,
  Promotion,
  PromotionPreview,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { requireDnsLabel } from '../validation';
import { examples } from './promote.examples';

/**
 * How `gitops:promote` reaches the `gitops` backend plugin.
 *
 * @public
 */
export interface PromoteOptions {
  /** Finds the `gitops` plugin's base URL. */
  discovery: DiscoveryService;
  /** Exchanges the template user's credentials for a token to the `gitops` plugin. */
  auth: AuthService;
}

/**
 * `gitops:promote`: starts a promotion through the suite's REST API, on behalf of the
 * user who runs the template, so the backend applies that user's permissions, gates and
 * approval rules exactly as for the promote button. The backend does the GitOps write.
 *
 * @public
 */
export function createPromoteAction(options: PromoteOptions) {
  return createTemplateAction({
    id: 'gitops:promote',
    description:
      'Promotes the version running in one environment of an entity to the next, through the GitOps backend (gates, approvals, GitOps commit).',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z => z.string().describe('The entity to promote, e.g. component:default/payments-api'),
        from: z => z.string().describe('Source environment, e.g. staging'),
        to: z => z.string().describe('Target environment, e.g. prod'),
        comment: z => z.string().max(2000).optional().describe('Why, recorded with the promotion'),
      },
      output: {
        promotionId: z => z.string().optional().describe('The promotion (absent in a dry run)'),
        status: z =>
          z.string().describe('Its status, e.g. awaiting-approval or writing; "preview" in a dry run'),
        version: z => z.string().optional().describe('The image tag being promoted'),
      },
    },
    async handler(ctx) {
      const body = toRequest(ctx.input);
      const baseUrl = await options.discovery.getBaseUrl('gitops');
      const { token } = await options.auth.getPluginRequestToken({
        onBehalfOf: await ctx.getInitiatorCredentials(),
        targetPluginId: 'gitops',
      });
      const post = (route: string) =>
        fetch(`${baseUrl}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      const what = `${body.entityRef} from ${body.from} to ${body.to}`;

      if (ctx.isDryRun) {
        const response = await post('/v1/promotions/preview');
        const preview: PromotionPreview = await readJson(response, what);
        ctx.logger.info(`Dry run: would promote ${what}, version ${preview.version?.tag ?? 'unknown'}`);
        for (const gate of preview.gates) ctx.logger.info(`Gate ${describeGate(gate)}`);
        if (preview.requiredApprovals) ctx.logger.info(`Needs ${preview.requiredApprovals} approval(s)`);
        if (preview.blockedBy) ctx.logger.warn(`Would not start: ${preview.blockedBy}`);
        ctx.output('status', 'preview');
        if (preview.version) ctx.output('version', preview.version.tag);
        return;
      }
      // One promotion per task and step, even when the task is retried after the POST.
      const promotion = await ctx.checkpoint({
        key: `gitops-promote-${body.entityRef}-${body.from}-${body.to}`,
        fn: async () => {
          const created: Promotion = await readJson(await post('/v1/promotions'), what);
          return { id: created.id, status: created.status, tag: created.version?.tag ?? null };
        },
      });
      ctx.logger.info(`Promotion ${promotion.id} of ${what} is ${promotion.status}`);
      ctx.output('promotionId', promotion.id);
      ctx.output('status', promotion.status);
      if (promotion.tag) ctx.output('version', promotion.tag);
    },
  });
}

const ENTITY_REF =
  /^[a-zA-Z][a-zA-Z0-9-]{0,62}:[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\/[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;

function toRequest(input: { entityRef: string; from: string; to: string; comment?: string }) {
  let entityRef;
  try {
    entityRef = stringifyEntityRef(parseEntityRef(input.entityRef, { defaultKind: 'component', defaultNamespace: 'default' }));
  } catch (error) {
    throw new InputError(`entityRef '${input.entityRef}' is not an entity reference: ${(error as Error).message}`);
  }
  // What the GitOps backend accepts (its OpenAPI spec): a newline or a space is refused here.
  if (!ENTITY_REF.test(entityRef)) {
    throw new InputError(`entityRef '${input.entityRef}' is not an entity reference: kind:namespace/name of letters, digits, '-', '_' and '.'`);
  }
  requireDnsLabel('from', input.from);
  requireDnsLabel('to', input.to);
  if (input.from === input.to) throw new InputError(`from and to are both '${input.from}'`);
  const request: CreatePromotionRequest = { entityRef, from: input.from, to: input.to };
  if (input.comment) request.comment = input.comment;
  return request;
}

function describeGate(gate: GateResult) {
  let verdict = 'FAILED';
  if (gate.passed) verdict = 'passed';
  else if (gate.overridden) verdict = 'failed (overridden)';
  return `${gate.gate} ${verdict}: ${gate.evidence}`;
}

/**
 * The body of a 2xx answer; otherwise an error carrying the backend's message: a 409
 * with gate results lists each failed gate and its evidence, so the step's log says
 * why the promotion may not go ahead.
 */
async function readJson(response: Response, what: string): Promise<any> {
  const body = await response.json().catch(() => undefined);
  if (response.ok) return body;
  const message: string = body?.error?.message ?? response.statusText;
  const gates: GateResult[] = Array.isArray(body?.gates) ? body.gates : [];
  const failed = gates.filter(g => !g.passed && !g.overridden);
  if (response.status === 409 && failed.length) {
    throw new ConflictError(
      `Promotion of ${what} blocked by ${failed.length} failed gate(s): ${failed.map(describeGate).join('; ')}`,
    );
  }
  const error = new Error(`The GitOps backend refused the promotion of ${what} (${response.status}): ${message}`);
  error.name = body?.error?.name ?? 'ResponseError';
  throw error;
}
