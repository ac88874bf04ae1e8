import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readDirectory } from './readDirectory';
import { readSeedRefs, SEED_REFS_DIR } from './seedRefs';

/**
 * Who the sandbox commits as. Set explicitly so that commits never depend on, or
 * fail for lack of, the host's git configuration.
 */
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'GitOps Sandbox',
  GIT_AUTHOR_EMAIL: 'sandbox@gitops-sandbox.invalid',
  GIT_COMMITTER_NAME: 'GitOps Sandbox',
  GIT_COMMITTER_EMAIL: 'sandbox@gitops-sandbox.invalid',
  GIT_TERMINAL_PROMPT: '0',
};

const ZERO_OID = '0'.repeat(40);

export interface CommitMetadata {
  sha: string;
  author: string;
  /** Author date, Unix seconds. */
  date: number;
  tags: string[];
  message: string;
}

/** File contents by repository path; `null` deletes the file. @public */
export type FileChanges = Record<string, string | null>;

/** A ref and the commit it names (annotated tags peeled). */
export interface GitRef {
  name: string;
  sha: string;
}

/**
 * The bare "GitOps environment repository". Everything is read with
 * `git --git-dir` (no working tree), the way Argo CD's repo server reads a revision.
 */
export class GitRepo {
  private constructor(readonly gitDir: string, readonly branch: string) {}

  /** Creates an empty bare repository. */
  static async create(repoPath: string, branch = 'main'): Promise<GitRepo> {
    const repo = new GitRepo(path.resolve(repoPath), branch);
    await fs.mkdir(repo.gitDir, { recursive: true });
    await runGit([
      'init',
      '--quiet',
      '--bare',
      `--initial-branch=${branch}`,
      repo.gitDir,
    ]);
    return repo;
  }

  /** Opens an existing bare repository. */
  static open(repoPath: string, branch = 'main'): GitRepo {
    return new GitRepo(path.resolve(repoPath), branch);
  }

  /**
   * Opens the bare repository, creating it from `seedDir` in one commit if missing;
   * then the seed's extra refs (`.sandbox/`, see seedRefs.ts): its tags on the seed
   * commit, and each branch as one commit of its files on top of it.
   */
  static async openOrSeed(
    repoPath: string,
    seedDir: string,
    branch = 'main',
  ): Promise<GitRepo> {
    const repo = new GitRepo(path.resolve(repoPath), branch);
    if (await pathExists(path.join(repo.gitDir, 'HEAD'))) {
      return repo;
    }
    const created = await GitRepo.create(repoPath, branch);
    const seed = await created.commitFiles(
      await readDirectory(seedDir, [SEED_REFS_DIR]),
      'Seed the GitOps environment repository',
    );
    const refs = await readSeedRefs(seedDir);
    for (const tag of refs.tags) {
      await created.tag(tag, seed);
    }
    for (const seedBranch of refs.branches) {
      await created.commitFiles(
        seedBranch.files,
        seedBranch.message,
        undefined,
        {
          branch: seedBranch.name,
          parent: seed,
        },
      );
    }
    return created;
  }

  /** What Applications put in `spec.source.repoURL`. */
  get url(): string {
    return pathToFileURL(this.gitDir).href;
  }

  async head(): Promise<string> {
    const out = await this.git([
      'rev-parse',
      '--verify',
      `refs/heads/${this.branch}^{commit}`,
    ]);
    return out.trim();
  }

  /** Every branch, tag and other ref, with the commit it names (what `git ls-remote` lists). */
  async listRefs(): Promise<GitRef[]> {
    const out = await this.git([
      'for-each-ref',
      '--format=%(refname)%00%(objectname)%00%(*objectname)',
    ]);
    return out
      .split('\n')
      .filter(Boolean)
      .map(line => {
        const [name, sha, peeled] = line.split('\0');
        return { name, sha: peeled || sha };
      });
  }

