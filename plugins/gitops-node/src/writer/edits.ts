import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { setYamlValue } from '../yaml/yamlEdit';
import fs from 'fs/promises';
import path from 'path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { requireImageTag, requireKeyPath, requireRelativePath } from './validation';
import { editYaml, exists, readExisting, writeIfChanged } from './worktreeFiles';

/**
 * What the writer gives an edit besides the worktree, for edits that need git itself
 * (merging a branch, restoring files of an older commit).
 *
 * @public
 */
export interface EditContext {
  /** The branch the change is made on (the environment's branch, not a pull request's head). */
  branch: string;
  /**
   * Runs git in the worktree with the writer's credentials and author, so an edit can
   * fetch from `origin` and merge; resolves with stdout, rejects with a GitCommandError.
   */
  git(args: string[]): Promise<string>;
}

/**
 * A change to a checked-out working tree. Returns the files it changed, relative to
 * the tree; none means the tree already holds the change (nothing to commit). Edits
 * are re-applied on the newest head whenever a push loses a race, so they must
 * compute the change from the file as it is, never from a cached copy. The writer
 * always passes `context`; an edit of files alone can ignore it.
 *
 * @public
 */
export type RepositoryEdit = (worktree: string, context?: EditContext) => Promise<string[]>;

/**
 * Sets a Helm values key (e.g. `image.tag`), keeping comments and formatting.
 *
 * @public
 */
export function setValueEdit(options: { file: string; key: string; value: string }): RepositoryEdit {
  requireRelativePath('file', options.file);
  requireKeyPath('key', options.key);
  requireImageTag('value', options.value);
  return async worktree => {
    const text = await readExisting(worktree, options.file);
    const edit = editYaml(options.file, () => setYamlValue(text, options.key.split('.'), options.value));
    return writeIfChanged(worktree, options.file, edit);
  };
}

/**
 * Sets `newTag` of an image in a kustomization's `images:` list, matched by its `name`
 * (or `newName`), adding the entry when the image is not listed yet.
 *
 * @public
 */
export function kustomizeImageEdit(options: { file: string; image: string; tag: string }): RepositoryEdit {
  requireRelativePath('file', options.file);
  requireImageTag('tag', options.tag);
  if (!/^[a-z0-9]+([._\/:-][a-z0-9]+)*$/.test(options.image)) {
    throw new InputError(`image '${options.image}' is not an image name`);
  }
  return async worktree => {
    const text = await readExisting(worktree, options.file);
    const edit = editYaml(options.file, () => setKustomizeImageTag(text, options.image, options.tag));
    return writeIfChanged(worktree, options.file, edit);
  };
}

/**
 * Adds new files; refuses (409) when any of them exists: someone else owns it.
 *
 * @public
 */
export function addFilesEdit(options: {
  files: Array<{ path: string; content: string }>;
  /** What is being added, for the conflict message: "service 'x'". */
  subject: string;
}): RepositoryEdit {
  for (const file of options.files) requireRelativePath('files[].path', file.path);
  return async worktree => {
    const existing = [];
    for (const file of options.files) {
      if (await exists(resolveSafeChildPath(worktree, file.path))) existing.push(file.path);
    }
    if (existing.length) {
      throw new ConflictError(`${options.subject} is already registered: ${existing.join(', ')} exist`);
    }
    for (const file of options.files) {
      const target = resolveSafeChildPath(worktree, file.path);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.content);
    }
    return options.files.map(f => f.path);
  };
}

function setKustomizeImageTag(text: string, image: string, tag: string) {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`not valid YAML: ${doc.errors[0].message}`);
  const images = doc.get('images');
  if (images !== undefined && images !== null && !isSeq(images)) throw new Error('images is not a list');
  const index = isSeq(images)
    ? images.items.findIndex(item => isMap(item) && (item.get('name') === image || item.get('newName') === image))
    : -1;
  if (index >= 0) return setYamlValue(text, ['images', String(index), 'newTag'], tag);
  // Not listed yet: append through the Document API, which keeps the rest as written.
  if (isSeq(images)) images.add(doc.createNode({ name: image, newTag: tag }));
  else doc.set('images', doc.createNode([{ name: image, newTag: tag }]));
  return { text: doc.toString(), changed: true, previous: undefined };
}
