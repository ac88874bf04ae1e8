export interface Config {
  gitops?: {
    /** Settings of the GitOps scaffolder actions. */
    scaffolder?: {
      /**
       * Where `gitops:publish:local` creates bare repositories and the local repositories
       * URL reader (`https://gitops.local/...`) reads them. Relative to the backend's
       * working directory. Default `.sandbox-data/repos`.
       */
      localPublishDir?: string;
      /**
       * The GitOps environment repository `gitops:service:register` and `gitops:image:set`
       * write to when a template gives no `repoUrl` (https, ssh or file://).
       */
      gitopsRepoUrl?: string;
    };
  };
}
