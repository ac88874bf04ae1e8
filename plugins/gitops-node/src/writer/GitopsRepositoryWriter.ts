import crypto from 'crypto';
import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import pLimit from 'p-limit';
import { git, GitCommandError, isRejectedPush, type GitAuthor, type GitOptions } from '../git/git';
import type { RepositoryEdit } from './edits';
import type { VersionReader } from './readers';
import {
  requireBranch,
  requireCommitSha,
  requireGitUrl,
  requireMessageWithoutTrailer,
  requireRelativePath,
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
  /** How many times a push rejected because the remote moved on is redone. Default 20. */
  maxPushAttempts?: number;
}

/**
 * Writes to GitOps repositories with the real git CLI: an edit of the working tree
 * (comment-preserving YAML edits, new files), one commit with a trailer, and a push
 * that fetches, re-applies the edit on the new head and retries when another writer
 * pushed first. Each repository is worked on by one write at a time in this process;
 * across processes and replicas, the remote's compare-and-swap on push and the
 * trailer check make every change land exactly once.
 *
 * @public
 */
export class GitopsRepositoryWriter {
  private readonly locks = new Map<string, ReturnType<typeof pLimit>>();
  private readonly workDir: string;

  constructor(private readonly options: WriterOptions) {
    this.workDir = options.workDir ?? path.join(os.tmpdir(), 'backstage-gitops');
  }

  /**
   * Makes the change as one commit on the newest head of its branch and pushes it,
   * redoing the edit when another writer pushed first. Safe to repeat: a change whose
   * trailer is already on the branch is not committed again. Throws an InputError for
   * an invalid URL, branch or trailer before git runs.
   */
  async write(change: RepositoryChange): Promise<WriteResult> {
    requireGitUrl('repoURL', change.repoURL);
    requireBranch('branch', change.branch);
    if (change.pushBranch) requireBranch('pushBranch', change.pushBranch);
    requireTrailer(change.trailer);
    requireMessageWithoutTrailer(change.message, change.trailer.key);
    return this.locked(change.repoURL, () => this.writeLocked(change));
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
  ): Promise<{ value: string; revision: string; committedAt: string; message: string }[]> {
    requireGitUrl('repoURL', location.repoURL);
    requireBranch('branch', location.branch);
    requireRelativePath('file', location.file);
    return this.locked(location.repoURL, async () => {
      const dir = await this.checkout(location.repoURL);
      await this.fetch(dir, location.repoURL, location.branch);
      const log = await git(dir, [
        'log', `origin/${location.branch}`, `-n${limit}`, '--format=%H%x1f%cI%x1f%s', '--', location.file,
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

  private locked<T>(repoURL: string, fn: () => Promise<T>): Promise<T> {
    const lock = this.locks.get(repoURL) ?? pLimit(1);
    this.locks.set(repoURL, lock);
    return lock(fn);
  }

  private async writeLocked(change: RepositoryChange): Promise<WriteResult> {
    const dir = await this.checkout(change.repoURL);
    const target = change.pushBranch ?? change.branch;
    // Many writers (replicas, CI bumps) may race on a busy repository: keep trying,
    // with growing jittered waits, before giving up.
    const attempts = this.options.maxPushAttempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      await this.resetToRemote(dir, change);
      const landed = await this.findCommit(dir, change);
      if (landed) return { sha: landed, alreadyPushed: true, unchanged: false };
      const files = await change.edit(dir);
      if (!files.length) {
        return { sha: await git(dir, ['rev-parse', 'HEAD']), alreadyPushed: false, unchanged: true };
      }
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

  private async resetToRemote(dir: string, change: RepositoryChange) {
    if (!(await this.fetch(dir, change.repoURL, change.branch))) {
      throw new GitCommandError(['fetch'], `branch ${change.branch} does not exist in ${change.repoURL}`);
    }
    // Anything local (an unpushed commit of a crashed attempt) is discarded: the edit
    // is re-applied on the remote head, so exactly one commit lands.
    await git(dir, ['checkout', '--quiet', '--force', '-B', change.branch, `origin/${change.branch}`]);
    await git(dir, ['reset', '--quiet', '--hard', `origin/${change.branch}`]);
    await git(dir, ['clean', '-fdq']);
  }

  /** The commit carrying the change's trailer on its branch or its push branch. */
  private async findCommit(dir: string, change: RepositoryChange) {
    const refs = [`origin/${change.branch}`];
    if (change.pushBranch && (await this.fetch(dir, change.repoURL, change.pushBranch))) {
      refs.push(`origin/${change.pushBranch}`);
    }
    for (const ref of refs) {
      const sha = await git(dir, [
        'log', ref, '-n', '1', '--format=%H',
        // A whole trailer line: `p-1` must not match the commit of `p-10`.
        '--extended-regexp', `--grep=^${escapeRegExp(change.trailer.key)}: ${escapeRegExp(change.trailer.value)}$`,
      ]);
      if (sha) return sha;
    }
    return undefined;
  }

  private async commit(dir: string, change: RepositoryChange, files: string[]) {
    await git(dir, ['add', '--', ...files]);
    await git(
      dir,
      ['commit', '--quiet', '-m', `${change.message}\n\n${change.trailer.key}: ${change.trailer.value}`],
      { author: this.options.author },
    );
  }

  /** git options that authenticate the remote for fetches and pushes. */
  private async gitConfig(repoURL: string): Promise<GitOptions> {
    return { config: (await this.options.credentials?.gitConfigFor(repoURL)) ?? [] };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
