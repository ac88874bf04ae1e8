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
  type HistoryOptions,
  type RepositoryChange,
  type RevisionSelector,
  type WriteResult,
  type WriterOptions,
} from './writer/GitopsRepositoryWriter';
export type { DiffFile, ResolvedRevision, RevisionDiff } from './writer/branchQueries';
export {
  addFilesEdit,
  kustomizeImageEdit,
  setValueEdit,
  type EditContext,
  type RepositoryEdit,
} from './writer/edits';
export { manifestFieldEdit, manifestFieldReader, type ManifestField } from './writer/manifestEdits';
export {
  applicationSetElementEdit,
  applicationSetElementReader,
  findApplicationSetElement,
  type ApplicationSetElement,
  type ApplicationSetElementTarget,
  type ApplicationSetField,
} from './writer/applicationSetEdits';
export { mergeRevisionEdit, restorePathEdit } from './writer/branchEdits';
export { kustomizeImageTagReader, yamlValueReader, type VersionReader } from './writer/readers';
export {
  requireBranch,
  requireGitUrl,
  requireImageTag,
  requireKeyPath,
  requireManifestPath,
  requireRelativePath,
  requireResourceName,
  requireRevision,
} from './writer/validation';
export type { OpenPullRequest, PullRequest, PullRequestProvider } from './pullRequests/PullRequestProvider';
export { GithubPullRequests, type TokenSource } from './pullRequests/GithubPullRequests';
export { setYamlValue, type YamlEdit } from './yaml/yamlEdit';
export { compareVersionTags } from './versions/versionOrder';
