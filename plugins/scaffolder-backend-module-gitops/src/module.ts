import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
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
        scaffolder.addActions(
          createSetImageAction(),
          createPublishLocalAction({ baseDir: settings.localPublishDir, author: settings.author }),
          createRegisterServiceAction({
            defaultRepoUrl: settings.gitopsRepoUrl,
            author: settings.author,
            credentialsFor: settings.credentialsFor,
          }),
          createPromoteAction({ discovery, auth }),
        );
      },
    });
  },
});
