/**
 * Scaffolder actions of the GitOps delivery suite.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGitops as default } from './module';
export { createSetImageAction } from './actions/setImage';
