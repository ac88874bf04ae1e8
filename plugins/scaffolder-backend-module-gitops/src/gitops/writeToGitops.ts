import { InputError } from '@backstage/errors';
import type {
  GitopsRepositoryWriter,
  PullRequestProvider,
  RepositoryEdit,
} from '@gitops-suite/backstage-plugin-gitops-node';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';

/**
 * How a change reaches the branch Argo CD follows: pushed to it, or pushed to a new
 * branch with a pull request into it.
 *
 * @public
 */
export type WriteMethod = 'commit' | 'pull-request';

/**
 * What the actions that write to a GitOps repository share: the module builds it once
 * from `gitops.git` and `integrations`.
 *
 * @public
 */
export interface GitopsWriteOptions {
  /** The suite's writer (`@gitops-suite/backstage-plugin-gitops-node`), as promotions use it. */
  writer: Pick<GitopsRepositoryWriter, 'write'>;
  /** Opens pull requests for `method: pull-request`; the first that supports the repository. */
  pullRequests?: PullRequestProvider[];
}

export interface GitopsChange {
  repoURL: string;
  branch: string;
  method: WriteMethod;
  /** The pull request's head branch (`method: pull-request` only). */
  pullRequestBranch: string;
  /**
   * Names the change within its task, e.g. `register/payments-api`: the commit's trailer
   * is `Backstage-Task-Id: <task id>/<scope>`, so a retried step finds its own commit and
   * two steps of one task never take each other's.
   */
  scope: string;
  /** First line: the commit subject and pull request title. */
  message: string;
  edit: RepositoryEdit;
  /** The checkpoint key's stem: a retried task does not repeat the write or the pull request. */
  checkpoint: string;
}

/** What an edit learnt, kept in the write's checkpoint (JSON). */
export type WriteExtra = { [key: string]: string | null };

export interface GitopsWriteResult {
  /** The pushed commit (on the pull request's branch for a pull request), or the head when unchanged. */
  commitHash: string;
  /** The edit found nothing to change: nothing was committed, no pull request opened. */
  unchanged: boolean;
  pullRequestUrl?: string;
}

/** The provider that opens pull requests on `repoURL`; a clear error when none can. */
export function pullRequestProviderFor(
  options: GitopsWriteOptions,
  method: WriteMethod,
  repoURL: string,
): PullRequestProvider | undefined {
  if (method !== 'pull-request') return undefined;
  const provider = options.pullRequests?.find(p => p.supports(repoURL));
  if (!provider) {
    throw new InputError(
      `method 'pull-request' needs a GitHub integration (integrations.github) covering ${repoURL}; use method 'commit' for other repositories`,
    );
  }
  return provider;
}

/** The trailer that makes a step's write idempotent. */
export function taskTrailer(taskId: string, scope: string) {
  return { key: 'Backstage-Task-Id', value: `${taskId}/${scope}` };
}

/**
 * Writes one change with the suite's writer, as a commit on `branch` or on a pull
 * request's branch followed by the pull request, each inside `ctx.checkpoint` so a
 * retried task neither commits nor opens twice. `extra` runs after the write, inside
 * the same checkpoint, to keep what the edit learnt (a previous tag).
 */
export async function writeToGitops<T extends WriteExtra = WriteExtra>(
  ctx: Pick<ActionContext<any, any>, 'checkpoint' | 'task' | 'logger'>,
  options: GitopsWriteOptions,
  change: GitopsChange,
  extra: () => T = () => ({}) as T,
): Promise<GitopsWriteResult & { extra: T }> {
  const provider = pullRequestProviderFor(options, change.method, change.repoURL);
  const trailer = taskTrailer(ctx.task.id, change.scope);
  const written = await ctx.checkpoint({
    key: `${change.checkpoint}-write`,
    fn: async () => {
      const result = await options.writer.write({
        repoURL: change.repoURL,
        branch: change.branch,
        pushBranch: provider ? change.pullRequestBranch : undefined,
        trailer,
        message: change.message,
        edit: change.edit,
      });
      return { sha: result.sha, unchanged: result.unchanged, alreadyPushed: result.alreadyPushed, extra: extra() };
    },
  });
  if (written.alreadyPushed) {
    ctx.logger.info(`Found commit ${written.sha.slice(0, 7)} already pushed by an earlier attempt of this task`);
  }
  const result = { commitHash: written.sha, unchanged: written.unchanged, extra: written.extra as T };
  if (!provider || written.unchanged) return result;
  const [title, ...body] = change.message.split('\n');
  const pullRequestUrl = await ctx.checkpoint({
    key: `${change.checkpoint}-pull-request`,
    fn: async () => {
      const pr = await provider.open({
        repoURL: change.repoURL,
        base: change.branch,
        head: change.pullRequestBranch,
        title,
        body: [...body, '', `${trailer.key}: ${trailer.value}`].join('\n').trim(),
      });
      if (pr.state !== 'open') {
        ctx.logger.warn(`Pull request #${pr.number} from ${change.pullRequestBranch} is already ${pr.state}: ${pr.url}`);
      }
      return pr.url;
    },
  });
  ctx.logger.info(`Pull request from ${change.pullRequestBranch} into ${change.branch}: ${pullRequestUrl}`);
  return { ...result, pullRequestUrl };
}

/** Runs edits one after the other on the same working tree; the files of all of them. */
export function combineEdits(...edits: RepositoryEdit[]): RepositoryEdit {
  return async worktree => {
    const files: string[] = [];
    for (const edit of edits) files.push(...(await edit(worktree)));
    return [...new Set(files)];
  };
}
