import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { addFilesToRepository } from '../git/addFiles';
import type { GitAuthor } from '../git/git';
import {
  requireBranch,
  requireDnsLabel,
  requireGitUrl,
  requireRelativePath,
  withDefaults,
} from '../validation';
import { examples } from './registerService.examples';
import { expandPath, renderServiceFiles, type ServiceSpec } from './serviceManifests';

export interface RegisterServiceOptions {
  /** `gitops.scaffolder.gitopsRepoUrl`: used when a template gives no repoUrl. */
  defaultRepoUrl?: string;
  author: GitAuthor;
  credentialsFor(repoUrl: string): string[];
}

const IMAGE_REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+|-+[a-z0-9]+)*)+$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const DEFAULT_RESOURCES = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};


/** Applied to the schema and, since the scaffolder does not, in the handler. */
const DEFAULTS = {
  branch: 'main',
  environments: ['dev', 'staging', 'prod'],
  imageTag: '0.1.0',
  strategy: 'canary' as const,
  manualPromotionIn: ['prod'],
  enforcePoliciesIn: ['prod'],
  project: 'default',
  argocdNamespace: 'argocd',
  destinationServer: 'https://kubernetes.default.svc',
  valuesPathTemplate: 'apps/{service}/{environment}/values.yaml',
  applicationPathTemplate: 'argocd/{service}-{environment}.yaml',
};

/**
 * `gitops:service:register`: adds a new service to the GitOps environment repository,
 * per environment a values file and an Argo CD Application, in one commit pushed with
 * fetch-rebase-retry. The sandbox and Argo CD pick the Applications up from there.
 */
export function createRegisterServiceAction(options: RegisterServiceOptions) {
  return createTemplateAction({
    id: 'gitops:service:register',
    description:
      'Adds a new service to the GitOps environment repository: values and an Argo CD Application per environment, one commit.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        service: z => z.string().describe('Service name (a DNS label), e.g. payments-api'),
        repoUrl: z =>
          z.string().optional().describe('GitOps repository (https, ssh or file://); default: gitops.scaffolder.gitopsRepoUrl'),
        branch: z => z.string().default(DEFAULTS.branch).describe('Branch Argo CD follows'),
        environments: z =>
          z.array(z.string()).default(DEFAULTS.environments).describe('Environments, in promotion order'),
        imageRepository: z => z.string().describe('Image repository, e.g. ghcr.io/acme/payments-api'),
        imageTag: z => z.string().default(DEFAULTS.imageTag).describe('Tag every environment starts at'),
        replicas: z =>
          z.union([z.number().int().min(0), z.record(z.string(), z.number().int().min(0))])
            .optional()
            .describe('Replicas: one number, or per environment; default 1 in the first environment, 2 elsewhere'),
        resources: z =>
          z.object({
            requests: z.object({ cpu: z.string(), memory: z.string() }),
            limits: z.object({ cpu: z.string(), memory: z.string() }),
          }).optional().describe('Container requests and limits; default 50m/64Mi, 500m/256Mi'),
        strategy: z =>
          z.enum(['canary', 'blueGreen']).default(DEFAULTS.strategy).describe('Argo Rollouts strategy'),
        manualPromotionIn: z =>
          z.array(z.string()).default(DEFAULTS.manualPromotionIn).describe('Environments where a person promotes each rollout'),
        enforcePoliciesIn: z =>
          z.array(z.string()).default(DEFAULTS.enforcePoliciesIn).describe('Environments whose Kyverno policies Enforce (others Audit)'),
        project: z => z.string().default(DEFAULTS.project).describe('Argo CD project'),
        argocdNamespace: z => z.string().default(DEFAULTS.argocdNamespace).describe('Namespace of the Applications'),
        destinationServer: z =>
          z.string().default(DEFAULTS.destinationServer).describe('Cluster the Applications deploy to'),
        valuesPathTemplate: z =>
          z.string().default(DEFAULTS.valuesPathTemplate).describe('Where values files go'),
        applicationPathTemplate: z =>
          z.string().default(DEFAULTS.applicationPathTemplate).describe('Where Applications go'),
        commitMessage: z => z.string().optional().describe('Commit message; default: "Register <service>"'),
      },
      output: {
        commitHash: z => z.string().optional().describe('The pushed commit (absent in a dry run)'),
        files: z => z.array(z.string()).describe('Files added to the repository'),
      },
    },
    async handler(ctx) {
      const spec = toSpec(withDefaults(ctx.input, DEFAULTS) as Input, options.defaultRepoUrl);
      const files = renderServiceFiles(spec);
      ctx.output('files', files.map(f => f.path));
      if (ctx.isDryRun) {
        for (const file of files) ctx.logger.info(`Dry run: would add ${file.path}:\n${file.content}`);
        return;
      }
      const commitHash = await ctx.checkpoint({
        key: `gitops-service-register-${spec.service}`,
        fn: () =>
          addFilesToRepository({
            repoUrl: spec.repoUrl,
            branch: spec.branch,
            files,
            message: ctx.input.commitMessage ?? `Register ${spec.service} in ${spec.environments.join(', ')}`,
            trailer: `Backstage-Task-Id: ${ctx.task.id}`,
            author: options.author,
            credentials: options.credentialsFor(spec.repoUrl),
            subject: `service '${spec.service}'`,
          }),
      });
      ctx.logger.info(`Registered ${spec.service} in ${spec.repoUrl} at ${commitHash}`);
      ctx.output('commitHash', commitHash);
    },
  });
}

