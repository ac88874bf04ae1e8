/**
 * The `gitops` backend plugin of the GitOps delivery suite.
 *
 * @packageDocumentation
 */
export { gitopsPlugin as default } from './plugin';
