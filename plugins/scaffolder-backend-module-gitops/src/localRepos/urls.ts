import { InputError } from '@backstage/errors';

/**
 * The host of the URLs under which the repositories of `gitops:publish:local` are read.
 * Nothing listens there: the `gitopsLocalReposUrlReaderModule` reader claims the host
 * and answers from the bare repositories on disk, so the catalog, TechDocs and the
 * scaffolder's fetch actions can read them like any hosted repository.
 *
 * @public
 */
export const LOCAL_REPOS_HOST = 'gitops.local';
export const LOCAL_REPOS_ORIGIN = `https://${LOCAL_REPOS_HOST}`;

/** A plain directory name: no separators, no `..`, no hidden names, no `.git` suffix. */
export const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

const encodePath = (value: string) => value.split('/').map(encodeURIComponent).join('/');

/**
 * `https://gitops.local/<repoName>/blob/<ref>[/<path>]`: a file, directory or glob.
 *
 * @public
 */
export function localRepoUrl(repoName: string, ref: string, filePath = ''): string {
  const base = `${LOCAL_REPOS_ORIGIN}/${encodeURIComponent(repoName)}/blob/${encodePath(ref)}`;
  return filePath ? `${base}/${encodePath(filePath)}` : base;
}

/** True for the URLs this package serves: exactly `https://gitops.local/…`. */
export function isLocalRepoUrl(url: URL): boolean {
  return url.protocol === 'https:' && url.host === LOCAL_REPOS_HOST;
}

/** A URL of the scheme, taken apart; the ref is still text to resolve against the repository. */
export interface LocalRepoLocation {
  repoName: string;
  /** The segments after `blob/` or `tree/`: the ref followed by the path (a ref may hold `/`). */
  refAndPath: string[];
  /** False when the URL names only the repository (`https://gitops.local/<name>`): its HEAD root. */
  hasRef: boolean;
}

/**
 * Parses `https://gitops.local/<name>[.git][/(blob|tree)/<ref>/<path>]`. Every segment is
 * percent-decoded on its own and must then be a plain name: empty segments, `.` and `..`
 * (also encoded, `%2e%2e`), encoded separators (`%2F`, `%5C`) and NUL are refused, so no
 * URL can name anything outside the repository it names.
 */
export function parseLocalRepoUrl(url: string): LocalRepoLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`'${url}' is not a URL`);
  }
  if (!isLocalRepoUrl(parsed)) {
    throw new InputError(`'${url}' is not a ${LOCAL_REPOS_ORIGIN} URL`);
  }
  // WHATWG parsing already collapsed literal `..` segments; look at the raw text too so a
  // URL that tried to climb out is refused instead of silently meaning something else.
  const rawPath = url.replace(/^[^:]+:\/\/[^/]+/, '').split(/[?#]/)[0];
  const raw = rawPath.split(/[\\/]/).slice(1);
  const segments = parsed.pathname.split('/').slice(1);
  if (segments.at(-1) === '') segments.pop(); // a trailing slash names a directory
  const decoded = segments.map(segment => decodeSegment(url, segment));
  if (raw.some(segment => /^(\.|%2e){1,2}$/i.test(segment))) {
    throw new InputError(`'${url}' must not contain '.' or '..' segments`);
  }

  const [name, kind, ...refAndPath] = decoded;
  if (!name) throw new InputError(`'${url}' names no repository`);
  const repoName = name.endsWith('.git') ? name.slice(0, -4) : name;
  if (kind === undefined) return { repoName, refAndPath: [], hasRef: false };
  if ((kind !== 'blob' && kind !== 'tree') || refAndPath.length === 0) {
    throw new InputError(`'${url}' must look like ${localRepoUrl('<name>', '<ref>', '<path>')}`);
  }
  return { repoName, refAndPath, hasRef: true };
}

function decodeSegment(url: string, segment: string): string {
  let value: string;
  try {
    value = decodeURIComponent(segment);
  } catch {
    throw new InputError(`'${url}' is not validly percent-encoded`);
  }
  if (!value || value === '.' || value === '..' || /[\\/\0]/.test(value)) {
    throw new InputError(
      `'${url}' has an invalid path segment '${segment}': no empty, '.', '..', '/', '\\' or NUL`,
    );
  }
  return value;
}
