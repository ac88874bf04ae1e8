import { InputError } from '@backstage/errors';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import type { OpenPullRequest, PullRequest, PullRequestProvider } from './PullRequestProvider';

/**
 * Supplies the API token for a repository URL (see ScmCredentials).
 *
 * @public
 */
export interface TokenSource {
  /** The token for the repository's host; undefined calls the API unauthenticated. */
  tokenFor(repoURL: string): Promise<string | undefined>;
}

/**
 * Pull requests on GitHub and GitHub Enterprise through its REST API, with the
 * credentials of Backstage's `integrations.github` (tokens or GitHub Apps).
 *
 * @public
 */
export class GithubPullRequests implements PullRequestProvider {
  constructor(
    private readonly integrations: ScmIntegrationRegistry,
    private readonly tokens: TokenSource,
  ) {}

  /** Whether an `integrations.github` entry covers the repository's host. */
  supports(repoURL: string): boolean {
    return Boolean(this.integrations.github.byUrl(repoURL));
  }

  /**
   * Opens one, or returns the newest one of the same head and base (open, merged or
   * closed), so a retried promotion does not open a second.
   */
  async open(request: OpenPullRequest): Promise<PullRequest> {
    const { octokit, owner, repo } = await this.client(request.repoURL);
    // An earlier attempt may have opened it (and someone merged or closed it) before
    // the process stopped: the newest one of this head branch is the answer then.
    const existing = await octokit.pulls.list({
      owner, repo, state: 'all', head: `${owner}:${request.head}`, base: request.base, sort: 'created', direction: 'desc',
    });
    if (existing.data.length) return toPullRequest(existing.data[0]);
    const created = await octokit.pulls.create({
      owner, repo, base: request.base, head: request.head, title: request.title, body: request.body,
    });
    return toPullRequest(created.data);
  }

  /** Reads a pull request by number. */
  async get(repoURL: string, number: number): Promise<PullRequest> {
    const { octokit, owner, repo } = await this.client(repoURL);
    const { data } = await octokit.pulls.get({ owner, repo, pull_number: number });
    return toPullRequest(data);
  }

  /** Comments why, then closes it; one merged or closed already is answered as it is. */
  async close(repoURL: string, number: number, comment: string): Promise<PullRequest> {
    const { octokit, owner, repo } = await this.client(repoURL);
    const { data: current } = await octokit.pulls.get({ owner, repo, pull_number: number });
    if (current.state !== 'open') return toPullRequest(current);
    await octokit.issues.createComment({ owner, repo, issue_number: number, body: comment });
    const { data } = await octokit.pulls.update({ owner, repo, pull_number: number, state: 'closed' });
    return toPullRequest(data);
  }

  private async client(repoURL: string) {
    const integration = this.integrations.github.byUrl(repoURL);
    if (!integration) throw new InputError(`No GitHub integration covers ${repoURL}`);
    const match = new URL(repoURL).pathname.match(/^\/([^/]+)\/([^/]+?)(\.git)?\/?$/);
    if (!match) throw new InputError(`${repoURL} is not a GitHub repository URL (https://host/owner/repo)`);
    const octokit = new Octokit({
      baseUrl: integration.config.apiBaseUrl,
      auth: await this.tokens.tokenFor(repoURL),
    });
    return { octokit, owner: match[1], repo: match[2] };
  }
}

function toPullRequest(data: {
  html_url: string;
  number: number;
  state: string;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
}): PullRequest {
  const merged = Boolean(data.merged_at);
  let state: PullRequest['state'] = data.state === 'open' ? 'open' : 'closed';
  if (merged) state = 'merged';
  return {
    url: data.html_url,
    number: data.number,
    state,
    mergeCommitSha: merged ? data.merge_commit_sha ?? undefined : undefined,
  };
}
