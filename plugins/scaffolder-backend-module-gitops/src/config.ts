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
 * `gitops.scaffolder.localPublishDir` as an absolute directory: where `gitops:publish:local`
 * writes and the local repositories URL reader reads.
 */
export function resolveLocalPublishDir(config: Pick<RootConfigService, 'getOptionalString'>): string {
  return path.resolve(
    config.getOptionalString('gitops.scaffolder.localPublishDir') ??
      path.join('.sandbox-data', 'repos'),
  );
}

/**
 * Reads the module's settings. Relative directories resolve against the backend's
 * working directory, like every other file location in app-config.
 */
export function readGitopsScaffolderConfig(config: RootConfigService): GitopsScaffolderConfig {
  const integrations = ScmIntegrations.fromConfig(config);
  return {
    localPublishDir: resolveLocalPublishDir(config),
    gitopsRepoUrl: resolveFileUrl(config.getOptionalString('gitops.scaffolder.gitopsRepoUrl')),
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

/**
 * `file://../../.sandbox-data/gitops.git` style URLs resolve against the backend's
 * working directory, so app-config can point at the sandbox without an absolute path.
 */
function resolveFileUrl(url: string | undefined): string | undefined {
  if (!url?.startsWith('file://')) return url;
  const target = url.slice('file://'.length);
  return path.isAbsolute(target) ? url : `file://${path.resolve(target)}`;
}
