import {
  resolveSafeChildPath,
  type UrlReaderService,
  type UrlReaderServiceReadTreeOptions,
  type UrlReaderServiceReadTreeResponse,
  type UrlReaderServiceReadUrlOptions,
  type UrlReaderServiceReadUrlResponse,
  type UrlReaderServiceSearchOptions,
  type UrlReaderServiceSearchResponse,
} from '@backstage/backend-plugin-api';
import type {
  ReaderFactory,
  ReadTreeResponseFactory,
} from '@backstage/backend-defaults/urlReader';
import { InputError, NotFoundError, NotModifiedError } from '@backstage/errors';
import { execFile } from 'child_process';
import { minimatch, Minimatch } from 'minimatch';
import { Readable } from 'stream';
import { resolveLocalPublishDir } from '../config';
import {
  isLocalRepoUrl,
  localRepoUrl,
  parseLocalRepoUrl,
  REPO_NAME,
} from './urls';

/** Largest file `readUrl` returns and largest archive `readTree` builds. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Settings of a {@link GitopsLocalReposUrlReader}; {@link GitopsLocalReposUrlReader.factory}
 * fills them from app-config and the backend.
 *
 * @public
 */
export interface GitopsLocalReposUrlReaderOptions {
  /** Absolute directory holding `<name>.git` bare repositories (`gitops.scaffolder.localPublishDir`). */
  baseDir: string;
  /** Builds `readTree` answers from a tar archive, as the backend's other readers do. */
  treeResponseFactory: ReadTreeResponseFactory;
}

/** One URL resolved against its repository: a commit and a path in it. */
interface Target {
  url: string;
  repoName: string;
  gitDir: string;
  /** The ref as the URL spells it (a branch, a tag or a commit), for URLs built from this one. */
  ref: string;
  /** The commit the ref points to now: the ETag. */
  commit: string;
  committedAt: Date;
  /** Repository-relative path, no leading or trailing `/`; '' for the root. */
  path: string;
}

/**
 * Reads the bare repositories `gitops:publish:local` creates, through URLs of the form
 * `https://gitops.local/<name>/blob/<ref>/<path>` (see `./urls`). Contents come from the
 * real git CLI run without a shell (`cat-file`, `ls-tree`, `archive`) against
 * `<localPublishDir>/<name>.git`; the ETag of every answer is the commit the ref points to.
 *
 * @public
 */
export class GitopsLocalReposUrlReader implements UrlReaderService {
  /** A `ReaderFactory` for `urlReaderFactoriesServiceRef`: claims exactly `https://gitops.local`. */
  static factory: ReaderFactory = ({ config, treeResponseFactory }) => {
    const reader = new GitopsLocalReposUrlReader({
      baseDir: resolveLocalPublishDir(config),
      treeResponseFactory,
    });
    return [{ predicate: isLocalRepoUrl, reader }];
  };

  constructor(private readonly options: GitopsLocalReposUrlReaderOptions) {}

  /** Reads one file at the ref; refuses a directory (NotFound) and an unchanged ETag (NotModified). */
  async readUrl(
    url: string,
    options?: UrlReaderServiceReadUrlOptions,
  ): Promise<UrlReaderServiceReadUrlResponse> {
    const target = await this.resolve(url, options?.signal);
    const type = await this.objectType(target, options?.signal);
    if (type !== 'blob') {
      throw new NotFoundError(
        type ? `${url} is a directory, not a file` : `${url} does not exist`,
      );
    }
    assertModified(target, options);
    const content = await runGit(target.gitDir, ['cat-file', 'blob', `${target.commit}:${target.path}`], {
      signal: options?.signal,
      maxBuffer: MAX_FILE_BYTES,
    });
    return {
      buffer: async () => content,
      stream: () => Readable.from(content),
      etag: target.commit,
      lastModifiedAt: target.committedAt,
    };
  }

  /** Reads a directory at the ref; `https://gitops.local/<name>` alone reads the default branch's root. */
  async readTree(
    url: string,
    options?: UrlReaderServiceReadTreeOptions,
  ): Promise<UrlReaderServiceReadTreeResponse> {
    const target = await this.resolve(url, options?.signal);
    const type = await this.objectType(target, options?.signal);
    if (!type) throw new NotFoundError(`${url} does not exist`);
    if (type !== 'tree') throw new InputError(`${url} is a file, not a directory`);
    assertModified(target, options);
    // One tar of the commit, restricted to the directory; the response factory strips
    // the `root/<path>/` prefix, applies the filter and extracts safely.
    const args = ['archive', '--format=tar', '--prefix=root/', target.commit];
    if (target.path) args.push('--', target.path);
    const archive = await runGit(target.gitDir, args, {
      signal: options?.signal,
      maxBuffer: MAX_ARCHIVE_BYTES,
    });
    return this.options.treeResponseFactory.fromTarArchive({
      stream: Readable.from(archive),
      subpath: target.path,
      etag: target.commit,
      filter: options?.filter,
    });
  }

