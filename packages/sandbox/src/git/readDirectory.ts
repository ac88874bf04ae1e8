import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Every file below `dir`, keyed by its path relative to `dir` with `/` separators,
 * leaving out the top-level folders named in `skip`.
 */
export async function readDirectory(
  dir: string,
  skip: string[] = [],
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const entries = await fs.readdir(dir, {
    recursive: true,
    withFileTypes: true,
  });
  for (const entry of entries) {
    if (entry.isFile()) {
      const absolute = path.join(entry.parentPath, entry.name);
      const relative = path.relative(dir, absolute).split(path.sep).join('/');
      if (!skip.some(folder => relative.startsWith(`${folder}/`))) {
        files[relative] = await fs.readFile(absolute, 'utf8');
      }
    }
  }
  return files;
}
