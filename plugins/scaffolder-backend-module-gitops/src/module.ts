import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  GithubPullRequests,
  GitopsRepositoryWriter,
  ScmCredentials,
} from '@gitops-suite/backstage-plugin-gitops-node';
import { createPromoteAction } from './actions/promote';
import { createPublishLocalAction } from './actions/publishLocal';
import { createRegisterServiceAction } from './actions/registerService';
import { createSetImageAction } from './actions/setImage';
import { readGitopsScaffolderConfig } from './config';

/**
 * Adds the GitOps actions to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleGitops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, config, discovery, auth }) {
        const settings = readGitopsScaffolderConfig(config);
        // The writer promotions use: one commit with a trailer, fetch-redo-retry
        // pushes, pull request branches; credentials from `integrations`.
        const credentials = ScmCredentials.fromIntegrations(settings.integrations);
        const gitops = {
          defaultRepoUrl: settings.gitopsRepoUrl,
          writer: new GitopsRepositoryWriter({ workDir: settings.workDir, author: settings.author, credentials }),
          pullRequests: [new GithubPullRequests(settings.integrations, credentials)],
        };
        scaffolder.addActions(
          createSetImageAction(gitops),
          createPublishLocalAction({ baseDir: settings.localPublishDir, author: settings.author }),
          createRegisterServiceAction(gitops),
          createPromoteAction({ discovery, auth }),
        );
      },
    });
  },
});
