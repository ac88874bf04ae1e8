import type { RootConfigService } from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import type { GitAuthor } from '@gitops-suite/backstage-plugin-gitops-node';
import os from 'os';
import path from 'path';

/** What the module's actions read from app-config. */
export interface GitopsScaffolderConfig {
  /** `gitops.scaffolder.localPublishDir`: where `gitops:publish:local` creates bare repositories. */
  localPublishDir: string;
  /** `gitops.scaffolder.gitopsRepoUrl`: the GitOps repository when a template gives none. */
  gitopsRepoUrl?: string;
  /** `gitops.git.authorName` / `gitops.git.authorEmail`: shared with the promotion writer. */
  author: GitAuthor;
  /**
   * Where the actions' GitopsRepositoryWriter keeps its clones: `scaffolder/` under
   * `gitops.git.workDir`, or `backstage-gitops-scaffolder` in the OS temp directory, apart
   * from the backend's promotion clones (each writer serialises writes to its own clones).
   */
  workDir: string;
  /** `integrations`: credentials for https pushes and the GitHub API (pull requests). */
  integrations: ScmIntegrations;
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
  const workDir = config.getOptionalString('gitops.git.workDir');
  return {
    localPublishDir: resolveLocalPublishDir(config),
    gitopsRepoUrl: resolveFileUrl(config.getOptionalString('gitops.scaffolder.gitopsRepoUrl')),
    author: {
      name: config.getOptionalString('gitops.git.authorName') ?? DEFAULT_AUTHOR.name,
      email: config.getOptionalString('gitops.git.authorEmail') ?? DEFAULT_AUTHOR.email,
    },
    workDir: workDir
      ? path.join(path.resolve(workDir), 'scaffolder')
      : path.join(os.tmpdir(), 'backstage-gitops-scaffolder'),
    integrations: ScmIntegrations.fromConfig(config),
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
