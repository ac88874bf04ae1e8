export interface Config {
  /** Configuration of the GitOps delivery suite. */
  gitops?: {
    /**
     * Environments in promotion order (for example dev, staging, prod). Each Argo CD
     * application is placed in the first environment whose `match` rule it satisfies.
     */
    environments: Array<{
      /** Short name used in URLs and the API, e.g. `staging`. */
      name: string;
      /** Display title, e.g. `Staging`. Defaults to the name. */
      title?: string;
      /** The environment whose version is promoted into this one. */
      promotesFrom?: string;
      /** How this environment's Argo CD applications are recognised; every given rule must hold. */
      match: {
        /** Labels the Application must carry, e.g. `{ 'gitops.backstage.io/environment': 'dev' }`. */
        labels?: { [key: string]: string };
        /** A regular expression on the Application name, e.g. `-prod$`. */
        namePattern?: string;
        /** The Application's destination. */
        destination?: {
          /** Destination cluster name or server URL. */
          cluster?: string;
          /** A regular expression on the destination namespace. */
          namespacePattern?: string;
        };
      };
    }>;
    argocd: {
      /** How often the application inventory is refreshed from each instance. Default 30. */
      refreshIntervalSeconds?: number;
      /** Timeout of one Argo CD request. Default 10000. */
      requestTimeoutMs?: number;
      /** Argo CD instances. */
      instances: Array<{
        /** Name matched by the `argocd/instance-name` annotation. */
        name: string;
        /** Base URL of the Argo CD API server. */
        url: string;
        /** Link base for the Argo CD UI, when it differs from `url`. */
        frontendUrl?: string;
        /**
         * A bearer token (an Argo CD account or project token).
         * @visibility secret
         */
        token?: string;
        /** Username for a session login, when no token is given. */
        username?: string;
        /**
         * Password for a session login.
         * @visibility secret
         */
        password?: string;
        /** Accept self-signed certificates for this instance only. */
        skipTLSVerify?: boolean;
      }>;
    };
  };
}
