import type { HealthStatus, HealthStatusCode } from '../rollouts/rolloutHealth';
import type { ApplicationManifest } from './applicationManifest';
import type { ApplicationSource } from './applicationSources';

/**
 * Argo CD wire shapes the sandbox serves, named after the swagger definitions
 * (`v1alpha1Application`, `v1alpha1ApplicationTree`, ...). Empty fields are left out,
 * as Argo CD's JSON marshaller does.
 */

export type { ApplicationSource } from './applicationSources';

/** `{source, revision}` of a single-source Application, `{sources, revisions}` of a multi-source one. */
export type SourceRevisions =
  | { source: ApplicationSource; revision: string }
  | { sources: ApplicationSource[]; revisions: string[] };

/** The operation's revision fields: `revision`, or `revisions` for several sources. */
export type OperationRevisions = { revision: string } | { revisions: string[] };

export interface OperationInitiator {
  automated?: boolean;
  username?: string;
}

export interface OperationState {
  operation: {
    sync: OperationRevisions;
    initiatedBy: OperationInitiator;
    /** The Application's `syncPolicy.retry`, when it has one. */
    retry?: Record<string, unknown>;
  };
  phase: 'Running' | 'Terminating' | 'Succeeded' | 'Failed';
  message: string;
  startedAt: string;
  finishedAt?: string;
  syncResult?: SourceRevisions & {
    resources: Array<Record<string, string>>;
  };
}

export type RevisionHistory = SourceRevisions & {
  id: number;
  deployStartedAt: string;
  deployedAt: string;
  initiatedBy: OperationInitiator;
};

/** `v1alpha1ApplicationCondition`. */
export interface ApplicationCondition {
  type: string;
  message: string;
  lastTransitionTime?: string;
}

export interface ResourceRef {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface ResourceNode extends ResourceRef {
  resourceVersion?: string;
  createdAt?: string;
  parentRefs?: ResourceRef[];
  health?: HealthStatus;
  info?: Array<{ name: string; value: string }>;
  images?: string[];
}

export interface ResourceStatus extends ResourceRef {
  status: 'Synced' | 'OutOfSync' | 'Unknown';
  health: HealthStatus;
}

export interface Application {
  metadata: ApplicationManifest['metadata'] & {
    uid: string;
    creationTimestamp: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
  };
  spec: ApplicationManifest['spec'];
  operation?: OperationState['operation'];
  status: {
    sync: {
      status: 'Synced' | 'OutOfSync' | 'Unknown';
      revision?: string;
      revisions?: string[];
      comparedTo: {
        source?: ApplicationSource;
        sources?: ApplicationSource[];
        destination: ApplicationManifest['spec']['destination'];
      };
    };
    conditions?: ApplicationCondition[];
    health: { status: HealthStatusCode; lastTransitionTime: string };
    history?: RevisionHistory[];
    operationState?: OperationState;
    reconciledAt: string;
    resources: ResourceStatus[];
    summary: { images: string[]; externalURLs?: string[] };
    sourceType: string;
    controllerNamespace: string;
  };
}
