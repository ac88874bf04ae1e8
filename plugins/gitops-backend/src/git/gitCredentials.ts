import type { ScmIntegrations } from '@backstage/integration';

/**
 * git `-c` settings that authenticate https pushes with the `integrations` credentials
 * users already configured for Backstage (GitHub and GitLab tokens). The token goes in
 * an `http.extraHeader` for that one command, never into a remote URL or a file.
 */
export function gitCredentialsFrom(integrations: ScmIntegrations) {
  return (repoURL: string): string[] => {
    if (!repoURL.startsWith('https://')) return [];
    const github = integrations.github.byUrl(repoURL)?.config.token;
    const gitlab = integrations.gitlab.byUrl(repoURL)?.config.token;
    const basic = github
      ? `x-access-token:${github}`
      : gitlab
        ? `oauth2:${gitlab}`
        : undefined;
    if (!basic) return [];
    return [`http.extraHeader=Authorization: Basic ${Buffer.from(basic).toString('base64')}`];
  };
}
