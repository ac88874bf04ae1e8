import crypto from 'crypto';
import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import pLimit from 'p-limit';
import { InputError, NotFoundError } from '@backstage/errors';
import { git, GitCommandError, isRejectedPush, type GitAuthor, type GitOptions } from '../git/git';
import {
  diffCommits,
  lsRemotePatterns,
  mergeTreeConflicts,
  resolveFromLsRemote,
  type ResolvedRevision,
  type RevisionDiff,
} from './branchQueries';
import type { EditContext, RepositoryEdit } from './edits';
import type { VersionReader } from './readers';
import {
  requireBranch,
  requireCommitSha,
  requireFullCommitSha,
  requireGitUrl,
  requireMessageWithoutTrailer,
  requireRelativePath,
  requireRevision,
  requireTrailer,
} from './validation';

/**
 * One commit to make in a GitOps repository.
 *
 * @public
 */
export interface RepositoryChange {
  /** The repository: https, ssh, `git@host:` or `file://` URL. */
  repoURL: string;
  /** The branch Argo CD follows; the change is made on its newest head. */
  branch: string;
  /**
   * Push to this branch (a pull request's head, created from `branch`) instead of
   * `branch` itself.
   */
  pushBranch?: string;
  /**
   * Written as a `Key: value` trailer, e.g. `Promotion-Id: p-1`. A commit carrying it
   * on `branch` (or `pushBranch`) means the change already landed: writes are idempotent.
   */
  trailer: { key: string; value: string };
  /** The commit message, without the trailer (added below it) or a line with its key. */
  message: string;
  /** Makes the change in the checked-out tree; run again on the new head after a lost push race. */
  edit: RepositoryEdit;
}

/**
 * How a {@link GitopsRepositoryWriter.write} ended.
 *
 * @public
 */
export interface WriteResult {
  /** The commit carrying the change (or the branch head, when `unchanged`). */
  sha: string;
  /** The commit was found already pushed (a retried step), not made now. */
  alreadyPushed: boolean;
  /** The edit found nothing to change: nothing committed, `sha` is the branch head. */
  unchanged: boolean;
}

/**
 * Supplies git `-c` settings that authenticate a repository URL (see ScmCredentials).
 *
 * @public
 */
export interface GitCredentialsSource {
  /** The settings for one fetch, clone or push of `repoURL`; none for a public or local repository. */
  gitConfigFor(repoURL: string): Promise<string[]>;
}

/**
 * Settings of a {@link GitopsRepositoryWriter}.
 *
 * @public
 */
export interface WriterOptions {
  /**
   * Where the writer keeps its clones, one per repository, reused across writes.
   * Default: `backstage-gitops` in the OS temp directory. Two writers must not share it.
   */
  workDir?: string;
  /** Who the commits are by. */
  author: GitAuthor;
  /** Authenticates fetches and pushes; without it only public and local repositories work. */
  credentials?: GitCredentialsSource;
  /**
   * How many times a change's push, rejected because the remote moved on, is made
   * (each time after a fetch and the edit redone on the new head). Default 20.
   */
  maxPushAttempts?: number;
  /**
   * At most this many changes waiting for one repository and branch go into one push
   * (each still its own commit); the rest wait for the next. Default 50.
   */
  maxBatchSize?: number;
}

/**
 * A commit of a repository for {@link GitopsRepositoryWriter.diff}: a branch's newest
 * head (fetched) or a commit id.
 *
 * @public
 */
export type RevisionSelector = { branch: string } | { revision: string };

/**
 * Options of {@link GitopsRepositoryWriter.history}.
 *
 * @public
 */
export interface HistoryOptions {
  /**
   * Follow only first parents: the branch's own commits and the merges into it, not
   * the commits merges brought in (an environment branch's history, not its source's).
   */
  firstParent?: boolean;
}

const DEFAULT_MAX_PUSH_ATTEMPTS = 20;
const DEFAULT_MAX_PATCH_BYTES = 65536;
const DEFAULT_MAX_BATCH_SIZE = 50;

