import type { HealthStatus, HealthStatusCode } from '../rollouts/rolloutHealth';
import type { ApplicationManifest } from './desiredState';

/**
 * Argo CD wire shapes the sandbox serves, named after the swagger definitions
 * (`v1alpha1Application`, `v1alpha1ApplicationTree`, ...). Empty fields are left out,
 * as Argo CD's JSON marshaller does.
 */

export type ApplicationSource = NonNullable<
  ApplicationManifest['spec']['source']
>;

export interface OperationInitiator {
  automated?: boolean;
  username?: string;
}

export interface OperationState {
  operation: {
    sync: { revision: string };
    initiatedBy: OperationInitiator;
    /** The Application's `syncPolicy.retry`, when it has one. */
    retry?: Record<string, unknown>;
  };
  phase: 'Running' | 'Terminating' | 'Succeeded' | 'Failed';
  message: string;
  startedAt: string;
  finishedAt?: string;
  syncResult?: {
    revision: string;
    source: ApplicationSource;
    resources: Array<Record<string, string>>;
  };
}

export interface RevisionHistory {
  id: number;
  revision: string;
  deployStartedAt: string;
  deployedAt: string;
  source: ApplicationSource;
  initiatedBy: OperationInitiator;
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
  status: 'Synced' | 'OutOfSync';
  health: HealthStatus;
}

export interface Application {
  metadata: ApplicationManifest['metadata'] & {
    uid: string;
    creationTimestamp: string;
    resourceVersion?: string;
  };
  spec: ApplicationManifest['spec'];
  operation?: OperationState['operation'];
  status: {
    sync: {
      status: 'Synced' | 'OutOfSync';
      revision: string;
      comparedTo: {
        source: ApplicationSource;
        destination: ApplicationManifest['spec']['destination'];
      };
    };
    health: { status: HealthStatusCode; lastTransitionTime: string };
    history: RevisionHistory[];
    operationState: OperationState;
    reconciledAt: string;
    resources: ResourceStatus[];
    summary: { images: string[] };
    sourceType: string;
    controllerNamespace: string;
  };
}
