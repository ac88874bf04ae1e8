import {
  DefaultGithubCredentialsProvider,
  type GithubCredentialsProvider,
  type ScmIntegrationRegistry,
} from '@backstage/integration';

/**
 * Credentials for GitOps repositories from the `integrations` users already configured
 * for Backstage: GitHub tokens or GitHub Apps, GitLab tokens. Tokens reach git as an
 * `http.extraHeader` for one command, never a remote URL or a file.
 *
 * @public
 */
export class ScmCredentials {
  /** Credentials of the configured integrations, GitHub Apps included. */
  static fromIntegrations(integrations: ScmIntegrationRegistry): ScmCredentials {
    return new ScmCredentials(integrations, DefaultGithubCredentialsProvider.fromIntegrations(integrations));
  }

  constructor(
    private readonly integrations: ScmIntegrationRegistry,
    private readonly github: GithubCredentialsProvider,
  ) {}

  /** The API token for a repository URL, when an integration covers its host. */
  async tokenFor(repoURL: string): Promise<string | undefined> {
    if (!repoURL.startsWith('https://')) return undefined;
    if (this.integrations.github.byUrl(repoURL)) {
      return (await this.github.getCredentials({ url: repoURL })).token;
    }
    return this.integrations.gitlab.byUrl(repoURL)?.config.token;
  }

  /** git `-c` settings that authenticate https fetches and pushes to `repoURL`. */
  async gitConfigFor(repoURL: string): Promise<string[]> {
    const token = await this.tokenFor(repoURL);
    if (!token) return [];
    // GitHub takes any user name with an installation or personal token; GitLab wants oauth2.
    const user = this.integrations.gitlab.byUrl(repoURL) ? 'oauth2' : 'x-access-token';
    return [`http.extraHeader=Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`];
  }
}
