import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import crypto from 'crypto';
import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import pLimit from 'p-limit';
import { setYamlValue } from '@internal/backstage-plugin-gitops-common';
import { parseDocument } from 'yaml';
import { git, GitCommandError } from './git';

/** What to change, where, and for which promotion. */
export interface ValueChange {
  repoURL: string;
  branch: string;
  /** File relative to the repository root. */
  file: string;
  /** Dotted YAML key, e.g. `image.tag`. */
  key: string;
  value: string;
  /** Written as a `Promotion-Id:` trailer: a commit carrying it means the change landed. */
  promotionId: string;
  message: string;
}

export interface WriteResult {
  sha: string;
  /** The commit was found already pushed (a retried step), not made now. */
  alreadyPushed: boolean;
  /** The file already held the value: nothing to commit. */
  unchanged: boolean;
}

export interface WriterOptions {
  workDir?: string;
  author: { name: string; email: string };
  /** git `-c` settings for a repository URL, e.g. an `http.extraHeader` with a token. */
  credentialsFor?(repoURL: string): string[];
  maxPushAttempts?: number;
}

/**
 * Writes promotions to GitOps repositories with the real git CLI: a comment-preserving
 * YAML edit (yaml's Document API), one commit with a `Promotion-Id` trailer, and a push
 * that fetches, re-applies the edit on the new head and retries when another writer
 * pushed first. Each repository is worked on by one writer at a time in this process.
 */
export class GitopsRepositoryWriter {
  private readonly locks = new Map<string, ReturnType<typeof pLimit>>();
  private readonly workDir: string;

  constructor(private readonly options: WriterOptions) {
    this.workDir = options.workDir ?? path.join(os.tmpdir(), 'backstage-gitops');
  }

  async write(change: ValueChange): Promise<WriteResult> {
    validateChange(change);
    const lock = this.locks.get(change.repoURL) ?? pLimit(1);
    this.locks.set(change.repoURL, lock);
    return lock(() => this.writeLocked(change));
  }

