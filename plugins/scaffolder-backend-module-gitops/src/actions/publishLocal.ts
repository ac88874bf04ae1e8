import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import { pathToFileURL } from 'url';
import { git, requireBranch, type GitAuthor } from '@gitops-suite/backstage-plugin-gitops-node';
import { localRepoUrl, REPO_NAME } from '../localRepos/urls';
import { withDefaults } from '../validation';
import { examples } from './publishLocal.examples';

/**
 * Where `gitops:publish:local` creates repositories and who makes their first commit.
 *
 * @public
 */
export interface PublishLocalOptions {
  /** Absolute directory that holds the published bare repositories. */
  baseDir: string;
  /** The initial commit's author, unless the template sets `gitAuthorName`/`gitAuthorEmail`. */
  author: GitAuthor;
}


const DEFAULTS = { defaultBranch: 'main', gitCommitMessage: 'Initial commit' };

/**
 * `gitops:publish:local`: publishes the workspace (or a sub-folder) as a new bare git
 * repository on this machine, the embedded default of the golden paths where
 * `publish:github` is the production path. Nothing is served: `remoteUrl` is a file://
 * URL that git, the sandbox and the GitOps backend can clone, and `repoContentsUrl` is an
 * `https://gitops.local/<name>/blob/<branch>` URL that `gitopsLocalReposUrlReaderModule`
 * reads for the catalog (`catalog:register`), TechDocs and the `fetch:*` actions.
 *
 * @public
 */
export function createPublishLocalAction(options: PublishLocalOptions) {
  return createTemplateAction({
    id: 'gitops:publish:local',
    description:
      'Publishes the workspace (or a sub-folder) as a new local bare git repository, one commit on the default branch.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoName: z =>
          z.string().describe('Name of the new repository; `.git` is appended (e.g. payments-api)'),
        sourcePath: z =>
          z.string().optional().describe('Sub-folder of the workspace to publish; default: all of it'),
        defaultBranch: z =>
          z.string().default(DEFAULTS.defaultBranch).describe('Branch of the initial commit'),
        gitCommitMessage: z =>
          z.string().default(DEFAULTS.gitCommitMessage).describe('Message of the initial commit'),
        gitAuthorName: z =>
          z.string().optional().describe('Author of the commit; default: gitops.git.authorName'),
        gitAuthorEmail: z =>
          z.string().optional().describe('Author e-mail; default: gitops.git.authorEmail'),
      },
      output: {
        remoteUrl: z => z.string().describe('file:// URL of the bare repository, for git clone'),
        repoContentsUrl: z =>
          z
            .string()
            .describe(
              'URL of the default branch contents, `https://gitops.local/<repoName>/blob/<branch>`, read by gitopsLocalReposUrlReaderModule',
            ),
        commitHash: z =>
          z.string().optional().describe('The initial commit (absent in a dry run)'),
      },
    },
    async handler(ctx) {
      const input = withDefaults(ctx.input, DEFAULTS);
      const { repoName, sourcePath, defaultBranch, gitCommitMessage } = input;
      const repoDir = resolveRepoDir(options.baseDir, repoName);
      requireBranch('defaultBranch', defaultBranch);
      const sourceDir = await resolveSourceDir(ctx.workspacePath, sourcePath);
      const author = {
        name: input.gitAuthorName ?? options.author.name,
        email: input.gitAuthorEmail ?? options.author.email,
      };
      // One line each: git writes them into the commit's header.
      if ([...author.name].some(c => c < ' ' || c === '\x7f' || c === '<' || c === '>')) {
        throw new InputError(`gitAuthorName '${author.name}' may not hold control characters, '<' or '>'`);
      }
      if (!/^[^\s<>@]+@[^\s<>@]+$/.test(author.email)) {
        throw new InputError(`gitAuthorEmail '${author.email}' must be an e-mail address`);
      }
      const remoteUrl = pathToFileURL(repoDir).href;
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('repoContentsUrl', localRepoUrl(repoName, defaultBranch));

      if (ctx.isDryRun) {
        await assertAbsent(repoDir, repoName);
        ctx.logger.info(`Dry run: would publish ${sourcePath ?? 'the workspace'} to ${remoteUrl}`);
        return;
      }
      // The existence check runs inside the checkpoint: a retried task replays the
      // recorded hash instead of tripping over the repository it created itself.
      const commitHash = await ctx.checkpoint({
        key: `gitops-publish-local-${repoName}`,
        fn: () => publish({ baseDir: options.baseDir, repoDir, repoName, sourceDir, defaultBranch, message: gitCommitMessage, author }),
      });
      ctx.logger.info(`Published ${remoteUrl} at ${commitHash}`);
      ctx.output('commitHash', commitHash);
    },
  });
}

