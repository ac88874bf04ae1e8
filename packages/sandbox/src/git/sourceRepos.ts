import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { GitRepo, type GitRef } from './gitRepo';

interface SeedCommit {
  message: string;
  author: string;
  tag?: string;
}

/**
 * Seeds the example services' source repositories (examples/sandbox/source-repos.yaml)
 * as bare repositories `<reposDir>/<name>.git`, once: one commit per entry appending
 * its message to CHANGELOG.md, tagged where the entry names a version. Existing
 * repositories (a restart, or a service published there) are left alone.
 */
export async function seedSourceRepositories(reposDir: string, seedFile: string): Promise<string[]> {
  const seed = parse(await fs.readFile(seedFile, 'utf8')) as {
    repositories?: Record<string, SeedCommit[]>;
  };
  const created: string[] = [];
  for (const [name, commits] of Object.entries(seed.repositories ?? {})) {
    const gitDir = path.join(reposDir, `${name}.git`);
    if (await exists(path.join(gitDir, 'HEAD'))) continue;
    const repo = await GitRepo.create(gitDir);
    let changelog = `# ${name}\n`;
    for (const commit of commits) {
      changelog += `\n- ${commit.message}`;
      const sha = await repo.commitFiles({ 'CHANGELOG.md': `${changelog}\n` }, commit.message, {
        name: commit.author,
        email: `${commit.author.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`,
      });
      if (commit.tag) await repo.tag(commit.tag, sha);
    }
    created.push(name);
  }
  return created;
}

async function exists(file: string) {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** The names of the source repositories (`<name>.git`) in `reposDir`; none when it is missing. */
export async function listSourceRepositories(
  reposDir: string,
): Promise<string[]> {
  const entries = await fs
    .readdir(reposDir, { withFileTypes: true })
    .catch(() => []);
  return entries
    .filter(entry => entry.isDirectory() && entry.name.endsWith('.git'))
    .map(entry => entry.name.slice(0, -'.git'.length))
    .sort();
}

/** The `refs/pull/<n>/head` refs of a source repository (its open pull requests). */
export async function pullRequestRefs(
  reposDir: string,
  name: string,
): Promise<GitRef[]> {
  const refs = await GitRepo.open(path.join(reposDir, `${name}.git`))
    .listRefs()
    .catch(() => []);
  return refs.filter(ref => /^refs\/pull\/\d+\/head$/.test(ref.name));
}
