import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import fs from 'fs/promises';

// File access of the edits: always inside the worktree, and every problem with a
// file's content reported as bad input naming the file.

/** Runs a content edit; its Error (the file is not what the edit expects) becomes an InputError naming the file. */
export function editYaml<T>(file: string, edit: () => T): T {
  try {
    return edit();
  } catch (error) {
    throw new InputError(`${file}: ${(error as Error).message}`);
  }
}

/** The text of a file of the worktree; an InputError when it does not exist. */
export async function readExisting(worktree: string, file: string): Promise<string> {
  return fs.readFile(resolveSafeChildPath(worktree, file), 'utf8').catch(() => {
    throw new InputError(`${file} does not exist in the repository`);
  });
}

/** Writes the edited text when it changed: the files an edit returns. */
export async function writeIfChanged(worktree: string, file: string, edit: { text: string; changed: boolean }) {
  if (!edit.changed) return [];
  await fs.writeFile(resolveSafeChildPath(worktree, file), edit.text);
  return [file];
}

export async function exists(file: string) {
  return fs.access(file).then(() => true, () => false);
}
