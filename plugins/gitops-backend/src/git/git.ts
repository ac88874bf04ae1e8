import { execFile } from 'child_process';

/** Raised when a git command fails; carries its stderr for the reason. */
export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
    this.name = 'GitCommandError';
  }
}

/**
 * Runs the real git CLI (never a shell) in `cwd`. Prompts are disabled so a missing
 * credential fails fast instead of hanging a background task.
 */
export function git(cwd: string, args: string[], extraConfig: string[] = []): Promise<string> {
  const fullArgs = [...extraConfig.flatMap(c => ['-c', c]), ...args];
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
        if (error) reject(new GitCommandError(args, stderr || error.message));
        else resolve(stdout.trim());
      },
    );
  });
}
