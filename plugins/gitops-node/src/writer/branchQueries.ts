import { GitCommandError } from '../git/git';

// Read-only questions about branches and revisions, answered by git in a clone (the
// writer fetches what they need first and holds the repository's lock).

type Git = (args: string[]) => Promise<string>;

// Renames as a deletion and an addition (per file counts stay exact); never a
// configured external diff or text conversion (they would run programs).
const DIFF_OPTIONS = ['--no-renames', '--no-ext-diff', '--no-textconv'];

/**
 * One file of a {@link RevisionDiff}: how it changed and by how many lines (0 and 0
 * for a binary file).
 *
 * @public
 */
export interface DiffFile {
  /** Relative to the repository's root. */
  path: string;
  /** A rename is a deletion and an addition; `type-changed`: a file became a symlink or back. */
  status: 'added' | 'modified' | 'deleted' | 'type-changed';
  /** Lines added. */
  additions: number;
  /** Lines deleted. */
  deletions: number;
}

/**
 * The difference between two commits of a repository, file by file, and as a patch
 * cut (at a line's end) to at most the asked number of bytes.
 *
 * @public
 */
export interface RevisionDiff {
  /** The commit diffed from (with `mergeBase`, the merge base). */
  from: string;
  /** The commit diffed to. */
  to: string;
  /** Each changed file, in path order. */
  files: DiffFile[];
  /** The unified diff (`git diff` output), cut after a whole line when too long. */
  patch: string;
  /** The patch was cut: it has more than `maxPatchBytes` bytes. */
  truncated: boolean;
}

const STATUS: Record<string, DiffFile['status']> = { A: 'added', M: 'modified', D: 'deleted', T: 'type-changed' };

/** Files and patch from `from` to `to` under `paths` (the whole tree when empty); renames are a deletion and an addition. */
export async function diffCommits(git: Git, from: string, to: string, paths: string[], maxPatchBytes: number): Promise<RevisionDiff> {
  const range = [...DIFF_OPTIONS, from, to, '--', ...paths];
  const statuses = parseNulPairs(await git(['--literal-pathspecs', 'diff', '--name-status', '-z', ...range]));
  const counts = parseNumstat(await git(['--literal-pathspecs', 'diff', '--numstat', '-z', ...range]));
  const files = statuses.map(([status, path]) => ({
    path,
    status: STATUS[status[0]] ?? 'modified',
    additions: counts.get(path)?.[0] ?? 0,
    deletions: counts.get(path)?.[1] ?? 0,
  }));
  const { patch, truncated } = await boundedPatch(git, from, to, paths, files.map(f => f.path), maxPatchBytes);
  return { from, to, files, patch, truncated };
}

/**
 * The files merging `theirs` into `ours` would conflict in (none: it merges cleanly),
 * from a merge in memory: no worktree, index or ref changes.
 */
export async function mergeTreeConflicts(git: Git, ours: string, theirs: string): Promise<string[]> {
  try {
    await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', ours, theirs]);
    return [];
  } catch (error) {
    // Status 1 is "conflicts": stdout is the tree id, then each conflicting path, NUL-terminated.
    if (!(error instanceof GitCommandError && error.exitCode === 1 && error.stdout !== undefined)) throw error;
    return [...new Set(error.stdout.split('\0').slice(1).filter(Boolean))];
  }
}

/**
 * What a revision names on the remote, as Argo CD resolves a `targetRevision`: empty
 * or `HEAD` is the default branch; a branch before a tag of the same name; a commit id
 * that is no ref's name is a commit.
 *
 * @public
 */
export interface ResolvedRevision {
  /** What the revision names. */
  kind: 'branch' | 'tag' | 'commit';
  /** The commit it points at (a tag's commit, not the tag object); unknown for an abbreviated commit id. */
  sha?: string;
  /** The full ref name, for a branch or tag, e.g. `refs/heads/main`. */
  ref?: string;
}

