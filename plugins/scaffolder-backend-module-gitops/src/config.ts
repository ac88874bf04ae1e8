import type { RootConfigService } from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import path from 'path';
import type { GitAuthor } from './git/git';

/** What the module's actions read from app-config. */
export interface GitopsScaffolderConfig {
  /** `gitops.scaffolder.localPublishDir`: where `gitops:publish:local` creates bare repositories. */
  localPublishDir: string;
  /** `gitops.scaffolder.gitopsRepoUrl`: the GitOps repository when a template gives none. */
  gitopsRepoUrl?: string;
  /** `gitops.git.authorName` / `gitops.git.authorEmail`: shared with the promotion writer. */
  author: GitAuthor;
  /** git `-c` settings that authenticate one repository URL (https tokens from `integrations`). */
  credentialsFor(repoUrl: string): string[];
}

export const DEFAULT_AUTHOR: GitAuthor = {
  name: 'Backstage GitOps',
  email: 'gitops@backstage.local',
};

/**
 * Reads the module's settings. Relative directories resolve against the backend's
 * working directory, like every other file location in app-config.
 */
export function readGitopsScaffolderConfig(config: RootConfigService): GitopsScaffolderConfig {
  const integrations = ScmIntegrations.fromConfig(config);
  return {
    localPublishDir: path.resolve(
      config.getOptionalString('gitops.scaffolder.localPublishDir') ??
        path.join('.sandbox-data', 'repos'),
    ),
    gitopsRepoUrl: config.getOptionalString('gitops.scaffolder.gitopsRepoUrl'),
    author: {
      name: config.getOptionalString('gitops.git.authorName') ?? DEFAULT_AUTHOR.name,
      email: config.getOptionalString('gitops.git.authorEmail') ?? DEFAULT_AUTHOR.email,
    },
    credentialsFor: gitCredentialsFrom(integrations),
  };
}

/**
 * git `-c` settings that authenticate https pushes with the `integrations` tokens users
 * already configured (GitHub, GitLab). The token goes into an `http.extraHeader` of one
 * command, never into a remote URL or a file on disk.
 */
export function gitCredentialsFrom(integrations: ScmIntegrations) {
  return (repoUrl: string): string[] => {
    if (!repoUrl.startsWith('https://')) return [];
    const github = integrations.github.byUrl(repoUrl)?.config.token;
    const gitlab = integrations.gitlab.byUrl(repoUrl)?.config.token;
    const basic = github ? `x-access-token:${github}` : gitlab && `oauth2:${gitlab}`;
    if (!basic) return [];
    return [`http.extraHeader=Authorization: Basic ${Buffer.from(basic).toString('base64')}`];
  };
}
