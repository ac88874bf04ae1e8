import type { ScmIntegrations } from '@backstage/integration';

/**
 * git `-c` settings that authenticate https pushes with the `integrations` credentials
 * users already configured for Backstage (GitHub and GitLab tokens). The token goes in
 * an `http.extraHeader` for that one command, never into a remote URL or a file.
 */
export function gitCredentialsFrom(integrations: ScmIntegrations) {
  return (repoURL: string): string[] => {
    if (!repoURL.startsWith('https://')) return [];
    const basic = basicCredentials(integrations, repoURL);
    if (!basic) return [];
    return [`http.extraHeader=Authorization: Basic ${Buffer.from(basic).toString('base64')}`];
  };
}

/** `user:token` as each host expects it for token authentication over https. */
function basicCredentials(integrations: ScmIntegrations, repoURL: string) {
  const github = integrations.github.byUrl(repoURL)?.config.token;
  if (github) return `x-access-token:${github}`;
  const gitlab = integrations.gitlab.byUrl(repoURL)?.config.token;
  if (gitlab) return `oauth2:${gitlab}`;
  return undefined;
}
