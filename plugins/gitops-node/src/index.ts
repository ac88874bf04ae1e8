/**
 * Node library of the GitOps suite: writes to GitOps repositories with the real git
 * CLI (commits with trailers, fetch-redo-retry pushes, pull requests), shared by the
 * backend's promotions and the scaffolder actions.
 *
 * @packageDocumentation
 */
export { git, GitCommandError, type GitAuthor, type GitOptions } from './git/git';
export { ScmCredentials } from './git/ScmCredentials';
export {
  GitopsRepositoryWriter,
  type GitCredentialsSource,
  type RepositoryChange,
  type WriteResult,
  type WriterOptions,
} from './writer/GitopsRepositoryWriter';
export { addFilesEdit, kustomizeImageEdit, setValueEdit, type RepositoryEdit } from './writer/edits';
export { kustomizeImageTagReader, yamlValueReader, type VersionReader } from './writer/readers';
export {
  requireBranch,
  requireGitUrl,
  requireImageTag,
  requireKeyPath,
  requireRelativePath,
} from './writer/validation';
export type { OpenPullRequest, PullRequest, PullRequestProvider } from './pullRequests/PullRequestProvider';
export { GithubPullRequests, type TokenSource } from './pullRequests/GithubPullRequests';
export { setYamlValue, type YamlEdit } from './yaml/yamlEdit';
export { compareVersionTags } from './versions/versionOrder';
