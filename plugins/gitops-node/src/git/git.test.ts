import fs from 'fs';
import os from 'os';
import path from 'path';
import { git, GitCommandError } from './git';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('git', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-git-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs git and answers its output', async () => {
    await git(dir, ['init', '--quiet']);
    await expect(git(dir, ['rev-parse', '--is-inside-work-tree'])).resolves.toBe('true');
  });

  it("keeps a failing command's stdout and exit status", async () => {
    await git(dir, ['init', '--quiet']);
    const error = await git(dir, ['rev-parse', '--verify', 'HEAD', '--', 'x'], { config: [] }).catch(e => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect(error.exitCode).toBe(128);
    const listed = await git(dir, ['ls-files', '--error-unmatch', 'missing']).catch(e => e);
    expect(listed.exitCode).toBe(1);
    expect(listed.stdout).toBe('');
    const answered = await git(dir, ['hello'], { config: ["alias.hello=!sh -c 'echo out; exit 3'"] }).catch(e => e);
    expect(answered).toMatchObject({ exitCode: 3, stdout: 'out\n' });
  });

  it('kills a command past its timeout together with what it started, and says so', async () => {
    const pidFile = path.join(dir, 'child.pid');
    // A shell alias stands for a remote helper that hangs: git starts it, it starts a child.
    const hang = `alias.hang=!sh -c 'sleep 60 & echo $! > ${pidFile}; wait'`;
    const started = Date.now();
    const run = git(dir, ['hang'], { config: [hang], timeoutMs: 500 });
    await expect(run).rejects.toBeInstanceOf(GitCommandError);
    await expect(run).rejects.toThrow('git hang failed: fatal: timed out after 0.5 s and was killed');
    expect(Date.now() - started).toBeLessThan(5_000);
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    // The grandchild got SIGTERM with its group; give it a moment to go.
    for (let i = 0; i < 50 && alive(child); i++) await new Promise(resolve => setTimeout(resolve, 50));
    expect(alive(child)).toBe(false);
  });
});
