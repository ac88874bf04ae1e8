/**
 * The GitOps delivery suite's frontend: the entity Deployments tab, with every
 * environment side by side, and its overview card.
 *
 * @packageDocumentation
 */
export {
  gitopsPlugin,
  EntityGitopsDeploymentsContent,
  EntityGitopsDeploymentsCard,
  GitopsFleetPage,
  isGitopsAvailable,
} from './plugin';
export { gitopsApiRef, GitopsClient, type GitopsApi } from './api';
