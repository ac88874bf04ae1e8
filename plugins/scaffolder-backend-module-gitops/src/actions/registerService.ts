import { ConflictError, InputError, isError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  addFilesEdit,
  requireBranch,
  requireGitUrl,
  requireRelativePath,
  type RepositoryEdit,
} from '@gitops-suite/backstage-plugin-gitops-node';
import { applicationSetEdit } from '../gitops/applicationSet';
import {
  combineEdits,
  pullRequestProviderFor,
  writeToGitops,
  type GitopsWriteOptions,
  type WriteMethod,
} from '../gitops/writeToGitops';
import { requireDnsLabel, withDefaults } from '../validation';
import { examples } from './registerService.examples';
import {
  applicationSetElements,
  expandPath,
  renderServiceFiles,
  renderValuesFiles,
  type ServiceSpec,
} from './serviceManifests';

/**
 * What `gitops:service:register` writes with: the module's shared writer and pull
 * request providers, and the repository used when a template names none.
 *
 * @public
 */
export interface RegisterServiceOptions extends GitopsWriteOptions {
  /** `gitops.scaffolder.gitopsRepoUrl`: used when a template gives no repoUrl. */
  defaultRepoUrl?: string;
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
  method: 'commit' as WriteMethod,
};

/**
 * `gitops:service:register`: adds a new service to the GitOps environment repository,
 * per environment a values file and either an Argo CD Application or an element of an
 * existing ApplicationSet's list generator, in one commit written by the suite's
 * GitopsRepositoryWriter (the one promotions use): pushed to the branch with
 * fetch-redo-retry, or to `gitops/register-<service>` with a pull request. The sandbox
 * and Argo CD pick the Applications up from there.
 *
 * @public
 */
export function createRegisterServiceAction(options: RegisterServiceOptions) {
  return createTemplateAction({
    id: 'gitops:service:register',
    description:
      'Adds a new service to the GitOps environment repository: values and an Argo CD Application per environment (or elements of an ApplicationSet), one commit or a pull request.',
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
        applicationSet: z =>
          z.object({
            file: z.string().describe('File of the ApplicationSet, relative to the repository, e.g. argocd/services.yaml'),
            name: z.string().optional().describe('metadata.name of the ApplicationSet, when the file holds several'),
          }).optional().describe(
            'Instead of one Application per environment, add the service to the list generator of this existing ApplicationSet',
          ),
        method: z =>
          z.enum(['commit', 'pull-request']).default(DEFAULTS.method)
            .describe('commit: push to the branch; pull-request: push to gitops/register-<service> and open a pull request (GitHub)'),
        commitMessage: z => z.string().optional().describe('Commit message; default: "Register <service> in <environments>"'),
      },
      output: {
        commitHash: z =>
          z.string().optional().describe('The pushed commit, on the pull request branch for a pull request (absent in a dry run)'),
        pullRequestUrl: z => z.string().optional().describe('The pull request (method pull-request)'),
        files: z => z.array(z.string()).describe('Files added or changed in the repository'),
      },
    },
    async handler(ctx) {
      const input = withDefaults(ctx.input, DEFAULTS) as Input;
      const spec = toSpec(input, options.defaultRepoUrl);
      const method = input.method;
      // Before anything is written: a pull request needs a provider for the repository.
      pullRequestProviderFor(options, method, spec.repoUrl);
      const files = input.applicationSet ? renderValuesFiles(spec) : renderServiceFiles(spec);
      const subject = `service '${spec.service}'`;
      const edits: RepositoryEdit[] = [addFilesEdit({ files, subject })];
      if (input.applicationSet) {
        edits.push(applicationSetEdit({ ...input.applicationSet, elements: applicationSetElements(spec) }));
      }
      const changed = [...files.map(f => f.path), ...(input.applicationSet ? [input.applicationSet.file] : [])];
      ctx.output('files', changed);
      const pullRequestBranch = `gitops/register-${spec.service}`;
      if (ctx.isDryRun) {
        for (const file of files) ctx.logger.info(`Dry run: would add ${file.path}:\n${file.content}`);
        if (input.applicationSet) {
          ctx.logger.info(
            `Dry run: would add ${spec.service} in ${spec.environments.join(', ')} to the list generator of the ApplicationSet in ${input.applicationSet.file}`,
          );
        }
        ctx.logger.info(
          method === 'pull-request'
            ? `Dry run: would push to ${pullRequestBranch} and open a pull request into ${spec.branch} of ${spec.repoUrl}`
            : `Dry run: would commit to ${spec.branch} of ${spec.repoUrl}`,
        );
        return;
      }
      let result;
      try {
        result = await writeToGitops(ctx, options, {
          repoURL: spec.repoUrl,
          branch: spec.branch,
          method,
          pullRequestBranch,
          scope: `register/${spec.service}`,
          message: input.commitMessage ?? `Register ${spec.service} in ${spec.environments.join(', ')}`,
          edit: combineEdits(...edits),
          checkpoint: `gitops-service-register-${spec.service}`,
        });
      } catch (error) {
        if (isError(error) && error.name === 'ConflictError') {
          throw new ConflictError(`${error.message} (on ${spec.branch} of ${spec.repoUrl})`);
        }
        throw error;
      }
      ctx.logger.info(
        result.pullRequestUrl
          ? `Registered ${spec.service} in ${spec.repoUrl}: commit ${result.commitHash} on ${pullRequestBranch}, pull request ${result.pullRequestUrl}`
          : `Registered ${spec.service} in ${spec.repoUrl} at ${result.commitHash}`,
      );
      ctx.output('commitHash', result.commitHash);
      if (result.pullRequestUrl) ctx.output('pullRequestUrl', result.pullRequestUrl);
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
  applicationSet?: { file: string; name?: string };
  method: WriteMethod;
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
  // Written into every Application: one token each, never YAML of its own.
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(input.project)) {
    throw new InputError(`project '${input.project}' must be an Argo CD project name: lowercase letters, digits, '-' and '.'`);
  }
  if (!/^https?:\/\/\S+$/.test(input.destinationServer)) {
    throw new InputError(
      `destinationServer '${input.destinationServer}' must be the URL of the cluster's API server, e.g. https://kubernetes.default.svc`,
    );
  }
  for (const field of ['manualPromotionIn', 'enforcePoliciesIn'] as const) {
    for (const env of input[field]) requireDnsLabel(`${field}[]`, env);
  }
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
  if (input.applicationSet) requireRelativePath('applicationSet.file', input.applicationSet.file);
  if (!['commit', 'pull-request'].includes(input.method)) {
    throw new InputError(`method '${input.method}' must be 'commit' or 'pull-request'`);
  }
  return {
    ...input,
    repoUrl,
    resources,
    replicas: replicasPerEnvironment(input.replicas, environments),
  };
}

function checkPathTemplates(input: Input, environments: string[]) {
  const seen = new Set<string>();
  // With an ApplicationSet no Application files are written.
  const fields = input.applicationSet
    ? (['valuesPathTemplate'] as const)
    : (['valuesPathTemplate', 'applicationPathTemplate'] as const);
  for (const field of fields) {
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
