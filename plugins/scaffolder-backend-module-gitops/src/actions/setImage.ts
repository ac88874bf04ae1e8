import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { setYamlValue } from '@gitops-suite/backstage-plugin-gitops-node';
import {
  requireBranch,
  requireGitUrl,
  requireImageTag,
  requireKeyPath,
  requireRelativePath,
  setValueEdit,
  type RepositoryEdit,
} from '@gitops-suite/backstage-plugin-gitops-node';
import fs from 'fs/promises';
import { parse } from 'yaml';
import {
  pullRequestProviderFor,
  writeToGitops,
  type GitopsWriteOptions,
  type WriteMethod,
} from '../gitops/writeToGitops';
import { requireDnsLabel, withDefaults } from '../validation';
import { examples } from './setImage.examples';
import { expandPath } from './serviceManifests';

/**
 * What `gitops:image:set` writes with: the module's shared writer and pull request
 * providers, and the repository used when a template names none.
 *
 * @public
 */
export interface SetImageOptions extends GitopsWriteOptions {
  /** `gitops.scaffolder.gitopsRepoUrl`: used when a template gives no repoUrl. */
  defaultRepoUrl?: string;
}

const IMAGE_REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+|-+[a-z0-9]+)*)+$/;

/** Applied to the schema and, since the scaffolder does not, in the handler. */
const DEFAULTS = {
  branch: 'main',
  valuesPathTemplate: 'apps/{service}/{environment}/values.yaml',
  key: 'image.tag',
  method: 'commit' as WriteMethod,
};

/**
 * `gitops:image:set`: sets the image tag of a service in one environment of the GitOps
 * repository (what CI calls after a green build to deploy to dev), with the writer
 * promotions use: a one-value edit of the environment's Helm values that keeps comments
 * and layout, one commit with a `Backstage-Task-Id` trailer (a retried task finds it),
 * pushed with fetch-redo-retry or opened as a pull request. A file that already holds
 * the tag is left alone.
 *
 * @public
 */
