import fs from 'fs';
import os from 'os';
import path from 'path';
import { git } from '../git/git';

const seedAuthor = { name: 'seed', email: 'seed@example.com' };

/** A bare repository on disk seeded with `files` in one commit on main; for writer tests. */
export async function createBareRepository(files: Record<string, string>) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-node-'));
  const remote = path.join(root, 'gitops.git');
  const seed = path.join(root, 'seed');
  await git(root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  await git(root, ['clone', '--quiet', remote, seed]);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(seed, file)), { recursive: true });
    fs.writeFileSync(path.join(seed, file), content);
  }
  await git(seed, ['add', '.']);
  await git(seed, ['commit', '--quiet', '-m', 'seed'], { author: seedAuthor });
  await git(seed, ['push', '--quiet', 'origin', 'HEAD:main']);
  return {
    root,
    url: `file://${remote}`,
    /** Subjects and bodies of the branch's commits, newest first. */
    async log(branch = 'main') {
      const out = await git(root, ['--git-dir', remote, 'log', '--format=%s%n%b%x00', branch]);
      return out.split('\0').map(s => s.trim()).filter(Boolean);
    },
    file: (file: string, branch = 'main') => git(root, ['--git-dir', remote, 'show', `${branch}:${file}`]),
    rev: (ref: string) => git(root, ['--git-dir', remote, 'rev-parse', ref]),
    git: (args: string[]) => git(root, ['--git-dir', remote, ...args]),
    /**
     * Commits `files` (null deletes one) to `branch` from the seed clone and pushes
     * it; a new branch starts at `from` (default main). Resolves with the commit's sha.
     */
    async commit(branch: string, changes: Record<string, string | null>, message = `change ${branch}`, from = 'main') {
      await git(seed, ['fetch', '--quiet', 'origin']);
      const exists = await git(seed, ['rev-parse', '--verify', '--quiet', `origin/${branch}`]).then(() => true, () => false);
      await git(seed, ['checkout', '--quiet', '--force', '-B', branch, exists ? `origin/${branch}` : `origin/${from}`]);
      for (const [file, content] of Object.entries(changes)) {
        const target = path.join(seed, file);
        if (content === null) {
          fs.rmSync(target, { force: true });
        } else {
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.writeFileSync(target, content);
        }
      }
      await git(seed, ['add', '--all', '.']);
      await git(seed, ['commit', '--quiet', '--allow-empty', '-m', message], { author: seedAuthor });
      await git(seed, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      return git(seed, ['rev-parse', 'HEAD']);
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
