import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { readDirectory } from './readDirectory';

/**
 * The folder of a GitOps repository seed that holds its extra refs rather than content
 * (it is not committed):
 *
 * - `.sandbox/tags.yaml`: `tags: [name, ...]`, lightweight tags on the seed commit;
 * - `.sandbox/branches/<branch>/...`: a branch made from the seed commit with one
 *   more commit, "Seed branch <branch>", that writes these files (paths relative to
 *   the branch folder) over the seed's.
 */
export const SEED_REFS_DIR = '.sandbox';

export interface SeedBranch {
  name: string;
  message: string;
  files: Record<string, string>;
}

export interface SeedRefs {
  tags: string[];
  branches: SeedBranch[];
}

export async function readSeedRefs(seedDir: string): Promise<SeedRefs> {
  const dir = path.join(seedDir, SEED_REFS_DIR);
  return { tags: await readTags(dir), branches: await readBranches(dir) };
}

async function readTags(dir: string): Promise<string[]> {
  const text = await fs
    .readFile(path.join(dir, 'tags.yaml'), 'utf8')
    .catch(() => undefined);
  const tags = text === undefined ? [] : parse(text)?.tags ?? [];
  if (!Array.isArray(tags) || !tags.every(tag => typeof tag === 'string')) {
    throw new Error(`${dir}/tags.yaml: tags must be a list of names`);
  }
  return tags;
}

async function readBranches(dir: string): Promise<SeedBranch[]> {
  const branchesDir = path.join(dir, 'branches');
  const entries = await fs
    .readdir(branchesDir, { withFileTypes: true })
    .catch(() => []);
  const branches: SeedBranch[] = [];
  for (const entry of entries.filter(e => e.isDirectory()).sort(byName)) {
    branches.push({
      name: entry.name,
      message: `Seed branch ${entry.name}`,
      files: await readDirectory(path.join(branchesDir, entry.name)),
    });
  }
  return branches;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}