function resolveRepoDir(baseDir: string, repoName: string): string {
  if (/[\\/]/.test(repoName) || repoName.includes('..')) {
    throw new InputError(`repoName '${repoName}' must be a plain name: no '/', '\\' or '..'`);
  }
  if (repoName.length > 100 || !REPO_NAME.test(repoName) || repoName.endsWith('.git')) {
    throw new InputError(
      `repoName '${repoName}' must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (without .git, at most 100)`,
    );
  }
  return resolveSafeChildPath(baseDir, `${repoName}.git`);
}

async function resolveSourceDir(workspacePath: string, sourcePath?: string) {
  let dir = workspacePath;
  try {
    // resolveSafeChildPath, not getRepoSourceDirectory: that one silently drops a
    // leading '../' where a mistyped path deserves an error.
    if (sourcePath) dir = resolveSafeChildPath(workspacePath, sourcePath);
  } catch {
    throw new InputError(`sourcePath '${sourcePath}' must be inside the workspace`);
  }
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new InputError(`sourcePath '${sourcePath}' is not a folder of the workspace`);
  }
  return dir;
}

async function assertAbsent(repoDir: string, repoName: string) {
  if (await fs.stat(repoDir).catch(() => undefined)) {
    throw new ConflictError(`repoName '${repoName}': a repository already exists at ${repoDir}`);
  }
}

interface PublishRequest {
  baseDir: string;
  repoDir: string;
  repoName: string;
  sourceDir: string;
  defaultBranch: string;
  message: string;
  author: GitAuthor;
}

/**
 * Commits the source into a scratch git dir (the workspace gets no `.git`), pushes it
 * into a bare repository built under a temporary name, then renames that into place:
 * the rename is atomic, so a crash never leaves a half-made repository under the name.
 */
async function publish(req: PublishRequest): Promise<string> {
  await fs.mkdir(req.baseDir, { recursive: true });
  await assertAbsent(req.repoDir, req.repoName);
  const staging = await fs.mkdtemp(path.join(req.baseDir, `.${req.repoName}-`));
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-publish-'));
  try {
    await git(staging, ['init', '--quiet', '--bare', `--initial-branch=${req.defaultBranch}`]);
    const repo = ['--git-dir', scratch, '--work-tree', req.sourceDir];
    await git(req.sourceDir, ['init', '--quiet', '--bare', scratch]);
    await git(req.sourceDir, [...repo, 'config', 'core.bare', 'false']);
    await git(req.sourceDir, [...repo, 'add', '--all']);
    await git(
      req.sourceDir,
      [...repo, 'commit', '--quiet', '--allow-empty', '-m', req.message],
      { author: req.author },
    );
    await git(req.sourceDir, [...repo, 'push', '--quiet', staging, `HEAD:refs/heads/${req.defaultBranch}`]);
    const commitHash = await git(req.sourceDir, [...repo, 'rev-parse', 'HEAD']);
    await fs.rename(staging, req.repoDir).catch(error => {
      if (['EEXIST', 'ENOTEMPTY', 'EPERM'].includes(error.code)) {
        throw new ConflictError(`repoName '${req.repoName}': a repository already exists at ${req.repoDir}`);
      }
      throw error;
    });
    return commitHash;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