/** A change waiting for (or in) a group commit on its repository and branch. */
interface QueuedChange {
  change: RepositoryChange;
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
  /** How many pushes carrying its commit were rejected because the remote moved on. */
  rejectedPushes: number;
}

/** The changes waiting for one repository and branch, and whether a batch is being written. */
interface BranchQueue {
  repoURL: string;
  branch: string;
  pending: QueuedChange[];
  draining: boolean;
}

/** What became of one change of a batch, up to its push. */
type Step =
  /** Its commit is the batch's `commit`-th (0-based). */
  | { entry: QueuedChange; kind: 'commit'; commit: number }
  /** Its trailer is on the batch's `commit`-th commit, made for an earlier queued copy of it. */
  | { entry: QueuedChange; kind: 'duplicate'; commit: number }
  /** Its edit changed nothing on top of the batch's first `after` commits. */
  | { entry: QueuedChange; kind: 'unchanged'; after: number };

/**
 * Writes to GitOps repositories with the real git CLI: an edit of the working tree
 * (comment-preserving YAML edits, new files), one commit with a trailer per change, and
 * a push that fetches, re-applies the edits on the new head and retries when another
 * writer pushed first.
 *
 * Changes to the same repository and branch are group-committed: while one push is in
 * flight the next changes wait, and the next batch takes all of them: one fetch, each
 * change's edit and commit on top of the one before (linear history, each change its
 * own commit and trailer), one push. A change whose edit fails fails alone; the others
 * of its batch go on. Changes to a pull request branch (`pushBranch`) are written one by
 * one. Each repository's clone is worked on by one batch or call at a time in this
 * process; across processes and replicas, the remote's compare-and-swap on push and the
 * trailer check make every change land exactly once.
 *
 * @public
 */
export class GitopsRepositoryWriter {
  private readonly locks = new Map<string, ReturnType<typeof pLimit>>();
  private readonly queues = new Map<string, BranchQueue>();
  private readonly workDir: string;

  constructor(private readonly options: WriterOptions) {
    this.workDir = options.workDir ?? path.join(os.tmpdir(), 'backstage-gitops');
  }

  /**
   * Makes the change as one commit on the newest head of its branch and pushes it,
   * redoing the edit when another writer pushed first; changes written to the same
   * branch meanwhile may share the push, each with its own commit and result. Safe to
   * repeat: a change whose trailer is already on the branch is not committed again.
   * Throws an InputError for an invalid URL, branch or trailer before git runs.
   */
  async write(change: RepositoryChange): Promise<WriteResult> {
    requireGitUrl('repoURL', change.repoURL);
    requireBranch('branch', change.branch);
    if (change.pushBranch) requireBranch('pushBranch', change.pushBranch);
    requireTrailer(change.trailer);
    requireMessageWithoutTrailer(change.message, change.trailer.key);
    if (change.pushBranch) {
      // A pull request's branch holds that one change: nothing to share a push with.
      return this.locked(change.repoURL, () => this.writeAlone(change));
    }
    return new Promise<WriteResult>((resolve, reject) =>
      this.enqueue({ change, resolve, reject, rejectedPushes: 0 }),
    );
  }

  /**
   * Whether `revision` (what Argo CD synced) contains `sha` (what was committed):
   * later commits by others must not hide that ours is deployed. Only git's own "no"
   * is false; anything else (the repository unreachable, the branch gone, a revision
   * the repository does not have) throws, since it tells nothing about the deployment.
   */
  async contains(repoURL: string, branch: string, sha: string, revision: string): Promise<boolean> {
    requireGitUrl('repoURL', repoURL);
    requireBranch('branch', branch);
    requireCommitSha('sha', sha);
    requireCommitSha('revision', revision);
    if (sha === revision) return true;
    return this.locked(repoURL, async () => {
      const dir = await this.checkout(repoURL);
      if (!(await this.fetch(dir, repoURL, branch))) {
        throw new GitCommandError(['fetch'], `branch ${branch} does not exist in ${repoURL}`);
      }
      try {
        await git(dir, ['merge-base', '--is-ancestor', sha, revision]);
        return true;
      } catch (error) {
        // Exit status 1 is the answer "not an ancestor"; 128 and others are failures.
        if (error instanceof GitCommandError && error.exitCode === 1) return false;
        throw error;
      }
    });
  }

