import { spawn } from 'child_process';

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
    /**
     * git's stdout, for commands whose answer comes with a failing status
     * (`merge-tree --write-tree` lists the conflicting files and exits 1).
     */
    readonly stdout?: string,
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
  /**
   * How long the command may run, in milliseconds (default 120000). Past it, git and
   * every process it started (remote helpers, ssh, hooks) are killed.
   */
  timeoutMs?: number;
}

/** How long a git command may run when its options do not say. */
const DEFAULT_TIMEOUT_MS = 120_000;
/** How long a timed-out command gets to end on SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** The most output a git command may write (a log of thousands of commits fits). */
const MAX_OUTPUT = 16 * 1024 * 1024;

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
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // Its own process group (execFile cannot), so a timeout kills what git started too:
    // a remote helper left running would hold the repository's lock files.
    const child = spawn('git', fullArgs, {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    }, timeoutMs);
    child.on('error', error => {
      clearTimeout(timer);
      reject(new GitCommandError(args, error.message));
    });
    // 'exit', not 'close': a killed helper's grandchild may keep the pipes open.
    child.on('exit', code => {
      clearTimeout(timer);
      if (timedOut) {
        killGroup(child.pid, 'SIGKILL');
        reject(new GitCommandError(args, `fatal: timed out after ${timeoutMs / 1000} s and was killed`));
      } else if (code === 0) {
        // Output may still be in flight after exit: wait for the streams to end.
        Promise.all([stdout, stderr]).then(([out]) => resolve(out.trim()), reject);
      } else {
        Promise.all([stdout, stderr]).then(
          ([out, text]) => reject(new GitCommandError(args, text || `exited with ${code}`, code ?? undefined, out)),
          reject,
        );
      }
    });
  });
}

/** A stream's text, up to MAX_OUTPUT bytes (more is an error: git output is bounded). */
function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) {
        reject(new Error(`git wrote more than ${MAX_OUTPUT} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

/** Signals a process group; one that has ended already is no error. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone.
  }
}

/** A push refused because the remote moved on: worth a fetch, redo and retry. */
export function isRejectedPush(error: unknown): boolean {
  return (
    error instanceof GitCommandError &&
    /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref/.test(error.stderr)
  );
}