  /**
   * A glob over the path (`https://gitops.local/<name>/blob/main/**\/catalog-info.yaml`)
   * matches the files of the commit with minimatch; a URL without a glob reads that one
   * file and answers an empty list when it does not exist, like the other readers.
   */
  async search(
    url: string,
    options?: UrlReaderServiceSearchOptions,
  ): Promise<UrlReaderServiceSearchResponse> {
    const { refAndPath } = parseLocalRepoUrl(url);
    if (!new Minimatch(refAndPath.join('/')).hasMagic()) {
      try {
        const file = await this.readUrl(url, options);
        return {
          files: [{ url, content: file.buffer, lastModifiedAt: file.lastModifiedAt }],
          etag: file.etag ?? '',
        };
      } catch (error) {
        if (error instanceof NotFoundError) return { files: [], etag: '' };
        throw error;
      }
    }

    const target = await this.resolve(url, options?.signal);
    assertModified(target, options);
    const listing = await runGit(target.gitDir, ['ls-tree', '-r', '-z', target.commit], {
      signal: options?.signal,
      maxBuffer: MAX_FILE_BYTES,
    });
    const files = listing
      .toString('utf8')
      .split('\0')
      .map(line => /^\d+ (\w+) [0-9a-f]+\t(.*)$/s.exec(line))
      .filter((match): match is RegExpExecArray => match?.[1] === 'blob')
      .map(match => match[2])
      .filter(file => minimatch(file, target.path))
      .sort();
    return {
      etag: target.commit,
      files: files.map(file => ({
        url: localRepoUrl(target.repoName, target.ref, file),
        content: () =>
          runGit(target.gitDir, ['cat-file', 'blob', `${target.commit}:${file}`], {
            maxBuffer: MAX_FILE_BYTES,
          }),
        lastModifiedAt: target.committedAt,
      })),
    };
  }

  /** Identifies the reader and its directory, e.g. in the backend's log of URL readers. */
  toString() {
    return `gitops-local{baseDir=${this.options.baseDir}}`;
  }

  /** The repository, the ref (longest branch or tag that prefixes the rest) and the path. */
  private async resolve(url: string, signal?: AbortSignal): Promise<Target> {
    const location = parseLocalRepoUrl(url);
    const { repoName } = location;
    if (repoName.length > 100 || !REPO_NAME.test(repoName)) {
      throw new InputError(`'${repoName}' in ${url} is not a repository name`);
    }
    let gitDir: string;
    try {
      gitDir = resolveSafeChildPath(this.options.baseDir, `${repoName}.git`);
    } catch {
      throw new NotFoundError(`No local repository '${repoName}'`);
    }
    // --is-bare-repository also fails for a missing directory or one that is no repository.
    const bare = await runGit(gitDir, ['rev-parse', '--is-bare-repository'], { signal }).catch(
      () => undefined,
    );
    if (bare?.toString().trim() !== 'true') {
      throw new NotFoundError(`No local repository '${repoName}'`);
    }

    let segments = location.refAndPath;
    if (!location.hasRef) {
      const head = await runGit(gitDir, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { signal })
        .then(out => out.toString().trim())
        .catch(() => 'HEAD');
      segments = head.split('/');
    }
    const { ref, fullRef, path } = await this.splitRef(gitDir, repoName, segments, signal);

    const log = await runGit(gitDir, ['log', '-1', '--format=%H %ct', fullRef, '--'], { signal })
      .then(out => out.toString().trim())
      .catch(() => '');
    const [commit, seconds] = log.split(' ');
    if (!commit || !SHA.test(commit)) {
      throw new NotFoundError(`No commit '${ref}' in local repository '${repoName}'`);
    }
    return {
      url,
      repoName,
      gitDir,
      ref,
      commit,
      committedAt: new Date(Number(seconds) * 1000),
      path,
    };
  }

  private async splitRef(gitDir: string, repoName: string, segments: string[], signal?: AbortSignal) {
    const refs = (
      await runGit(gitDir, ['for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/tags'], {
        signal,
      })
    )
      .toString()
      .split('\n');
    const known = new Set(refs.filter(Boolean));
    for (let n = segments.length; n > 0; n--) {
      const ref = segments.slice(0, n).join('/');
      const fullRef = [`refs/heads/${ref}`, `refs/tags/${ref}`].find(r => known.has(r));
      if (fullRef) return { ref, fullRef, path: segments.slice(n).join('/') };
    }
    if (SHA.test(segments[0]) || segments[0] === 'HEAD') {
      return { ref: segments[0], fullRef: segments[0], path: segments.slice(1).join('/') };
    }
    throw new NotFoundError(
      `No branch, tag or commit '${segments[0]}' in local repository '${repoName}'`,
    );
  }

  /** 'blob', 'tree' (also for the root) or undefined when the path is not in the commit. */
  private async objectType(target: Target, signal?: AbortSignal) {
    const type = await runGit(target.gitDir, ['cat-file', '-t', `${target.commit}:${target.path}`], {
      signal,
    })
      .then(out => out.toString().trim())
      .catch(() => undefined);
    return type === 'blob' || type === 'tree' ? type : undefined;
  }
}

/** NotModifiedError when the caller already holds this commit's answer. */
function assertModified(
  target: Target,
  options?: { etag?: string; lastModifiedAfter?: Date },
) {
  if (options?.etag && options.etag === target.commit) {
    throw new NotModifiedError();
  }
  if (options?.lastModifiedAfter && target.committedAt <= options.lastModifiedAfter) {
    throw new NotModifiedError();
  }
}

/**
 * The git CLI against one bare repository, without a shell: every URL-derived argument
 * is a validated ref, a hex commit or a `<commit>:<path>` object name, and pathspecs are
 * literal. Resolves with raw stdout (file contents are bytes, not text).
 */
function runGit(
  gitDir: string,
  args: string[],
  options: { signal?: AbortSignal; maxBuffer?: number } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['--git-dir', gitDir, '--literal-pathspecs', ...args],
      {
        encoding: 'buffer',
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
        maxBuffer: options.maxBuffer ?? 1024 * 1024,
        timeout: 60_000,
        signal: options.signal,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`git ${args[0]} failed: ${stderr.toString().trim() || error.message}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}
