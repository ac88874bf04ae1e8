import { InputError } from '@backstage/errors';
import path from 'path';

const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const KEY_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const BRANCH_PATTERN = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,200}$/;
const TRAILER_KEY = /^[A-Za-z][A-Za-z0-9-]*$/;
const TRAILER_VALUE = /^[A-Za-z0-9._:/-]{1,200}$/;
const COMMIT_SHA = /^[0-9a-f]{7,64}$/i;
const FULL_COMMIT_SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/i;
// Chart versions (semver with `+build`), git tags and branches: what a targetRevision holds.
const REVISION_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.+\/-]{0,199}$/;

// Bad input changes nothing: every value is checked before git runs, and each
// message names the field.

/**
 * An OCI image tag (letters, digits, `_`, `.`, `-`; at most 128), as it is written into
 * a values file. Like every check here, throws an InputError naming `field` otherwise.
 *
 * @public
 */
export function requireImageTag(field: string, tag: string) {
  if (!TAG_PATTERN.test(tag)) throw new InputError(`${field} '${tag}' is not a valid image tag`);
}

/**
 * A dotted YAML key path such as `image.tag`: the form {@link setValueEdit} and
 * {@link yamlValueReader} take.
 *
 * @public
 */
export function requireKeyPath(field: string, key: string) {
  if (!KEY_PATTERN.test(key)) throw new InputError(`${field} '${key}' is not a valid YAML key path`);
}

/**
 * A revision as written into a manifest or an ApplicationSet element: a Helm chart
 * version (`1.4.2`, `1.4.2+build.7`), a git tag or branch (`v1.4.2`, `release/1.4`) or a
 * commit. No whitespace, control characters, quotes or YAML syntax (it lands in YAML),
 * no leading `-` and no `..` (it may reach git); at most 200 characters.
 *
 * @public
 */
export function requireRevision(field: string, value: string) {
  if (!REVISION_PATTERN.test(value) || value.includes('..') || value.endsWith('/')) {
    throw new InputError(`${field} '${value}' is not a valid chart version or git revision`);
  }
}

/**
 * A Kubernetes `kind` or `metadata.name` (letters, digits, `.`, `-`; at most 253), as
 * manifests are matched by.
 *
 * @public
 */
export function requireResourceName(field: string, value: string) {
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(value)) {
    throw new InputError(`${field} '${value}' is not a valid Kubernetes kind or name`);
  }
}

/**
 * A path of keys into a manifest (`['spec', 'source', 'targetRevision']`): at least
 * one key, none empty or with control characters.
 *
 * @public
 */
export function requireManifestPath(field: string, value: string[]) {
  if (!Array.isArray(value) || !value.length || value.some(key => typeof key !== 'string' || !key || hasControlCharacter(key))) {
    throw new InputError(`${field} '${JSON.stringify(value)}' is not a path of keys`);
  }
}

/**
 * A branch name git accepts and cannot read as an option or a revision range: no
 * leading `-`, no `..` or `//`, no trailing `/` or `.lock`.
 *
 * @public
 */
export function requireBranch(field: string, branch: string) {
  if (!BRANCH_PATTERN.test(branch) || branch.endsWith('/') || branch.endsWith('.lock')) {
    throw new InputError(`${field} '${branch}' is not a valid branch name`);
  }
}

/**
 * A repository-relative path without traversal: paths come from users and templates,
 * so a `{service}` of `../..` must never let a write leave the repository.
 *
 * @public
 */
export function requireRelativePath(field: string, value: string) {
  const parts = value.split(/[\\/]/);
  if (!value || path.isAbsolute(value) || /^[A-Za-z]:/.test(value) || parts.includes('..') || /[\0\n\r]/.test(value)) {
    throw new InputError(`${field} '${value}' must be a relative path inside the repository`);
  }
}

/**
 * A commit id (abbreviated or full, SHA-1 or SHA-256): revisions come from Argo CD and
 * the database, and git must never read one as an option or a revision expression.
 */
export function requireCommitSha(field: string, value: string) {
  if (!COMMIT_SHA.test(value)) throw new InputError(`${field} '${value}' is not a commit SHA`);
}

/**
 * A full commit id (40 hex digits, or 64 for SHA-256): a merge must name exactly one
 * commit, never something an abbreviation could later resolve to.
 */
export function requireFullCommitSha(field: string, value: string) {
  if (!FULL_COMMIT_SHA.test(value)) throw new InputError(`${field} '${value}' is not a full commit SHA`);
}

/**
 * The URL forms git can push to without a shell helper: https, ssh and local files.
 *
 * @public
 */
export function requireGitUrl(field: string, value: string) {
  if (!/^(https:\/\/|ssh:\/\/|file:\/\/|git@[^:]+:)\S+$/.test(value)) {
    throw new InputError(`${field} '${value}' must be an https://, ssh://, git@host: or file:// repository URL`);
  }
}

/**
 * A change's commit is found again by its trailer line, anywhere in the message: a
 * message (free text from a user) carrying a line with the same key would make another
 * change look written, and that change would never be committed.
 */
export function requireMessageWithoutTrailer(message: string, key: string) {
  const forged = message.split(/\r\n|\r|\n/).find(line => line.trim().toLowerCase().startsWith(`${key.toLowerCase()}:`));
  if (forged !== undefined) {
    throw new InputError(`commit message may not contain a '${key}:' line (it identifies the commit of a change): '${forged.trim()}'`);
  }
}

export function requireTrailer(trailer: { key: string; value: string }) {
  if (!TRAILER_KEY.test(trailer.key) || !TRAILER_VALUE.test(trailer.value)) {
    throw new InputError(`trailer '${trailer.key}: ${trailer.value}' is not a valid git trailer`);
  }
}

function hasControlCharacter(text: string): boolean {
  return [...text].some(char => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}