  /** Whether `sha` names a commit of this repository. */
  async hasCommit(sha: string): Promise<boolean> {
    try {
      await this.git(['cat-file', '-e', `${sha}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  /** Every file path at `revision`. */
  async listFiles(revision: string): Promise<string[]> {
    const out = await this.git([
      'ls-tree',
      '-r',
      '--name-only',
      '-z',
      revision,
    ]);
    return out.split('\0').filter(Boolean);
  }

  async readFile(revision: string, file: string): Promise<string> {
    return this.git(['cat-file', 'blob', `${revision}:${file}`]);
  }

  /**
   * Commits `changes` on top of the branch head with plumbing commands and a throwaway
   * index, so no working tree is needed. The branch moves by compare-and-swap: a commit
   * made concurrently by someone else makes this one fail rather than vanish.
   */
  async commitFiles(
    changes: FileChanges,
    message: string,
    author?: { name: string; email: string },
    target: { branch?: string; parent?: string } = {},
  ): Promise<string> {
    const branch = target.branch ?? this.branch;
    const current = await this.headIfExists(branch);
    const parent = target.parent ?? current;
    const tempDir = await fs.mkdtemp(
      path.join(os.tmpdir(), 'gitops-sandbox-index-'),
    );
    const env = { GIT_INDEX_FILE: path.join(tempDir, 'index') };
    const authorEnv: Record<string, string> = author
      ? { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email }
      : {};
    try {
      if (parent) {
        await this.git(['read-tree', parent], { env });
      }
      const entries: string[] = [];
      for (const [file, content] of Object.entries(changes)) {
        if (content === null) {
          entries.push(`0 ${ZERO_OID}\t${file}`);
        } else {
          const blob = await this.git(['hash-object', '-w', '--stdin'], {
            input: content,
          });
          entries.push(`100644 ${blob.trim()}\t${file}`);
        }
      }
      await this.git(['update-index', '--index-info'], {
        env,
        input: `${entries.join('\n')}\n`,
      });
      const tree = (await this.git(['write-tree'], { env })).trim();
      const parentArgs = parent ? ['-p', parent] : [];
      const commit = (
        await this.git(['commit-tree', tree, ...parentArgs, '-m', message], {
          env: authorEnv,
        })
      ).trim();
      await this.git([
        'update-ref',
        `refs/heads/${branch}`,
        commit,
        current ?? ZERO_OID,
      ]);
      return commit;
    } finally {
      await fs.rm(tempDir, { recursive: true, force: true });
    }
  }

  /**
   * The commit `revision` names, read as Argo CD's git client reads it: author as
   * `Name <email>`, author date (Unix seconds), the tags pointing at it, and the full
   * message, trimmed. Undefined when the revision names no commit.
   */
  async commitMetadata(revision: string): Promise<CommitMetadata | undefined> {
    let sha: string;
    try {
      sha = (
        await this.git([
          'rev-parse',
          '--verify',
          '--quiet',
          '--end-of-options',
          `${revision}^{commit}`,
        ])
      ).trim();
    } catch {
      return undefined;
    }
    const out = await this.git([
      'show',
      '-s',
      '--format=%an <%ae>%n%at%n%B',
      sha,
    ]);
    const [author, date, ...message] = out.split('\n');
    const tags = await this.git(['tag', '--points-at', sha]);
    return {
      sha,
      author,
      date: Number(date),
      tags: tags.split(/\s+/).filter(Boolean),
      message: message.join('\n').trim(),
    };
  }

  /** Tags a commit (a lightweight tag, as release tooling often makes). */
  async tag(name: string, commit: string): Promise<void> {
    await this.git(['update-ref', `refs/tags/${name}`, commit, ZERO_OID]);
  }

  private async headIfExists(branch: string): Promise<string | undefined> {
    const out = await this.git([
      'for-each-ref',
      '--format=%(objectname)',
      `refs/heads/${branch}`,
    ]);
    return out.trim() || undefined;
  }

  private git(args: string[], options: GitOptions = {}): Promise<string> {
    return runGit(['--git-dir', this.gitDir, ...args], options);
  }
}

interface GitOptions {
  input?: string;
  env?: Record<string, string>;
}

function runGit(args: string[], options: GitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        env: { ...process.env, ...GIT_IDENTITY, ...options.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `git ${args.join(' ')} failed: ${stderr.trim() || error.message}`,
            ),
          );
        } else {
          resolve(stdout);
        }
      },
    );
    // git may exit without reading stdin (or fail part-way); its exit status reports that.
    child.stdin?.on('error', () => undefined);
    if (options.input === undefined) {
      child.stdin?.end();
    } else {
      child.stdin?.end(options.input);
    }
  });
}

async function pathExists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
