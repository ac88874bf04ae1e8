/** A pull (or merge) request on an SCM host, as far as a promotion follows it. */
export interface PullRequest {
  url: string;
  number: number;
  state: 'open' | 'merged' | 'closed';
  /** The commit the merge put on the base branch (merged pull requests only). */
  mergeCommitSha?: string;
}

export interface OpenPullRequest {
  repoURL: string;
  /** The branch it merges into: the one Argo CD follows. */
  base: string;
  /** The branch holding the change. */
  head: string;
  title: string;
  body: string;
}

/**
 * Opens and reads pull requests on one kind of SCM host. Implementations exist for
 * GitHub; GitLab merge requests fit the same three calls.
 */
export interface PullRequestProvider {
  /** Whether this provider serves the repository (an integration covers its host). */
  supports(repoURL: string): boolean;
  /** Opens one, or returns the one already opened from the same head: safe to repeat. */
  open(request: OpenPullRequest): Promise<PullRequest>;
  get(repoURL: string, number: number): Promise<PullRequest>;
}
