import { execFile } from 'child_process';

/**
 * Who commits: writers never rely on a global git identity of the host.
 *
 * @public
 */
export interface GitAuthor {
  /** git's `user.name`, e.g. `Backstage GitOps`. */
  name: string;
  /** git's `user.email`. */
  email: string;
}

/**
 * Raised when a git command fails; carries its stderr for the reason.
 *
 * @public
 */
export class GitCommandError extends Error {
  constructor(
    /** The arguments git ran with (without the `-c` settings), `args[0]` the subcommand. */
    readonly args: string[],
    /** git's stderr, for telling failures apart (a rejected push, a missing branch). */
    readonly stderr: string,
    /**
     * git's exit status, where it exited; some commands answer "no" with a status (1
     * from `merge-base --is-ancestor`) that must not be mistaken for a failure.
     */
    readonly exitCode?: number,
  ) {
    super(`git ${args[0]} failed: ${reason(stderr)}`);
    this.name = 'GitCommandError';
  }
}

/**
 * What went wrong, from git's stderr: its `fatal:`/`error:`/rejection lines when it
 * printed any, else its last lines; warnings and hints are left out.
 */
function reason(stderr: string): string {
  const lines = stderr.split('\n').map(line => line.trim()).filter(Boolean);
  const errors = lines.filter(line => /^(fatal:|error:|! \[)/.test(line));
  const chosen = errors.length ? errors : lines.filter(line => !/^(warning|hint):/i.test(line));
  return chosen.slice(-3).join(' ') || stderr.trim();
}

/**
 * Per-command settings of {@link git}: nothing is written to a repository's or the
 * host's git config.
 *
 * @public
 */
export interface GitOptions {
  /** Sets user.name/user.email for this command only. */
  author?: GitAuthor;
  /** Extra `-c` settings, e.g. an `http.extraHeader` with a token for one host. */
  config?: string[];
}

/**
 * Runs the real git CLI (never through a shell, so no input is ever interpreted) in
 * `cwd`. Prompts are disabled so a missing credential fails at once instead of
 * hanging a background task, and signing is off because a writer has no signing key.
 * Resolves with stdout, trimmed; rejects with a {@link GitCommandError}.
 *
 * @public
 */
export function git(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  const config = [
    'commit.gpgsign=false',
    'init.defaultBranch=main',
    ...(options.author
      ? [`user.name=${options.author.name}`, `user.email=${options.author.email}`]
      : []),
    ...(options.config ?? []),
  ];
  const fullArgs = [...config.flatMap(c => ['-c', c]), ...args];
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      fullArgs,
      {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout.trim());
          return;
        }
        // `code` is the exit status, or a string (ENOENT) when git never ran.
        const exitCode = typeof error.code === 'number' ? error.code : undefined;
        reject(new GitCommandError(args, stderr || error.message, exitCode));
      },
    );
  });
}

/** A push refused because the remote moved on: worth a fetch, redo and retry. */
export function isRejectedPush(error: unknown): boolean {
  return (
    error instanceof GitCommandError &&
    /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref/.test(error.stderr)
  );
}
