import type { GitRef } from './gitRepo';

/** What a poll saw of a git repository: its refs and its default branch. */
export interface RefSnapshot {
  defaultBranch: string;
  refs: GitRef[];
}

/** Argo CD's error for a revision no ref names (util/git/client.go, `ErrRevisionNotFound`). */
export class RevisionNotFoundError extends Error {
  constructor(revision: string) {
    super(
      `unable to resolve '${revision}' to a commit SHA: revision not found`,
    );
  }
}

const COMMIT_SHA = /^[0-9a-f]{40}$/;

/**
 * Resolves an Application source's `targetRevision` to a commit, as Argo CD's git
 * client does (util/git/client.go `lsRemote`): a full commit sha as it is; empty or
 * `HEAD` is the default branch; otherwise the ref whose full name, or short name
 * (`dev` for `refs/heads/dev`, `v1` for `refs/tags/v1`), is the revision. Semver
 * constraints over tags and truncated shas are not supported. A commit sha comes back
 * with `needsCheck`: the caller checks that the repository has it.
 */
export function resolveRevision(
  snapshot: RefSnapshot,
  targetRevision: string | undefined,
): { sha: string; needsCheck: boolean } {
  const revision = targetRevision || 'HEAD';
  if (COMMIT_SHA.test(revision)) {
    return { sha: revision, needsCheck: true };
  }
  const wanted =
    revision === 'HEAD' ? `refs/heads/${snapshot.defaultBranch}` : revision;
  const ref = snapshot.refs.find(
    candidate =>
      candidate.name === wanted || shortName(candidate.name) === wanted,
  );
  if (!ref) {
    throw new RevisionNotFoundError(revision);
  }
  return { sha: ref.sha, needsCheck: false };
}

/** go-git's `ReferenceName.Short()` for branches, tags and remotes. */
function shortName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags|remotes)\//, '');
}

/** A fingerprint of the refs: equal when no followed ref moved. */
export function refsFingerprint(refs: GitRef[]): string {
  return refs.map(ref => `${ref.name}=${ref.sha}`).join('\n');
}
