import { environmentFindings, FINDINGS_KINDS, type FindingsKind } from '../service/findingsRoutes';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { GitopsActionsContext } from './context';
import { entityRefInput, environmentInput } from './schemas';
import { gitopsActionsReadPermission } from '@gitops-suite/backstage-plugin-gitops-common';

const READ_ONLY = { readOnly: true, destructive: false, idempotent: true };
const KINDS = Object.keys(FINDINGS_KINDS) as [FindingsKind, ...FindingsKind[]];


/** The reading actions on what runs where: an entity's deployments, the fleet, an environment's findings. */
export function registerDeploymentActions({ actionsRegistry, context, deployments, findings }: GitopsActionsContext) {
  actionsRegistry.register({
    name: 'get-entity-deployments',
    title: 'Get the deployments of an entity',
    description: `Lists every environment of a service (dev, staging, prod, ...) as its Deployments tab shows it: the version
(image tag) each runs, whether it is behind the environment it is promoted from, the Argo CD applications with their
sync and health status and history, the Argo Rollouts with their phase and step, and finding summaries.
Applications of the entity that match no environment are listed as "unassigned". Needs gitops.deployments.read on the entity.`,
    visibilityPermission: gitopsActionsReadPermission,
    attributes: READ_ONLY,
    schema: {
      input: z => z.object({ entityRef: entityRefInput(z) }),
      output: z =>
        z
          .object({
            entityRef: z.string(),
            environments: z
              .array(
                z
                  .object({
                    name: z.string(),
                    version: z.object({ tag: z.string().optional() }).passthrough().optional(),
                  })
                  .passthrough(),
              )
              .describe('One entry per configured environment, in promotion order'),
            unassigned: z.array(z.object({ name: z.string() }).passthrough()),
            errors: z.array(z.object({}).passthrough()).describe('Sources (Argo CD instances, clusters) that could not be read'),
            observedAt: z.string().optional(),
          })
          .passthrough(),
    },
    examples: [{ title: 'The deployments of payments-api', input: { entityRef: 'component:default/payments-api' } }],
    action: async ({ input, credentials }) => ({
      output: await deployments.deployments(credentials, input.entityRef),
    }),
  });

  actionsRegistry.register({
    name: 'list-fleet',
    title: 'List the fleet',
    description: `The fleet view: every catalog entity with Argo CD applications whose deployments the caller may read,
with its status in each environment (version, health, sync, drift, risk). Filter by owner (a group ref such as
group:default/team-payments), system or kind; includeFindings adds vulnerability counts where clusters are configured.`,
    visibilityPermission: gitopsActionsReadPermission,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          owner: z.string().max(255).optional().describe('Only entities owned by this group or user ref'),
          system: z.string().max(255).optional().describe('Only entities of this system'),
          kind: z.string().max(63).optional().describe('Only entities of this kind (for example Component)'),
          includeFindings: z.boolean().optional().describe('Add finding counts per environment (slower)'),
        }),
      output: z =>
        z
          .object({
            environments: z.array(z.object({ name: z.string(), title: z.string(), promotesFrom: z.string().optional() })),
            items: z.array(z.object({ entityRef: z.string() }).passthrough()),
            errors: z.array(z.object({}).passthrough()),
            observedAt: z.string().optional(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => {
      const { includeFindings, ...filter } = input;
      return { output: await deployments.fleet(credentials, filter, includeFindings ?? false) };
    },
  });

  actionsRegistry.register({
    name: 'list-environment-findings',
    title: 'List the findings of an entity in an environment',
    description: `The findings of a service's workloads in one environment, as its Findings tabs show them: vulnerabilities
(Trivy Operator, else CI scans), policy results (Kyverno), exposed secrets and configuration audits. Choose the kinds,
default all four. Needs gitops.deployments.read on the entity.`,
    visibilityPermission: gitopsActionsReadPermission,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          environment: environmentInput(z, 'The environment, for example staging'),
          kinds: z.array(z.enum(KINDS)).min(1).optional().describe(`Which findings: ${KINDS.join(', ')} (default all)`),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          environment: z.string(),
          findings: z
            .record(z.enum(KINDS), z.object({ items: z.array(z.object({}).passthrough()) }).passthrough())
            .describe('Per kind: its items, summary and the sources that could not be read'),
        }),
    },
    action: async ({ input, credentials }) => {
      const kinds = [...new Set(input.kinds ?? KINDS)];
      // The read permission each findings route checks (one check covers every kind).
      const verb = kinds.length === 1 ? FINDINGS_KINDS[kinds[0]].verb : 'read the findings of';
      const entity = await context.permittedEntity(input.entityRef, credentials, verb);
      const results = await Promise.all(
        kinds.map(async kind => [kind, await environmentFindings(findings, kind, entity, input.environment)] as const),
      );
      return {
        output: {
          entityRef: stringifyEntityRef(entity),
          environment: input.environment,
          findings: Object.fromEntries(results),
        },
      };
    },
  });
}