/** The ls-remote patterns that list what `revision` may name. */
export function lsRemotePatterns(revision: string): string[] {
  if (revision === '' || revision === 'HEAD') return ['HEAD'];
  if (revision.startsWith('refs/')) return [revision, `${revision}^{}`];
  return [`refs/heads/${revision}`, `refs/tags/${revision}`, `refs/tags/${revision}^{}`];
}

/** Picks the ref `revision` names from `git ls-remote --symref` output for {@link lsRemotePatterns}. */
export function resolveFromLsRemote(output: string, revision: string): ResolvedRevision | undefined {
  const refs = new Map<string, string>();
  let defaultBranch: string | undefined;
  for (const line of output.split('\n').filter(Boolean)) {
    const [left, name] = line.split('\t');
    if (left.startsWith('ref: ')) defaultBranch = left.slice('ref: '.length);
    else refs.set(name, left);
  }
  if (revision === '' || revision === 'HEAD') {
    return refs.has('HEAD') ? { kind: 'branch', sha: refs.get('HEAD'), ref: defaultBranch } : undefined;
  }
  const full = revision.startsWith('refs/') ? [revision] : [`refs/heads/${revision}`, `refs/tags/${revision}`];
  const ref = full.find(name => refs.has(name));
  if (ref) {
    return { kind: ref.startsWith('refs/tags/') ? 'tag' : 'branch', sha: refs.get(`${ref}^{}`) ?? refs.get(ref), ref };
  }
  if (/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(revision)) return { kind: 'commit', sha: revision.toLowerCase() };
  // An abbreviated id: a commit for Argo CD too, though only a clone could expand it.
  if (/^[0-9a-f]{7,39}$/i.test(revision)) return { kind: 'commit' };
  return undefined;
}

/** The patch of the whole range or, when git's output is too big to hold, of one file after another up to the budget. */
async function boundedPatch(git: Git, from: string, to: string, paths: string[], files: string[], maxBytes: number) {
  // git's output comes trimmed: each patch gets its last newline back.
  const patchOf = (only: string[]) =>
    git(['--literal-pathspecs', 'diff', '--no-color', '--patch', ...DIFF_OPTIONS, from, to, '--', ...only]).then(out =>
      out ? `${out}\n` : '',
    );
  try {
    return cut(await patchOf(paths), maxBytes);
  } catch (error) {
    if (!(error instanceof Error && /wrote more than/.test(error.message))) throw error;
  }
  let patch = '';
  for (const file of files) {
    const part = await patchOf([file]).catch(() => undefined);
    // One file's patch too big to hold: what is shown is cut there.
    if (part === undefined) return { ...cut(patch, maxBytes), truncated: true };
    patch += part;
    if (Buffer.byteLength(patch) > maxBytes) break;
  }
  return cut(patch, maxBytes);
}

/** At most `maxBytes` bytes of `patch`, cut after a whole line. */
function cut(patch: string, maxBytes: number) {
  const bytes = Buffer.from(patch, 'utf8');
  if (bytes.length <= maxBytes) return { patch, truncated: false };
  const head = bytes.subarray(0, maxBytes).toString('utf8');
  const end = head.lastIndexOf('\n');
  return { patch: end >= 0 ? head.slice(0, end + 1) : '', truncated: true };
}

function parseNulPairs(out: string): Array<[string, string]> {
  const fields = out.split('\0').filter(Boolean);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < fields.length; i += 2) pairs.push([fields[i], fields[i + 1]]);
  return pairs;
}

/** `--numstat -z` without renames: `added\tdeleted\tpath` records; `-` counts for binary files. */
function parseNumstat(out: string): Map<string, [number, number]> {
  const counts = new Map<string, [number, number]>();
  for (const record of out.split('\0').filter(Boolean)) {
    const [added, deleted, ...path] = record.split('\t');
    counts.set(path.join('\t'), [Number(added) || 0, Number(deleted) || 0]);
  }
  return counts;
}
