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
      /**
       * How rollout controls reach this environment's Rollouts: `argocd` resource actions
       * (default; Argo CD RBAC applies) or `kubernetes` merge patches as the Argo Rollouts
       * kubectl plugin sends them, through the Kubernetes plugin's clusters.
       */
      rolloutControl?: 'argocd' | 'kubernetes';
      /**
       * The name of the Kubernetes plugin's cluster (any of its
       * `kubernetes.clusterLocatorMethods`) holding this environment's workloads: findings
       * are read and Rollouts patched there only. Unset: the cluster named like the Argo
       * CD Application's `destination.name`, else the only cluster; with several clusters
       * and no match, the findings are an error (unknown), never every cluster's.
       */
      kubernetesCluster?: string;
      /** How versions are promoted into this environment. */
      promotion?: {
        /** Gates evaluated on the source environment's evidence. */
        gates?: {
          /** Most critical vulnerabilities the source version may have. */
          maxCritical?: number;
          /** Most high vulnerabilities the source version may have. */
          maxHigh?: number;
          /** Count only vulnerabilities that have a fix. Default true. */
          onlyFixable?: boolean;
          /** Most failing Kyverno policy results. */
          maxPolicyFailures?: number;
          /**
           * Most secrets Trivy Operator found in the source version's images
           * (ExposedSecretReports); no report for an image fails the gate. Usually 0.
           */
          maxExposedSecrets?: number;
          /**
           * Every image the source version runs must be verified by Kyverno's
           * `verifyImages` rules (cosign signatures or attestations, read from
           * PolicyReports and the pods' `kyverno.io/verify-images` annotation). A failed
           * check fails the gate, and so does an image no result verifies (unknown). The
           * gate is `verified-images`. Default false.
           */
          requireVerifiedImages?: boolean;
          /** Count only failures of Enforce rules. Default true. */
          onlyEnforcedPolicies?: boolean;
          /** The source must be synced and healthy with its rollout complete. Default true. */
          requireSourceHealthy?: boolean;
          /**
           * The source environment's last sync must have succeeded with every hook
           * (PreSync, Sync, PostSync checks such as Kyverno, Trivy or smoke tests run as
           * Argo CD hooks) succeeded. A sync still running, a failed hook, or no sync
           * recorded fails the gate (`source-hooks`). Default false.
           */
          requireSourceHooksPassed?: boolean;
          /** Minutes the version must have run in the source environment. */
          soakMinutes?: number;
          /** Periods in which nothing is promoted into this environment. */
          freezeWindows?: Array<{ start: string; end: string; reason?: string }>;
        };
        approvals?: {
          /** How many approvals a promotion needs. */
          required: number;
          /** Catalog groups whose members may approve, e.g. `group:default/sre`. */
          groups?: string[];
          /** Whether the requester may approve their own promotion. Default false. */
          allowSelfApproval?: boolean;
        };
        /** Where and how the version is written in the GitOps repository. */
        write?: {
          /**
           * How the version is written. Left out, it is derived from the target's Argo CD
           * application: a chart from a Helm repository → `chart-version`; the same path
           * as the source environment's application on another branch →
           * `environment-branch`; a tag or commit as `targetRevision` → `git-revision`;
           * otherwise `helm-value`. An application an ApplicationSet generated is written
           * in the ApplicationSet's list generator element when its template takes the
           * version from an element.
           *
           * `helm-value`: set a key of a Helm values file (of a multi-source application,
           * the value file of the `$ref` source).
           * `kustomize-image`: set `newTag` of the image's entry in a kustomization's `images:`.
           * `chart-version`: set the chart source's `targetRevision` in the Application manifest.
           * `git-revision`: set the source's `targetRevision` to the source environment's
           * tag or commit, in the Application manifest.
           * `environment-branch`: merge the source environment's revision into the
           * target's branch (by commit or pull request); conflicts are reported, never forced.
           */
          strategy?: 'helm-value' | 'kustomize-image' | 'chart-version' | 'git-revision' | 'environment-branch';
          /**
           * The values file, relative to the repository root; `{environment}` and
           * `{application}` are replaced. Default: `values.yaml` in the target Argo CD
           * application's source path.
           */
          valuesFile?: string;
          /**
           * The file holding the target's Application manifest (`chart-version`,
           * `git-revision`), relative to the repository root; `{environment}` and
           * `{application}` are replaced, e.g. `argocd/{application}.yaml`.
           */
          applicationFile?: string;
          /**
           * The file holding the ApplicationSet that generated the target's application;
           * `{environment}` and `{applicationSet}` are replaced, e.g. `argocd/{applicationSet}.yaml`.
           */
          applicationSetFile?: string;
          /**
           * The repository holding the Application and ApplicationSet manifests. Default:
           * the repository of the application's git source (required for an application
           * deploying only a chart from a Helm repository).
           */
          manifestRepoURL?: string;
          /** The branch of `manifestRepoURL` the manifests are kept on. Default `main`. */
          manifestBranch?: string;
          /** The YAML key holding the tag. Default `image.tag`. */
          key?: string;
          /**
           * The kustomization file (`kustomize-image`), relative to the repository root;
           * `{environment}` and `{application}` are replaced. Default: `kustomization.yaml`
           * in the target Argo CD application's source path.
           */
          kustomizationFile?: string;
          /**
           * `commit` (default): push to the branch Argo CD follows. `pull-request`: push a
           * branch and open a pull request (GitHub, with the `integrations.github`
           * credentials), followed until merged.
           */
          method?: 'commit' | 'pull-request';
        };
        /** Minutes to wait for Argo CD to sync and the workload to be healthy. Default 30. */
        verifyTimeoutMinutes?: number;
        /**
         * With `write.method: pull-request`: minutes a promotion waits for its pull request
         * to be merged. After that the pull request is closed with a comment and the
         * promotion fails, saying so, which frees the environment for the next promotion
         * (merged later, the pull request would deploy a change nobody follows). Default
         * 4320 (three days).
         */
        pullRequestTimeoutMinutes?: number;
        /**
         * When a promotion fails to become healthy here, roll back to the version that
         * ran before, once, and mark the failed version bad. Default false.
         */
        autoRollback?: boolean;
        /** How rollbacks into this environment are gated. */
        rollback?: {
          /**
           * Evidence gates a rollback skips (each is recorded as skipped). Default
           * `soak-time` and `vulnerabilities`: a rollback restores what ran here before.
           * Gates not skipped are evaluated on an environment that runs the version now,
           * and fail closed when none does. Freeze windows always apply.
           */
          skipGates?: Array<'soak-time' | 'vulnerabilities' | 'policies' | 'exposed-secrets' | 'verified-images'>;
        };
        /**
         * `automatic`: a version verified in the environment this one promotes from is
         * promoted here by the suite itself once its gates pass (continuous deployment);
         * approvals still apply. Default `manual`. With `manual`, an entity can still opt
         * itself into continuous deployment to this environment with the annotation
         * `gitops.backstage.io/continuous-deployment: <environment>[,<environment>...]`
         * (same gates and approvals), so teams adopt it service by service.
         */
        mode?: 'manual' | 'automatic';
      };
    }>;
    /** Commits to GitOps repositories. */
    git?: {
      /** Author of promotion commits. */
      authorName?: string;
      authorEmail?: string;
      /** Where repositories are cloned. Default: the OS temp directory. */
      workDir?: string;
      /**
       * URL rewrites for source repositories (git's `url.<to>.insteadOf <from>`), e.g. a
       * mirror, or the local sandbox's `https://gitops.local/` repositories on disk. A `to`
       * without a scheme is a local folder, relative to the backend's working directory.
       */
      rewriteUrls?: Array<{ from: string; to: string }>;
      /**
       * Source repositories are kept as bare, blob-less clones (for the commits a
       * promotion ships); one not read for this many days is removed daily. Default 14.
       */
      sourceCloneRetentionDays?: number;
      /** At most this many source clones are kept, the least recently read go first. Default 200. */
      maxSourceClones?: number;
    };
    argocd: {
      /**
       * How often each instance's applications are listed when they are polled: where the
       * watch stream is off, refused or buffered by a proxy. Default 30.
       */
      refreshIntervalSeconds?: number;
      /**
       * Follow each instance through Argo CD's watch stream
       * (`GET /api/v1/stream/applications`), so a change reaches the tab within a second.
       * Off: poll every `refreshIntervalSeconds`. Default true.
       */
      stream?: boolean;
      /**
       * While streaming, how often every application is listed again anyway, to repair
       * anything a stream could miss (Argo CD does not replay events a client missed
       * while reconnecting). Default 600.
       */
      resyncIntervalSeconds?: number;
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
    /**
     * Reading clusters (findings, rollout controls through `kubernetes`): through the
     * Kubernetes backend plugin's cluster list and proxy, so clusters, credentials and
     * TLS are configured once, in its `kubernetes` config.
     */
    kubernetes?: {
      /**
       * Timeout of one Kubernetes API request, in milliseconds: about the longest a page
       * view waits on a cluster that hangs. Default 10000.
       */
      requestTimeoutMs?: number;
    };
    /**
     * Preview environments: applications an ApplicationSet pull-request generator makes,
     * one per open pull request. An application is a preview when its ApplicationSet's
     * template annotates it with `gitops.backstage.io/pr-number`, or when it has these
     * labels. Previews are listed apart and never placed in an environment: they are
     * neither promotion sources nor targets.
     */
    previews?: {
      match?: {
        /** Default `gitops.backstage.io/preview: "true"`. */
        labels?: { [name: string]: string };
      };
    };
    /**
     * Stopping the line: a person with `gitops.line.stop` pauses every promotion into an
     * environment (or all of them) with a reason, until it is lifted.
     */
    lineStops?: {
      /**
       * Whether rollbacks (manual, and automatic after a failed promotion) still go
       * through while the line is stopped: they restore a version that ran before.
       * Default true.
       */
      allowRollbacks?: boolean;
    };
    /** Retention of the scans CI uploads (`POST /v1/scans`), applied hourly. */
    scans?: {
      /**
       * Days a scan is kept once a newer scan of the same image (and digest) replaces it.
       * The newest scan of each image is kept: findings fall back to it. Default 30.
       */
      supersededRetentionDays?: number;
      /**
       * Days after which any scan goes, the newest included: evidence that old makes the
       * image unknown (gates fail closed) until CI scans it again. Default 365.
       */
      maxAgeDays?: number;
    };
    /** How often the plugin's background tasks run (on Backstage's scheduler). */
    tasks?: {
      /**
       * Seconds between runs of the promotion engine (on every replica; each run
       * advances leased promotions one step). Default 2.
       */
      promotionEngineIntervalSeconds?: number;
      /**
       * Promotions one replica's engine works at once, each on its own lease (1 to 32).
       * Writes to one GitOps branch made at once share one fetch and one push. Default 4.
       */
      promotionEngineConcurrency?: number;
      /**
       * Seconds between continuous-deployment passes over the read model (one pass
       * looks at every opted-in entity). Default 15.
       */
      continuousDeploymentIntervalSeconds?: number;
    };
  };
}
