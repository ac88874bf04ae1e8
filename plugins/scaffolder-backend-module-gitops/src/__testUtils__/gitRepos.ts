import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import { pathToFileURL } from 'url';
import { git } from '@gitops-suite/backstage-plugin-gitops-node';

const author = { name: 'Seed', email: 'seed@example.com' };

/** A bare repository at `<dir>/<name>.git` whose main holds `files`; returns its file:// URL. */
export async function createBareRepo(dir: string, name: string, files: Record<string, string>) {
  const bare = path.join(dir, `${name}.git`);
  await git(dir, ['init', '--quiet', '--bare', bare]);
  await commitFiles(pathToFileURL(bare).href, files, 'Seed');
  return pathToFileURL(bare).href;
}

/** Commits `files` to main of `repoUrl` from a scratch clone: another writer. */
export async function commitFiles(repoUrl: string, files: Record<string, string>, message: string) {
  await withClone(repoUrl, async dir => {
    for (const [file, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await fs.writeFile(path.join(dir, file), content);
    }
    await git(dir, ['add', '--all']);
    await git(dir, ['commit', '--quiet', '-m', message], { author });
    await git(dir, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
  });
}

/** Reads what main of `repoUrl` holds: files, head and the head's author and message. */
export async function readRepo(repoUrl: string) {
  return withClone(repoUrl, async dir => {
    const names = (await git(dir, ['ls-files'])).split('\n').filter(Boolean);
    const files: Record<string, string> = {};
    for (const name of names) files[name] = await fs.readFile(path.join(dir, name), 'utf8');
    return {
      files,
      head: await git(dir, ['rev-parse', 'HEAD']).catch(() => ''),
      log: await git(dir, ['log', '--format=%an <%ae>|%B']).catch(() => ''),
      commits: Number(await git(dir, ['rev-list', '--count', 'HEAD']).catch(() => '0')),
    };
  });
}

async function withClone<T>(repoUrl: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-test-clone-'));
  try {
    await git(dir, ['clone', '--quiet', repoUrl, '.']);
    await git(dir, ['checkout', '--quiet', '-B', 'main']);
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
