import { ConflictError, InputError } from '@backstage/errors';
import { GitCommandError } from '../git/git';
import type { EditContext, RepositoryEdit } from './edits';
import { requireBranch, requireCommitSha, requireFullCommitSha, requireRelativePath } from './validation';

// Edits for environments that are branches (one branch per environment, promoted by
// merging): they change the tree through git itself, with the context the writer
// passes. Paths reach git as literal pathspecs: a `:(glob)` from a user is a file name.

/**
 * Merges `revision` of `sourceBranch` (fetched from origin; the revision must be on
 * it) into the change's branch: the writer's commit is then a merge commit (two
 * parents) carrying the change's trailer. Nothing to merge (the revision is merged
 * already, or merging changes no file) returns no files. A conflict aborts the merge
 * and throws a ConflictError naming the conflicting files, to be resolved in git.
 *
 * @public
 */
export function mergeRevisionEdit(options: { sourceBranch: string; revision: string }): RepositoryEdit {
  requireBranch('sourceBranch', options.sourceBranch);
  requireFullCommitSha('revision', options.revision);
  return async (_worktree, context) => {
    const git = requireContext(context, 'mergeRevisionEdit');
    await requireOnBranch(git, options.sourceBranch, options.revision);
    if (await isAncestor(git, options.revision, 'HEAD')) return [];
    await merge(git, options.revision, `merging ${options.revision.slice(0, 7)} from ${options.sourceBranch} into ${context!.branch}`);
    const staged = await stagedFiles(git);
    // The trees already agree (the changes came another way): no merge commit to make,
    // and no merge state left for the next change of the batch to commit by accident.
    if (!staged.length) await git(['merge', '--abort']);
    return staged;
  };
}

/**
 * Makes `paths` (directories or files, relative to the repository's root) exactly what
 * they are at `revision`: files changed since are reverted, files added since are
 * deleted, files deleted since come back. For rolling an environment's directory of an
 * environment branch back to an older commit of it. Returns the files that changed.
 *
 * @public
 */
export function restorePathEdit(options: { revision: string; paths: string[] }): RepositoryEdit {
  requireCommitSha('revision', options.revision);
  if (!options.paths?.length) throw new InputError('paths must name at least one file or directory');
  for (const file of options.paths) requireRelativePath('paths[]', file);
  return async (_worktree, context) => {
    const git = requireContext(context, 'restorePathEdit');
    await requireCommit(git, options.revision);
    const present = await pathsIn(git, [options.revision, 'HEAD'], options.paths);
    if (present.length < options.paths.length) {
      const missing = options.paths.filter(p => !present.includes(p));
      throw new InputError(`${missing.join(', ')} exist neither at ${options.revision.slice(0, 7)} nor on ${context!.branch}`);
    }
    await git(['--literal-pathspecs', 'restore', `--source=${options.revision}`, '--staged', '--worktree', '--', ...options.paths]);
    return stagedFiles(git, options.paths);
  };
}

type Git = (args: string[]) => Promise<string>;

function requireContext(context: EditContext | undefined, edit: string): Git {
  if (!context) throw new Error(`${edit} runs git: it needs the writer's edit context`);
  return context.git;
}

/** Fetches the source branch; the revision must be one of its commits (not any commit of the repository). */
async function requireOnBranch(git: Git, branch: string, revision: string) {
  try {
    await git(['fetch', '--quiet', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]);
  } catch (error) {
    if (error instanceof GitCommandError && /couldn't find remote ref/i.test(error.stderr)) {
      throw new InputError(`sourceBranch '${branch}' does not exist in the repository`);
    }
    throw error;
  }
  if (!(await isAncestor(git, revision, `refs/remotes/origin/${branch}`))) {
    throw new InputError(`revision ${revision} is not on branch ${branch}`);
  }
}

/** `merge-base --is-ancestor`: 1 is "no"; an unknown commit (128) is "no" too, since it is not on the branch. */
async function isAncestor(git: Git, commit: string, of: string): Promise<boolean> {
  try {
    await git(['merge-base', '--is-ancestor', commit, of]);
    return true;
  } catch (error) {
    if (error instanceof GitCommandError && (error.exitCode === 1 || /not a valid commit|bad object/i.test(error.stderr))) return false;
    throw error;
  }
}

/** Merges without committing (the writer commits, with the trailer); a conflict aborts and throws. */
async function merge(git: Git, revision: string, what: string) {
  try {
    await git(['merge', '--quiet', '--no-ff', '--no-commit', '--no-edit', revision]);
  } catch (error) {
    const conflicts = (await git(['diff', '--name-only', '-z', '--diff-filter=U']).catch(() => '')).split('\0').filter(Boolean);
    await git(['merge', '--abort']).catch(() => undefined);
    if (conflicts.length) throw new ConflictError(`${what} conflicts in ${conflicts.join(', ')}; resolve it in git`);
    throw error;
  }
}

/** What the index changes against HEAD (added, modified and deleted files), optionally under `paths`. */
async function stagedFiles(git: Git, paths: string[] = []): Promise<string[]> {
  const out = await git(['--literal-pathspecs', 'diff', '--cached', '--name-only', '--no-renames', '-z', '--', ...paths]);
  return out.split('\0').filter(Boolean);
}

/** The revision is a commit the clone has, fetched by id when it is not (an older commit of another branch). */
async function requireCommit(git: Git, revision: string) {
  const has = () => git(['cat-file', '-e', `${revision}^{commit}`]).then(() => true, () => false);
  if (await has()) return;
  await git(['fetch', '--quiet', 'origin', revision]).catch(() => undefined);
  if (!(await has())) throw new InputError(`revision ${revision} is not a commit of the repository`);
}

/** Which of `paths` exist in any of the commits. */
async function pathsIn(git: Git, commits: string[], paths: string[]): Promise<string[]> {
  const present = new Set<string>();
  for (const commit of commits) {
    const out = await git(['--literal-pathspecs', 'ls-tree', '--name-only', '-z', commit, '--', ...paths]);
    const listed = out.split('\0').filter(Boolean);
    for (const p of paths) {
      const prefix = p.replace(/\/+$/, '');
      if (prefix === '.' || listed.some(l => l === prefix || l.startsWith(`${prefix}/`))) present.add(p);
    }
  }
  return [...present];
}