export function createSetImageAction(options: SetImageOptions) {
  return createTemplateAction({
    id: 'gitops:image:set',
    description:
      'Sets the image tag of a service in one environment of the GitOps repository (Helm values, comments kept): one commit or a pull request.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        service: z => z.string().describe('Service name (a DNS label), e.g. payments-api'),
        environment: z => z.string().describe('Environment (a DNS label), e.g. dev'),
        tag: z => z.string().describe('The image tag to deploy, e.g. 1.4.2 or a commit SHA'),
        repository: z =>
          z.string().optional().describe('Also set image.repository, e.g. ghcr.io/acme/payments-api'),
        repoUrl: z =>
          z.string().optional().describe('GitOps repository (https, ssh or file://); default: gitops.scaffolder.gitopsRepoUrl'),
        branch: z => z.string().default(DEFAULTS.branch).describe('Branch Argo CD follows'),
        valuesPathTemplate: z =>
          z.string().default(DEFAULTS.valuesPathTemplate).describe('Where the values files are, with {service} and {environment}'),
        key: z => z.string().default(DEFAULTS.key).describe('The values key holding the tag'),
        method: z =>
          z.enum(['commit', 'pull-request']).default(DEFAULTS.method)
            .describe('commit: push to the branch; pull-request: push to gitops/image-<service>-<environment>-<tag> and open a pull request (GitHub)'),
        commitMessage: z =>
          z.string().optional().describe('Commit message; default: "Deploy <service> <tag> to <environment>"'),
      },
      output: {
        valuesPath: z => z.string().describe('The values file, relative to the repository'),
        previousTag: z => z.string().optional().describe('The tag the file held before, if known'),
        commitHash: z =>
          z.string().optional().describe('The pushed commit, or the head when the file already held the tag (absent in a dry run)'),
        pullRequestUrl: z => z.string().optional().describe('The pull request (method pull-request)'),
      },
    },
    async handler(ctx) {
      const input = withDefaults(ctx.input, DEFAULTS) as Input;
      const { service, environment, tag, repository, method } = input;
      const repoUrl = input.repoUrl || options.defaultRepoUrl;
      if (!repoUrl) {
        throw new InputError('repoUrl is required when gitops.scaffolder.gitopsRepoUrl is not configured');
      }
      // Every input is checked before git runs: bad input changes nothing.
      requireGitUrl('repoUrl', repoUrl);
      requireBranch('branch', input.branch);
      requireDnsLabel('service', service);
      requireDnsLabel('environment', environment);
      requireImageTag('tag', tag);
      requireKeyPath('key', input.key);
      if (repository !== undefined && !IMAGE_REPOSITORY.test(repository)) {
        throw new InputError(`repository '${repository}' must be a lowercase image repository, e.g. ghcr.io/acme/${service}`);
      }
      if (!input.valuesPathTemplate.includes('{service}') || !input.valuesPathTemplate.includes('{environment}')) {
        throw new InputError(`valuesPathTemplate '${input.valuesPathTemplate}' must contain {service} and {environment}`);
      }
      if (!['commit', 'pull-request'].includes(method)) {
        throw new InputError(`method '${method}' must be 'commit' or 'pull-request'`);
      }
      const valuesPath = expandPath(input.valuesPathTemplate, service, environment);
      requireRelativePath('valuesPathTemplate', valuesPath);
      pullRequestProviderFor(options, method, repoUrl);
      const pullRequestBranch = `gitops/image-${service}-${environment}-${tag}`;
      if (method === 'pull-request') requireBranch('tag (in the pull request branch)', pullRequestBranch);
      ctx.output('valuesPath', valuesPath);

      const where = `${input.key} of ${valuesPath} in ${repoUrl}`;
      if (ctx.isDryRun) {
        ctx.logger.info(
          method === 'pull-request'
            ? `Dry run: would set ${where} to ${tag} on ${pullRequestBranch} and open a pull request into ${input.branch}`
            : `Dry run: would set ${where} to ${tag} and commit to ${input.branch}`,
        );
        return;
      }

      let previousTag: string | null = null;
      const setTag = setValueEdit({ file: valuesPath, key: input.key, value: tag });
      const edit: RepositoryEdit = async worktree => {
        // Read on every attempt: a push that lost a race re-applies the edit on a newer head.
        previousTag = await readValue(worktree, valuesPath, input.key);
        const files = await setTag(worktree);
        return repository ? [...new Set([...files, ...(await setRepository(worktree, valuesPath, repository))])] : files;
      };
      const result = await writeToGitops(
        ctx,
        options,
        {
          repoURL: repoUrl,
          branch: input.branch,
          method,
          pullRequestBranch,
          // trailer values take no '_': the scope only has to tell this step's changes apart
          scope: `image/${service}/${environment}/${tag.replace(/_/g, '-')}`,
          message: input.commitMessage ?? `Deploy ${service} ${tag} to ${environment}`,
          edit,
          checkpoint: `gitops-image-set-${service}-${environment}-${tag}`,
        },
        () => ({ previousTag }),
      );
      if (result.unchanged) {
        ctx.logger.info(`${where} already is ${tag}; nothing to commit`);
      } else if (result.pullRequestUrl) {
        ctx.logger.info(`Set ${where} to ${tag} on ${pullRequestBranch}: ${result.pullRequestUrl}`);
      } else {
        ctx.logger.info(`Set ${where} to ${tag} at ${result.commitHash}`);
      }
      const previous = result.extra.previousTag;
      if (previous !== null && previous !== undefined) ctx.output('previousTag', previous);
      ctx.output('commitHash', result.commitHash);
      if (result.pullRequestUrl) ctx.output('pullRequestUrl', result.pullRequestUrl);
    },
  });
}

/** The input once the defaults are applied. */
interface Input {
  service: string;
  environment: string;
  tag: string;
  repository?: string;
  repoUrl?: string;
  branch: string;
  valuesPathTemplate: string;
  key: string;
  method: WriteMethod;
  commitMessage?: string;
}

/** The value at `key` (dot path) of a YAML file, as a string; null when absent or unreadable. */
async function readValue(worktree: string, file: string, key: string): Promise<string | null> {
  try {
    let node: unknown = parse(await fs.readFile(resolveSafeChildPath(worktree, file), 'utf8'));
    for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
    return node === undefined || node === null || typeof node === 'object' ? null : String(node);
  } catch {
    return null;
  }
}

async function setRepository(worktree: string, file: string, repository: string): Promise<string[]> {
  const target = resolveSafeChildPath(worktree, file);
  const text = await fs.readFile(target, 'utf8');
  let edit;
  try {
    edit = setYamlValue(text, ['image', 'repository'], repository);
  } catch (error) {
    throw new InputError(`${file}: ${(error as Error).message}`);
  }
  if (!edit.changed) return [];
  await fs.writeFile(target, edit.text);
  return [file];
}