/** The input once zod applied the defaults. */
interface Input {
  service: string;
  repoUrl?: string;
  branch: string;
  environments: string[];
  imageRepository: string;
  imageTag: string;
  replicas?: number | Record<string, number>;
  resources?: ServiceSpec['resources'];
  strategy: ServiceSpec['strategy'];
  manualPromotionIn: string[];
  enforcePoliciesIn: string[];
  project: string;
  argocdNamespace: string;
  destinationServer: string;
  valuesPathTemplate: string;
  applicationPathTemplate: string;
  commitMessage?: string;
}

/** Checks every input before git runs: bad input changes nothing. */
function toSpec(input: Input, defaultRepoUrl?: string): ServiceSpec {
  const { service, environments } = input;
  const repoUrl = input.repoUrl || defaultRepoUrl;
  if (!repoUrl) {
    throw new InputError('repoUrl is required when gitops.scaffolder.gitopsRepoUrl is not configured');
  }
  requireGitUrl('repoUrl', repoUrl);
  requireBranch('branch', input.branch);
  requireDnsLabel('service', service);
  if (!environments.length) throw new InputError('environments must name at least one environment');
  if (new Set(environments).size !== environments.length) {
    throw new InputError(`environments [${environments.join(', ')}] lists one twice`);
  }
  for (const env of environments) {
    requireDnsLabel('environments[]', env);
    // the destination namespace `<service>-<env>` must itself be a DNS label
    requireDnsLabel('service and environment', `${service}-${env}`);
  }
  requireDnsLabel('argocdNamespace', input.argocdNamespace);
  if (!IMAGE_REPOSITORY.test(input.imageRepository)) {
    throw new InputError(
      `imageRepository '${input.imageRepository}' must be a lowercase image repository with a registry or owner, e.g. ghcr.io/acme/${service}`,
    );
  }
  if (!IMAGE_TAG.test(input.imageTag) || input.imageTag === 'latest') {
    throw new InputError(`imageTag '${input.imageTag}' must be a valid image tag other than 'latest'`);
  }
  const resources = input.resources ?? DEFAULT_RESOURCES;
  for (const [kind, values] of Object.entries(resources)) {
    for (const [name, value] of Object.entries(values as Record<string, string>)) {
      if (!QUANTITY.test(value)) {
        throw new InputError(`resources.${kind}.${name} '${value}' is not a Kubernetes quantity`);
      }
    }
  }
  checkPathTemplates(input, environments);
  return {
    ...input,
    repoUrl,
    resources,
    replicas: replicasPerEnvironment(input.replicas, environments),
  };
}

function checkPathTemplates(input: Input, environments: string[]) {
  const seen = new Set<string>();
  for (const field of ['valuesPathTemplate', 'applicationPathTemplate'] as const) {
    const template = input[field];
    if (!template.includes('{service}') || !template.includes('{environment}')) {
      throw new InputError(`${field} '${template}' must contain {service} and {environment}`);
    }
    requireRelativePath(field, template);
    for (const env of environments) {
      const file = expandPath(template, input.service, env);
      if (seen.has(file)) throw new InputError(`${field} '${template}' writes ${file} twice`);
      seen.add(file);
    }
  }
}

function replicasPerEnvironment(replicas: Input['replicas'], environments: string[]) {
  return Object.fromEntries(
    environments.map((env, index) => {
      if (typeof replicas === 'number') return [env, replicas];
      return [env, replicas?.[env] ?? (index === 0 ? 1 : 2)];
    }),
  );
}
