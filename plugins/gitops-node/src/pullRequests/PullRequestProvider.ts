/**
 * A pull (or merge) request on an SCM host, as far as a promotion follows it.
 *
 * @public
 */
export interface PullRequest {
  /** Its web page, for people to review it. */
  url: string;
  /** Its number in the repository, for {@link PullRequestProvider.get}. */
  number: number;
  /** `closed`: closed without merging. */
  state: 'open' | 'merged' | 'closed';
  /** The commit the merge put on the base branch (merged pull requests only). */
  mergeCommitSha?: string;
}

/**
 * What to open a pull request with: the head branch already pushed.
 *
 * @public
 */
export interface OpenPullRequest {
  /** The repository, as its https URL. */
  repoURL: string;
  /** The branch it merges into: the one Argo CD follows. */
  base: string;
  /** The branch holding the change. */
  head: string;
  /** Its title, usually the commit's subject. */
  title: string;
  /** Its description, in the host's Markdown. */
  body: string;
}

/**
 * Opens, reads and closes pull requests on one kind of SCM host. Implementations exist
 * for GitHub; GitLab merge requests fit the same calls.
 *
 * @public
 */
export interface PullRequestProvider {
  /** Whether this provider serves the repository (an integration covers its host). */
  supports(repoURL: string): boolean;
  /** Opens one, or returns the one already opened from the same head: safe to repeat. */
  open(request: OpenPullRequest): Promise<PullRequest>;
  /** Reads its current state, e.g. to see whether it has been merged. */
  get(repoURL: string, number: number): Promise<PullRequest>;
  /**
   * Closes it without merging, after commenting why (a promotion that gave up on it:
   * merged later, it would deploy a change nobody follows). Answers its state after:
   * `merged` when someone merged it first.
   */
  close(repoURL: string, number: number, comment: string): Promise<PullRequest>;
}
