import { InputError } from '@backstage/errors';
import type { Document } from 'yaml';
import { findManifest, parseManifests, replaceScalar, scalarAt, scalarText } from '../yaml/manifests';
import type { RepositoryEdit } from './edits';
import type { VersionReader } from './readers';
import { requireManifestPath, requireResourceName, requireRelativePath, requireRevision } from './validation';
import { editYaml, readExisting, writeIfChanged } from './worktreeFiles';

/**
 * Which value of which Kubernetes manifest: the document of a (possibly
 * multi-document) file whose `kind` and `metadata.name` match, and a path in it.
 *
 * @public
 */
export interface ManifestField {
  /** The manifest's `kind`, e.g. `Application`. */
  kind: string;
  /** Its `metadata.name`. */
  name: string;
  /**
   * The keys to the value; numeric segments index sequences, e.g.
   * `['spec', 'sources', '0', 'targetRevision']`.
   */
  path: string[];
}

/**
 * Sets a scalar of one manifest of a file, e.g. an Argo CD Application's
 * `spec.source.targetRevision` (a chart version or git revision). Only the value's
 * characters change: comments, quoting, order and the file's other documents stay as
 * written. The value must already be set (a missing path is an InputError, as is a
 * file without the manifest): a promotion changes a version, it does not invent one.
 *
 * @public
 */
export function manifestFieldEdit(options: ManifestField & { file: string; value: string }): RepositoryEdit {
  requireRelativePath('file', options.file);
  requireManifestField(options);
  requireRevision('value', options.value);
  return async worktree => {
    const text = await readExisting(worktree, options.file);
    const edit = editYaml(options.file, () => setManifestField(text, options, options.value));
    return writeIfChanged(worktree, options.file, edit);
  };
}

/**
 * The value of a manifest's field (see {@link manifestFieldEdit}); undefined when the
 * file has no such manifest or the manifest does not set it.
 *
 * @public
 */
export function manifestFieldReader(field: ManifestField): VersionReader {
  requireManifestField(field);
  return text => {
    try {
      const doc = findManifest(parseManifests(text), field.kind, field.name);
      const node = doc && scalarAt(doc, field.path);
      return node && typeof node !== 'string' ? scalarText(node) : undefined;
    } catch {
      // An old revision that is not valid YAML set no version.
      return undefined;
    }
  };
}

function requireManifestField(field: ManifestField) {
  requireResourceName('kind', field.kind);
  requireResourceName('name', field.name);
  requireManifestPath('path', field.path);
}

/** The edited text; throws an InputError naming the manifest when it or the value is missing. */
function setManifestField(text: string, field: ManifestField, value: string) {
  const doc = requireManifest(parseManifests(text), field.kind, field.name);
  return setScalar(text, doc, field.path, value, `${field.kind} '${field.name}'`);
}

/** The document of the manifest; an InputError (the file is prefixed by the caller) when none matches. */
export function requireManifest(docs: Document.Parsed[], kind: string, name: string): Document.Parsed {
  const doc = findManifest(docs, kind, name);
  if (!doc) throw new InputError(`no ${kind} named '${name}' in the file`);
  return doc;
}

/** Replaces an existing scalar of `doc` in place; `subject` names the manifest in errors. */
export function setScalar(text: string, doc: Document.Parsed, path: string[], value: string, subject: string) {
  const node = scalarAt(doc, path);
  if (typeof node === 'string') throw new InputError(`${subject}: ${node}`);
  if (scalarText(node) === value) return { text, changed: false };
  return { text: replaceScalar(text, node, value), changed: true };
}