  /**
   * Whether `revision` (what Argo CD synced) contains `sha` (what we committed):
   * later commits by others must not hide that ours is deployed.
   */
  async contains(repoURL: string, branch: string, sha: string, revision: string): Promise<boolean> {
    if (sha === revision) return true;
    const change = { repoURL, branch } as ValueChange;
    const lock = this.locks.get(repoURL) ?? pLimit(1);
    this.locks.set(repoURL, lock);
    return lock(async () => {
      const dir = await this.checkout(change);
      await git(dir, ['fetch', '--quiet', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`], this.credentials(change));
      try {
        await git(dir, ['merge-base', '--is-ancestor', sha, revision]);
        return true;
      } catch {
        return false;
      }
    });
  }

  /**
   * The values a key held in a file, newest first, one entry per commit that changed
   * the file: the versions an environment ran, for rollbacks.
   */
  async history(
    location: { repoURL: string; branch: string; file: string; key: string },
    limit = 30,
  ): Promise<{ value: string; revision: string; committedAt: string; message: string }[]> {
    const change = { ...location } as ValueChange;
    validateLocation(change);
    const lock = this.locks.get(location.repoURL) ?? pLimit(1);
    this.locks.set(location.repoURL, lock);
    return lock(async () => {
      const dir = await this.checkout(change);
      await this.resetToRemote(dir, change);
      const log = await git(dir, [
        'log', `origin/${location.branch}`, `-n${limit}`, '--format=%H%x1f%cI%x1f%s', '--', location.file,
      ]);
      const entries = [];
      for (const line of log.split('\n').filter(Boolean)) {
        const [revision, committedAt, message] = line.split('\x1f');
        const text = await git(dir, ['show', `${revision}:${location.file}`]).catch(() => undefined);
        const value = text === undefined ? undefined : readYamlValue(text, location.key.split('.'));
        if (value !== undefined) entries.push({ value, revision, committedAt, message });
      }
      return entries;
    });
  }

  private async writeLocked(change: ValueChange): Promise<WriteResult> {
    const dir = await this.checkout(change);
    // Many writers (replicas, CI bumps) may race on a busy repository: keep trying,
    // with growing jittered waits, before giving up.
    const attempts = this.options.maxPushAttempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      await this.resetToRemote(dir, change);
      const landed = await this.findPromotionCommit(dir, change);
      if (landed) return { sha: landed, alreadyPushed: true, unchanged: false };
      const changed = await applyChange(dir, change);
      if (!changed) {
        return { sha: await git(dir, ['rev-parse', 'HEAD']), alreadyPushed: false, unchanged: true };
      }
      await this.commit(dir, change);
      try {
        await git(dir, ['push', 'origin', `HEAD:refs/heads/${change.branch}`], this.credentials(change));
        return { sha: await git(dir, ['rev-parse', 'HEAD']), alreadyPushed: false, unchanged: false };
      } catch (error) {
        if (!isRejectedPush(error) || attempt >= attempts) throw error;
        // Someone pushed first: fetch, redo the edit on their commit, push again.
        await new Promise(resolve => setTimeout(resolve, 50 * attempt + Math.random() * 100));
      }
    }
  }

  private async checkout(change: ValueChange): Promise<string> {
    const dir = path.join(
      this.workDir,
      crypto.createHash('sha256').update(change.repoURL).digest('hex').slice(0, 16),
    );
    try {
      await fs.access(path.join(dir, '.git'));
    } catch {
      await fs.mkdir(this.workDir, { recursive: true });
      await fs.rm(dir, { recursive: true, force: true });
      await git(this.workDir, ['clone', '--quiet', change.repoURL, dir], this.credentials(change));
    }
    return dir;
  }

  private async resetToRemote(dir: string, change: ValueChange) {
    await git(dir, ['fetch', '--quiet', 'origin', `+refs/heads/${change.branch}:refs/remotes/origin/${change.branch}`], this.credentials(change));
    // Anything local (an unpushed commit of a crashed attempt) is discarded: the edit
    // is re-applied on the remote head, so exactly one commit lands.
    await git(dir, ['checkout', '--quiet', '-B', change.branch, `origin/${change.branch}`]);
    await git(dir, ['reset', '--quiet', '--hard', `origin/${change.branch}`]);
    await git(dir, ['clean', '-fdq']);
  }

  private async findPromotionCommit(dir: string, change: ValueChange) {
    const sha = await git(dir, [
      'log', `origin/${change.branch}`, '-n', '1', '--format=%H',
      // A whole trailer line: `p-1` must not match the commit of `p-10`.
      '--extended-regexp', `--grep=^Promotion-Id: ${escapeRegExp(change.promotionId)}$`,
    ]);
    return sha || undefined;
  }

  private async commit(dir: string, change: ValueChange) {
    const { name, email } = this.options.author;
    await git(dir, ['add', '--', change.file]);
    await git(
      dir,
      ['commit', '--quiet', '-m', `${change.message}\n\nPromotion-Id: ${change.promotionId}`],
      [`user.name=${name}`, `user.email=${email}`],
    );
  }

  private credentials(change: ValueChange) {
    return this.options.credentialsFor?.(change.repoURL) ?? [];
  }
}

/** Sets the key in the file, changing nothing else; false when it already holds the value. */
async function applyChange(dir: string, change: ValueChange): Promise<boolean> {
  const file = resolveSafeChildPath(dir, change.file);
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new InputError(`${change.file} does not exist on ${change.branch} of ${change.repoURL}`);
  });
  let edit;
  try {
    edit = setYamlValue(text, change.key.split('.'), change.value);
  } catch (error) {
    throw new InputError(`${change.file}: ${(error as Error).message}`);
  }
  if (edit.changed) await fs.writeFile(file, edit.text);
  return edit.changed;
}

const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const KEY_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const BRANCH_PATTERN = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;

/** Bad input changes nothing: everything is checked before git runs. */
function validateChange(change: ValueChange) {
  if (!TAG_PATTERN.test(change.value)) {
    throw new InputError(`'${change.value}' is not a valid image tag`);
  }
  validateLocation(change);
}

function validateLocation(change: Pick<ValueChange, 'key' | 'branch' | 'file' | 'repoURL'>) {
  if (!KEY_PATTERN.test(change.key)) throw new InputError(`'${change.key}' is not a valid YAML key path`);
  if (!BRANCH_PATTERN.test(change.branch)) throw new InputError(`'${change.branch}' is not a valid branch name`);
  if (path.isAbsolute(change.file) || change.file.split(/[\\/]/).includes('..')) {
    throw new InputError(`'${change.file}' is not a path inside the repository`);
  }
  if (!/^(https:\/\/|file:\/\/|ssh:\/\/|git@)/.test(change.repoURL)) {
    throw new InputError(`'${change.repoURL}' is not a supported repository URL`);
  }
}

function isRejectedPush(error: unknown): boolean {
  return (
    error instanceof GitCommandError &&
    /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref/.test(error.stderr)
  );
}

function readYamlValue(text: string, keyPath: string[]): string | undefined {
  const value = parseDocument(text).getIn(keyPath);
  return value === undefined || value === null ? undefined : String(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
