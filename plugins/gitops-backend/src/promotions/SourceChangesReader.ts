import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import type {
  PromotionVersion,
  SourceChanges,
  SourceCommit,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { git, type GitCredentialsSource } from '@gitops-suite/backstage-plugin-gitops-node';
import crypto from 'crypto';
import fs from 'fs/promises';
import path from 'path';
import { pathToFileURL } from 'url';
import pLimit from 'p-limit';

const SOURCE_LOCATION = 'backstage.io/source-location';
const MAX_COMMITS = 50;
/** A preview must not wait on a slow clone: past this, it says so and shows the rest. */
const BUDGET_MS = 10_000;

export interface SourceChangesReaderOptions {
  /** Where bare, blob-less clones of source repositories are kept. */
  workDir: string;
  integrations: ScmIntegrationRegistry;
  credentials: GitCredentialsSource;
  /** git `url.<to>.insteadOf=<from>` rewrites, e.g. for mirrors or the local sandbox. */
  rewriteUrls?: Array<{ from: string; to: string }>;
  logger: LoggerService;
  /** Clones unused this long are removed by `prune` (default 14 days). */
  cloneRetentionMs?: number;
  /** Past this many clones, `prune` removes the least recently used (default 200). */
  maxClones?: number;
}

const DEFAULT_CLONE_RETENTION_MS = 14 * 24 * 3600_000;
const DEFAULT_MAX_CLONES = 200;

/**
 * The commits a promotion ships: between the source revisions of the target's current
 * version and the promoted one, read with git from the entity's source repository
 * (`backstage.io/source-location`). A version's revision is its tag as a git tag
 * (`1.5.0` or `v1.5.0`) or, for images tagged with a commit SHA, that commit. Clones are
 * bare and blob-less, kept and fetched again per read.
 */
export class SourceChangesReader {
  private readonly locks = new Map<string, ReturnType<typeof pLimit>>();

  constructor(private readonly options: SourceChangesReaderOptions) {}

  /** undefined when the entity names no source repository git can read. */
  async between(entity: Entity, from?: PromotionVersion, to?: PromotionVersion): Promise<SourceChanges | undefined> {
    const repoURL = sourceRepository(entity);
    if (!repoURL || !from?.tag || !to?.tag) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SourceChanges>(resolve => {
      timer = setTimeout(
        () => resolve(unavailable(repoURL, `reading ${repoURL} took longer than ${BUDGET_MS / 1000} s`)),
        BUDGET_MS,
      );
    });
    try {
      return await Promise.race([this.read(repoURL, from.tag, to.tag), timeout]);
    } catch (error) {
      this.options.logger.warn(`Could not list the commits of ${repoURL}: ${error}`);
      return unavailable(repoURL, `could not read ${repoURL}: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Removes clones not read for `cloneRetentionMs`, and the least recently read ones
   * past `maxClones`; never one being read. A clone is only a cache: the next read of
   * its repository clones it again. Answers how many went.
   */
  async prune(now = new Date()): Promise<number> {
    const { workDir } = this.options;
    const names = await fs.readdir(workDir).catch(() => [] as string[]);
    const clones = await Promise.all(
      names.map(async name => ({ name, usedAt: (await fs.stat(path.join(workDir, name)).catch(() => undefined))?.mtimeMs ?? 0 })),
    );
    const inUse = new Set([...this.locks.keys()].map(cloneName));
    const idle = clones.filter(c => !inUse.has(c.name)).sort((a, b) => b.usedAt - a.usedAt);
    const retention = this.options.cloneRetentionMs ?? DEFAULT_CLONE_RETENTION_MS;
    const room = Math.max(0, (this.options.maxClones ?? DEFAULT_MAX_CLONES) - inUse.size);
    const doomed = idle.filter((c, index) => index >= room || now.getTime() - c.usedAt > retention);
    await Promise.all(doomed.map(c => fs.rm(path.join(workDir, c.name), { recursive: true, force: true })));
    return doomed.length;
  }

  private async read(repoURL: string, fromTag: string, toTag: string): Promise<SourceChanges> {
    const lock = this.locks.get(repoURL) ?? pLimit(1);
    this.locks.set(repoURL, lock);
    try {
      return await lock(() => this.readLocked(repoURL, fromTag, toTag));
    } finally {
      // Only repositories being read keep a limiter: the map does not grow with every repository ever read.
      if (lock.activeCount === 0 && lock.pendingCount === 0) this.locks.delete(repoURL);
    }
  }

  private async readLocked(repoURL: string, fromTag: string, toTag: string): Promise<SourceChanges> {
    const dir = await this.fetch(repoURL);
    // The clone's last use, for prune.
    const now = new Date();
    await fs.utimes(dir, now, now).catch(() => undefined);
    const [from, to] = await Promise.all([resolveRevision(dir, fromTag), resolveRevision(dir, toTag)]);
    const missing = [from ? undefined : fromTag, to ? undefined : toTag].filter(Boolean);
    if (!from || !to) {
      return unavailable(repoURL, `no git tag or commit for ${missing.join(' and ')} in ${repoURL}`);
    }
    const log = await git(dir, ['log', `-n${MAX_COMMITS + 1}`, '--format=%H%x1f%an%x1f%cI%x1f%s', `${from.sha}..${to.sha}`]);
    const commits = log.split('\n').filter(Boolean).map(parseCommit);
    return {
      repoURL,
      from: from.name,
      to: to.name,
      commits: commits.slice(0, MAX_COMMITS),
      truncated: commits.length > MAX_COMMITS,
      compareUrl: this.compareUrl(repoURL, from.name, to.name),
    };
  }

  private async fetch(repoURL: string): Promise<string> {
    const dir = path.join(this.options.workDir, cloneName(repoURL));
    const options = { config: [...(await this.options.credentials.gitConfigFor(repoURL)), ...this.rewrites()] };
    const cloned = await fs.access(path.join(dir, 'HEAD')).then(
      () => true,
      () => false,
    );
    if (!cloned) {
      await fs.mkdir(this.options.workDir, { recursive: true });
      await fs.rm(dir, { recursive: true, force: true });
      await git(this.options.workDir, ['clone', '--quiet', '--bare', '--filter=blob:none', '--', repoURL, dir], options);
      return dir; // a fresh clone has every branch and tag already
    }
    // Forced refspecs: a re-tagged version (or a repository recreated under the same URL)
    // must replace what this clone knew, not fail the fetch.
    await git(dir, ['fetch', '--quiet', '--prune', 'origin', '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'], options);
    return dir;
  }

  /** A `to` without a scheme is a local folder, relative to the backend's working directory. */
  private rewrites(): string[] {
    return (this.options.rewriteUrls ?? []).map(({ from, to }) => {
      const target = /^[a-z][a-z+.-]*:\/\//.test(to) ? to : `${pathToFileURL(path.resolve(to)).href}/`;
      return `url.${target}.insteadOf=${from}`;
    });
  }

  private compareUrl(repoURL: string, from: string, to: string): string | undefined {
    if (!this.options.integrations.github.byUrl(repoURL)) return undefined;
    return `${repoURL.replace(/\.git$/, '')}/compare/${from}...${to}`;
  }
}

/** The folder of a repository's clone in the work dir. */
function cloneName(repoURL: string): string {
  return crypto.createHash('sha256').update(repoURL).digest('hex').slice(0, 16);
}

/**
 * The repository of `backstage.io/source-location` (`url:https://host/owner/repo/tree/main/`):
 * the part before GitHub's `/tree/` or `/blob/` and GitLab's `/-/`.
 */
export function sourceRepository(entity: Entity): string | undefined {
  const location = entity.metadata.annotations?.[SOURCE_LOCATION];
  if (!location?.startsWith('url:')) return undefined;
  const url = location.slice('url:'.length).replace(/\/(-\/)?(tree|blob)\/.*$/, '').replace(/\/+$/, '');
  return /^(https|file|ssh):\/\/\S+$/.test(url) ? url : undefined;
}

/** The commit of a version: its tag, `v` + its tag, or the commit its SHA tag names. */
async function resolveRevision(dir: string, tag: string): Promise<{ name: string; sha: string } | undefined> {
  const candidates = [`refs/tags/${tag}`, `refs/tags/v${tag}`];
  if (/^[0-9a-f]{7,40}$/.test(tag)) candidates.push(tag);
  for (const candidate of candidates) {
    const sha = await git(dir, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]).catch(() => '');
    if (sha) return { name: candidate.replace(/^refs\/tags\//, ''), sha };
  }
  return undefined;
}

function parseCommit(line: string): SourceCommit {
  const [sha, author, date, message] = line.split('\x1f');
  return { sha, author, date, message };
}

function unavailable(repoURL: string, reason: string): SourceChanges {
  return { repoURL, commits: [], truncated: false, unavailable: reason };
}
