/**
 * The parts of Argo CD's `v1alpha1Application` (see the Argo CD swagger) that the
 * suite reads. Field names are the wire names; everything is optional because
 * Argo CD omits empty fields.
 */
export interface ArgoApplication {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    /** Argo CD compares these as integers (`strconv.Atoi`), like the stream's `resourceVersion`. */
    resourceVersion?: string;
    creationTimestamp?: string;
    /** Set while Argo CD deletes the application (its finalizer deletes the resources first). */
    deletionTimestamp?: string;
    /** An ApplicationSet's generated application names it here (`controller: true`). */
    ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
  };
  spec?: {
    project?: string;
    source?: ArgoApplicationSource;
    sources?: ArgoApplicationSource[];
    destination?: { server?: string; name?: string; namespace?: string };
    syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean } };
  };
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string; message?: string };
    summary?: { images?: string[]; externalURLs?: string[] };
    history?: ArgoHistoryEntry[];
    operationState?: ArgoOperationState;
    resources?: ArgoResourceStatus[];
  };
}

/** `v1alpha1OperationState`: the current or last operation of an application. */
export interface ArgoOperationState {
  phase?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  operation?: {
    sync?: { revision?: string; prune?: boolean; dryRun?: boolean };
    initiatedBy?: { username?: string; automated?: boolean };
  };
  syncResult?: { revision?: string; resources?: ArgoResourceResult[] };
}

/** `v1alpha1ResourceResult`: one resource of a sync, a hook when `hookType` is set. */
export interface ArgoResourceResult {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  status?: string;
  message?: string;
  hookType?: string;
  hookPhase?: string;
  syncPhase?: string;
}

export interface ArgoApplicationSource {
  repoURL?: string;
  path?: string;
  targetRevision?: string;
  chart?: string;
  /** A multi-source application's name for this source (`$ref/...` in value files). */
  ref?: string;
  helm?: {
    valueFiles?: string[];
    parameters?: Array<{ name?: string; value?: string; forceString?: boolean }>;
    valuesObject?: Record<string, unknown>;
  };
}

export interface ArgoHistoryEntry {
  id?: number | string;
  revision?: string;
  deployedAt?: string;
  deployStartedAt?: string;
  source?: ArgoApplicationSource;
  /** Of a multi-source application: one revision per source. */
  revisions?: string[];
}

export interface ArgoResourceStatus {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  status?: string;
  health?: { status?: string; message?: string };
}

export interface ArgoApplicationList {
  metadata?: { resourceVersion?: string };
  items?: ArgoApplication[] | null;
}

export interface ArgoResourceAction {
  name: string;
  disabled?: boolean;
}

/** One event of `GET /api/v1/stream/applications` (`v1alpha1ApplicationWatchEvent`). */
export interface ArgoApplicationWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  application: ArgoApplication;
}
