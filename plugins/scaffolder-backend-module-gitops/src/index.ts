/**
 * Scaffolder actions of the GitOps delivery suite.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGitops as default } from './module';
export { createSetImageAction } from './actions/setImage';
export { createPublishLocalAction, type PublishLocalOptions } from './actions/publishLocal';
export {
  createRegisterServiceAction,
  type RegisterServiceOptions,
} from './actions/registerService';
export { createPromoteAction, type PromoteOptions } from './actions/promote';
