/**
 * The GitOps delivery suite's frontend: the entity Deployments tab, with every
 * environment side by side.
 *
 * @packageDocumentation
 */
export { gitopsPlugin, EntityGitopsDeploymentsContent, GitopsFleetPage, isGitopsAvailable } from './plugin';
export { gitopsApiRef, GitopsClient, type GitopsApi } from './api';