  /**
   * The versions a file set, newest first, one entry per commit that changed it (as
   * `read` finds them): the versions an environment ran, for rollbacks.
   */
  async history(
    location: { repoURL: string; branch: string; file: string },
    read: VersionReader,
    limit = 30,
    options: HistoryOptions = {},
  ): Promise<{ value: string; revision: string; committedAt: string; message: string }[]> {
    requireGitUrl('repoURL', location.repoURL);
    requireBranch('branch', location.branch);
    requireRelativePath('file', location.file);
    return this.locked(location.repoURL, async () => {
      const dir = await this.checkout(location.repoURL);
      await this.fetch(dir, location.repoURL, location.branch);
      const log = await git(dir, [
        'log', `origin/${location.branch}`, `-n${limit}`, ...(options.firstParent ? ['--first-parent'] : []),
        '--format=%H%x1f%cI%x1f%s', '--', location.file,
      ]);
      const entries = [];
      for (const line of log.split('\n').filter(Boolean)) {
        const [revision, committedAt, message] = line.split('\x1f');
        const text = await git(dir, ['show', `${revision}:${location.file}`]).catch(() => undefined);
        const value = text === undefined ? undefined : read(text);
        if (value !== undefined) entries.push({ value, revision, committedAt, message });
      }
      return entries;
    });
  }

  /**
   * What differs between two commits, under `paths` (directories or files; the whole
   * tree when empty): each file's status and line counts, and the patch cut to
   * `maxPatchBytes` (default 64 KiB). With `mergeBase`, diffs from the merge base of
   * `from` and `to` instead: what merging `to` into `from` would carry, as
   * `git diff from...to` shows it. Branches are fetched, commits fetched when the clone lacks them; an
   * unknown one is a NotFoundError.
   */
  async diff(options: {
    repoURL: string;
    from: RevisionSelector;
    to: RevisionSelector;
    paths?: string[];
    maxPatchBytes?: number;
    mergeBase?: boolean;
  }): Promise<RevisionDiff> {
    requireGitUrl('repoURL', options.repoURL);
    for (const file of options.paths ?? []) requireRelativePath('paths[]', file);
    const maxPatchBytes = options.maxPatchBytes ?? DEFAULT_MAX_PATCH_BYTES;
    if (!Number.isInteger(maxPatchBytes) || maxPatchBytes < 0) throw new InputError(`maxPatchBytes '${maxPatchBytes}' is not a byte count`);
    return this.locked(options.repoURL, async () => {
      const dir = await this.checkout(options.repoURL);
      const to = await this.resolveSelector(dir, options.repoURL, options.to, 'to');
      let from = await this.resolveSelector(dir, options.repoURL, options.from, 'from');
      if (options.mergeBase) from = await git(dir, ['merge-base', from, to]);
      return diffCommits(args => git(dir, args), from, to, options.paths ?? [], maxPatchBytes);
    });
  }

  /**
   * The files merging `revision` (a full commit id, which must be on `sourceBranch`)
   * into the newest head of `branch` would conflict in; none when it merges cleanly or
   * is merged already. Nothing is written: git merges in memory.
   */
  async mergeConflicts(options: { repoURL: string; branch: string; revision: string; sourceBranch: string }): Promise<string[]> {
    requireGitUrl('repoURL', options.repoURL);
    requireBranch('branch', options.branch);
    requireBranch('sourceBranch', options.sourceBranch);
    requireFullCommitSha('revision', options.revision);
    return this.locked(options.repoURL, async () => {
      const dir = await this.checkout(options.repoURL);
      const target = await this.resolveSelector(dir, options.repoURL, { branch: options.branch }, 'branch');
      const source = await this.resolveSelector(dir, options.repoURL, { branch: options.sourceBranch }, 'sourceBranch');
      if (!(await this.isAncestor(dir, options.revision, source))) {
        throw new InputError(`revision ${options.revision} is not on branch ${options.sourceBranch}`);
      }
      return mergeTreeConflicts(args => git(dir, args), target, options.revision);
    });
  }

