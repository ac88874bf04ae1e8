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
    operationState?: {
      phase?: string;
      message?: string;
      startedAt?: string;
      finishedAt?: string;
      syncResult?: { revision?: string };
    };
    resources?: ArgoResourceStatus[];
  };
}

export interface ArgoApplicationSource {
  repoURL?: string;
  path?: string;
  targetRevision?: string;
  chart?: string;
}

export interface ArgoHistoryEntry {
  id?: number | string;
  revision?: string;
  deployedAt?: string;
  deployStartedAt?: string;
  source?: ArgoApplicationSource;
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
