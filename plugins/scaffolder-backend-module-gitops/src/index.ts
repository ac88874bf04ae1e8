/**
 * Scaffolder actions of the GitOps delivery suite, and the URL reader for the
 * repositories `gitops:publish:local` creates.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGitops as default } from './module';
export { createSetImageAction, type SetImageOptions } from './actions/setImage';
export type { GitopsWriteOptions, WriteMethod } from './gitops/writeToGitops';
export type { ApplicationSetElement } from './gitops/applicationSet';
export { createPublishLocalAction, type PublishLocalOptions } from './actions/publishLocal';
export {
  createRegisterServiceAction,
  type RegisterServiceOptions,
} from './actions/registerService';
export { createPromoteAction, type PromoteOptions } from './actions/promote';
export { gitopsLocalReposUrlReaderModule } from './localRepos/module';
export {
  GitopsLocalReposUrlReader,
  type GitopsLocalReposUrlReaderOptions,
} from './localRepos/GitopsLocalReposUrlReader';
export { localRepoUrl, LOCAL_REPOS_HOST } from './localRepos/urls';