  /**
   * What a revision (an Argo CD `targetRevision`) names in the repository, asked of the
   * remote (`git ls-remote`, no clone): a branch (empty or `HEAD`: the default branch),
   * a tag (its commit's sha) or a commit. A name that is no branch or tag is a
   * NotFoundError.
   */
  async resolveRevision(options: { repoURL: string; revision: string }): Promise<ResolvedRevision> {
    requireGitUrl('repoURL', options.repoURL);
    if (options.revision !== '') requireRevision('revision', options.revision);
    await fs.mkdir(this.workDir, { recursive: true });
    const out = await git(
      this.workDir,
      ['ls-remote', '--symref', options.repoURL, ...lsRemotePatterns(options.revision)],
      await this.gitConfig(options.repoURL),
    );
    const resolved = resolveFromLsRemote(out, options.revision);
    if (!resolved) throw new NotFoundError(`revision '${options.revision}' is neither a branch nor a tag of ${options.repoURL}`);
    return resolved;
  }

  /** One call or batch at a time on a repository's clone. */
  private locked<T>(repoURL: string, fn: () => Promise<T>): Promise<T> {
    const lock = this.locks.get(repoURL) ?? pLimit(1);
    this.locks.set(repoURL, lock);
    return lock(fn);
  }

  private get maxPushAttempts() {
    return this.options.maxPushAttempts ?? DEFAULT_MAX_PUSH_ATTEMPTS;
  }

  private enqueue(entry: QueuedChange) {
    const { repoURL, branch } = entry.change;
    const key = JSON.stringify([repoURL, branch]);
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { repoURL, branch, pending: [], draining: false };
      this.queues.set(key, queue);
    }
    queue.pending.push(entry);
    if (!queue.draining) {
      queue.draining = true;
      void this.drain(key, queue);
    }
  }

  /** Writes batches of the queue until it is empty; one drain per queue at a time. */
  private async drain(key: string, queue: BranchQueue) {
    try {
      while (queue.pending.length) {
        const retryInMs = await this.locked(queue.repoURL, () => this.writeBatch(queue));
        // A lost push race: the changes are back in the queue; wait (with the lock free
        // for other calls) so the winner's push settles, then redo them with what came in.
        if (retryInMs) await new Promise(resolve => setTimeout(resolve, retryInMs));
      }
    } catch (error) {
      // writeBatch settles what it takes; should anything else fail, no change waits forever.
      for (const entry of queue.pending.splice(0)) entry.reject(error);
    }
    // No await since the check above: nothing was queued in between.
    queue.draining = false;
    this.queues.delete(key);
  }

  /**
   * One group commit: fetch, take the waiting changes, commit each on top of the one
   * before, push once. Settles every change it took or puts it back at the queue's
   * front (after a lost push race); never throws. Resolves with how long to wait before
   * the next batch (0: at once).
   */
  private async writeBatch(queue: BranchQueue): Promise<number> {
    const { repoURL, branch } = queue;
    let batch: QueuedChange[] | undefined;
    const take = () => queue.pending.splice(0, Math.max(1, this.options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE));
    const steps: Step[] = [];
    try {
      const dir = await this.checkout(repoURL);
      await this.resetToRemote(dir, repoURL, branch);
      const remoteHead = `origin/${branch}`;
      let baseSha: string | undefined;
      const base = async () => (baseSha ??= await git(dir, ['rev-parse', remoteHead]));
      // Taken after the fetch: what was queued meanwhile goes into this push too.
      batch = take();
      const landed = await this.findCommits(dir, remoteHead, batch.map(e => e.change.trailer));
      const committed = new Map<string, number>();
      let commits = 0;
      for (const entry of batch) {
        const line = trailerLine(entry.change.trailer);
        const sha = landed.get(line);
        if (sha) {
          entry.resolve({ sha, alreadyPushed: true, unchanged: false });
          continue;
        }
        const earlier = committed.get(line);
        if (earlier !== undefined) {
          // The same change queued twice (a retried step): one commit, found again.
          steps.push({ entry, kind: 'duplicate', commit: earlier });
          continue;
        }
        let files: string[];
        try {
          files = await entry.change.edit(dir, this.editContext(dir, entry.change));
          if (files.length) await this.commit(dir, entry.change, files);
        } catch (error) {
          // This change fails alone: the tree goes back to the batch's last commit.
          entry.reject(error);
          await this.discardWorktree(dir);
          continue;
        }
        if (files.length) {
          committed.set(line, commits);
          steps.push({ entry, kind: 'commit', commit: commits++ });
        } else if (commits === 0) {
          entry.resolve({ sha: await base(), alreadyPushed: false, unchanged: true });
        } else {
          // Unchanged only thanks to an unpushed commit of this batch: settled by its push.
          steps.push({ entry, kind: 'unchanged', after: commits });
        }
      }
      if (commits === 0) return 0;

      // First parents only: a merge commit of the batch brings its source's commits along.
      const made = (await git(dir, ['rev-list', '--reverse', '--first-parent', `${remoteHead}..HEAD`])).split('\n').filter(Boolean);
      if (made.length !== commits) {
        throw new Error(`expected ${commits} new commits on ${branch} of ${repoURL}, found ${made.length}`);
      }
      try {
        await git(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], await this.gitConfig(repoURL));
      } catch (error) {
        if (!isRejectedPush(error)) throw error;
        // Someone pushed first: back in the queue, to be fetched, redone on their
        // commit and pushed again, unless a change has used up its attempts.
        const retry: QueuedChange[] = [];
        for (const step of steps) {
          if (step.kind === 'commit' && ++step.entry.rejectedPushes >= this.maxPushAttempts) {
            step.entry.reject(error);
          } else {
            retry.push(step.entry);
          }
        }
        queue.pending.unshift(...retry);
        if (!retry.length) return 0;
        const attempt = Math.max(1, ...retry.map(e => e.rejectedPushes));
        return 50 * attempt + Math.random() * 100;
      }
      for (const step of steps) {
        if (step.kind === 'unchanged') {
          step.entry.resolve({ sha: made[step.after - 1], alreadyPushed: false, unchanged: true });
        } else {
          step.entry.resolve({ sha: made[step.commit], alreadyPushed: step.kind === 'duplicate', unchanged: false });
        }
      }
      return 0;
    } catch (error) {
      // git failed outside one change's edit and commit (clone, fetch, push): every
      // change of the batch not settled yet fails with it, as it would alone.
      for (const entry of batch ?? take()) entry.reject(error);
      return 0;
    }
  }

  /** A change to a pull request branch: its own fetch, commit and push. */
  private async writeAlone(change: RepositoryChange): Promise<WriteResult> {
    const dir = await this.checkout(change.repoURL);
    const target = change.pushBranch ?? change.branch;
    // Many writers (replicas, CI bumps) may race on a busy repository: keep trying,
    // with growing jittered waits, before giving up.
    const attempts = this.maxPushAttempts;
    for (let attempt = 1; ; attempt++) {
      await this.resetToRemote(dir, change.repoURL, change.branch);
      const refs = [`origin/${change.branch}`];
      if (change.pushBranch && (await this.fetch(dir, change.repoURL, change.pushBranch))) {
        refs.push(`origin/${change.pushBranch}`);
      }
      for (const ref of refs) {
        const landed = (await this.findCommits(dir, ref, [change.trailer])).get(trailerLine(change.trailer));
        if (landed) return { sha: landed, alreadyPushed: true, unchanged: false };
      }
      const files = await change.edit(dir, this.editContext(dir, change));
      if (!files.length) return { sha: await git(dir, ['rev-parse', 'HEAD']), alreadyPushed: false, unchanged: true };
      await this.commit(dir, change, files);
      try {
        await git(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${target}`], await this.gitConfig(change.repoURL));
        return { sha: await git(dir, ['rev-parse', 'HEAD']), alreadyPushed: false, unchanged: false };
      } catch (error) {
        if (!isRejectedPush(error) || attempt >= attempts) throw error;
        // Someone pushed first: fetch, redo the edit on their commit, push again.
        await new Promise(resolve => setTimeout(resolve, 50 * attempt + Math.random() * 100));
      }
    }
  }

  /** A clone per repository, reused across writes (fetches are incremental). */
  private async checkout(repoURL: string): Promise<string> {
    const dir = path.join(this.workDir, crypto.createHash('sha256').update(repoURL).digest('hex').slice(0, 16));
    try {
      await fs.access(path.join(dir, '.git'));
    } catch {
      await fs.mkdir(this.workDir, { recursive: true });
      await fs.rm(dir, { recursive: true, force: true });
      await git(this.workDir, ['clone', '--quiet', '--no-checkout', '--', repoURL, dir], await this.gitConfig(repoURL));
    }
    return dir;
  }

  /** Fetches a branch into `origin/<branch>`; false when the remote has no such branch. */
  private async fetch(dir: string, repoURL: string, branch: string): Promise<boolean> {
    try {
      await git(dir, ['fetch', '--quiet', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`], await this.gitConfig(repoURL));
      return true;
    } catch (error) {
      if (error instanceof GitCommandError && /couldn't find remote ref/i.test(error.stderr)) return false;
      throw error;
    }
  }

  /** Checks out the remote's newest head of `branch` (fetched into `origin/<branch>`). */
  private async resetToRemote(dir: string, repoURL: string, branch: string) {
    if (!(await this.fetch(dir, repoURL, branch))) {
      throw new GitCommandError(['fetch'], `branch ${branch} does not exist in ${repoURL}`);
    }
    // Anything local (an unpushed commit of a crashed attempt) is discarded: the edit
    // is re-applied on the remote head, so exactly one commit lands.
    // `--force` resets the index and tracked files and ends a merge in progress (an
    // edit's that never got committed); clean removes what is untracked.
    await git(dir, ['checkout', '--quiet', '--force', '-B', branch, `origin/${branch}`]);
    await git(dir, ['clean', '-fdq']);
  }

  /** Drops every change to the tracked and untracked files since the last commit, and any merge in progress. */
  private async discardWorktree(dir: string) {
    await git(dir, ['reset', '--quiet', '--hard', 'HEAD']);
    await git(dir, ['clean', '-fdq']);
  }

  /**
   * The newest commit on `ref` carrying each trailer, by its trailer line: one walk of
   * the history for any number of changes.
   */
  private async findCommits(
    dir: string,
    ref: string,
    trailers: Array<{ key: string; value: string }>,
  ): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (!trailers.length) return found;
    const wanted = new Set(trailers.map(trailerLine));
    const out = await git(dir, [
      'log', ref, '-z', '--format=%H%n%B',
      // Whole trailer lines: `p-1` must not match the commit of `p-10`.
      '--extended-regexp', ...[...wanted].map(line => `--grep=^${escapeRegExp(line)}$`),
      '--',
    ]);
    // Newest first: the first commit found for a line is the one.
    for (const record of out.split('\0')) {
      const [sha, ...lines] = record.split('\n');
      for (const line of lines) {
        if (wanted.has(line) && !found.has(line)) found.set(line, sha.trim());
      }
    }
    return found;
  }

  /** Commits exactly `files` (as the edit left them) with the change's message and trailer. */
  private async commit(dir: string, change: RepositoryChange, files: string[]) {
    const args = ['commit', '--quiet', '-m', `${change.message}\n\n${trailerLine(change.trailer)}`];
    // No `maintenance run --auto` after each commit (a process each): fetches run it.
    const options: GitOptions = { author: this.options.author, config: ['maintenance.auto=false'] };
    if (await this.merging(dir)) {
      // A merge edit staged the merge's result: git refuses a commit of some paths
      // during a merge, and the whole index is the edit's (the tree was clean before).
      await git(dir, args, options);
      return;
    }
    try {
      // Files git tracks: staged and committed in one process (`--only` their paths).
      await git(dir, [...args, '--', ...files], options);
    } catch (error) {
      if (!(error instanceof GitCommandError && /did not match any file\(s\) known to git/.test(error.stderr))) throw error;
      // A new file: git must add it first.
      await git(dir, ['add', '--', ...files]);
      await git(dir, args, options);
    }
  }

  /** Whether an edit left a merge to commit (MERGE_HEAD is set): its commit gets two parents. */
  private async merging(dir: string): Promise<boolean> {
    return git(dir, ['rev-parse', '--quiet', '--verify', 'MERGE_HEAD']).then(() => true, () => false);
  }

  /** What an edit may use of the writer: git in the clone, authenticated, as the writer's author. */
  private editContext(dir: string, change: RepositoryChange): EditContext {
    return {
      branch: change.branch,
      git: async args => {
        const { config = [] } = await this.gitConfig(change.repoURL);
        return git(dir, args, { author: this.options.author, config: [...config, 'maintenance.auto=false'] });
      },
    };
  }

  /**
   * The full id of a branch's newest head (fetched) or of a commit (fetched by id, then
   * with every branch, when the clone lacks it); a NotFoundError when there is none.
   */
  private async resolveSelector(dir: string, repoURL: string, selector: RevisionSelector, field: string): Promise<string> {
    if ('branch' in selector) {
      requireBranch(`${field}.branch`, selector.branch);
      if (!(await this.fetch(dir, repoURL, selector.branch))) {
        throw new NotFoundError(`branch ${selector.branch} does not exist in ${repoURL}`);
      }
      return git(dir, ['rev-parse', `refs/remotes/origin/${selector.branch}`]);
    }
    requireCommitSha(`${field}.revision`, selector.revision);
    const has = () => git(dir, ['rev-parse', '--quiet', '--verify', `${selector.revision}^{commit}`]).catch(() => undefined);
    let sha = await has();
    if (!sha) {
      const config = await this.gitConfig(repoURL);
      await git(dir, ['fetch', '--quiet', 'origin', selector.revision], config).catch(() =>
        git(dir, ['fetch', '--quiet', 'origin', '+refs/heads/*:refs/remotes/origin/*'], config),
      );
      sha = await has();
    }
    if (!sha) throw new NotFoundError(`revision ${selector.revision} is not a commit of ${repoURL}`);
    return sha;
  }

  /** `merge-base --is-ancestor`, its status 1 being "no". */
  private async isAncestor(dir: string, commit: string, of: string): Promise<boolean> {
    try {
      await git(dir, ['merge-base', '--is-ancestor', commit, of]);
      return true;
    } catch (error) {
      if (error instanceof GitCommandError && (error.exitCode === 1 || /not a valid commit|bad object/i.test(error.stderr))) return false;
      throw error;
    }
  }

  /** git options that authenticate the remote for fetches and pushes. */
  private async gitConfig(repoURL: string): Promise<GitOptions> {
    return { config: (await this.options.credentials?.gitConfigFor(repoURL)) ?? [] };
  }
}

/** The line a change's commit carries, and is found again by. */
function trailerLine(trailer: { key: string; value: string }) {
  return `${trailer.key}: ${trailer.value}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
