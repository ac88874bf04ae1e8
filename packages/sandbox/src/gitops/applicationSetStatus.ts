import { kubeTime } from '../clock';
import type { Application } from './argoTypes';
import type { DesiredApplicationSet } from './desiredState';

/**
 * The `v1alpha1ApplicationSet` the API serves: the manifest, and the status the
 * ApplicationSet controller writes (applicationset/controllers/applicationset_controller.go
 * `setApplicationSetStatusCondition`, applicationset/status/resource_status.go
 * `BuildResourceStatus`, applicationset_types.go `SetConditions` order and
 * `CalculateHealth`): the conditions ErrorOccurred, ParametersGenerated and
 * ResourcesUpToDate, one `resources` entry per generated Application with its sync
 * and health, sorted by name, and their count.
 */
/** A `v1alpha1ApplicationSet` as served. */
export interface ServedApplicationSet {
  apiVersion: string;
  kind: string;
  metadata: DesiredApplicationSet['manifest']['metadata'] & {
    namespace: string;
    uid: string;
    creationTimestamp: string;
    generation: number;
    resourceVersion?: string;
  };
  spec: DesiredApplicationSet['manifest']['spec'];
  status: Record<string, unknown>;
}

export function servedApplicationSet(
  appSet: DesiredApplicationSet,
  createdAt: number,
  conditionsSince: number,
  applications: Application[],
): ServedApplicationSet {
  const { metadata, spec } = appSet.manifest;
  const conditions = conditionsOf(appSet, kubeTime(conditionsSince));
  const resources = applications
    .map(app => ({
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Application',
      namespace: app.metadata.namespace,
      name: app.metadata.name,
      status: app.status.sync.status,
      health: { status: app.status.health.status },
    }))
    .sort((a, b) => (a.name < b.name ? -1 : Number(a.name > b.name)));
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: {
      ...metadata,
      namespace: metadata.namespace ?? 'argocd',
      uid: appSet.uid,
      creationTimestamp: kubeTime(createdAt),
      generation: 1,
    },
    spec,
    status: {
      conditions,
      ...(resources.length
        ? { resources, resourcesCount: resources.length }
        : {}),
      health: health(conditions),
    },
  };
}

const UP_TO_DATE = 'All applications have been generated successfully';

interface Condition {
  type: string;
  message: string;
  lastTransitionTime: string;
  status: 'True' | 'False';
  reason: string;
}

function conditionsOf(appSet: DesiredApplicationSet, at: string): Condition[] {
  const { error } = appSet.generation;
  if (error) {
    return [
      {
        type: 'ErrorOccurred',
        message: error.message,
        lastTransitionTime: at,
        status: 'True',
        reason: error.reason,
      },
      {
        type: 'ParametersGenerated',
        message: error.message,
        lastTransitionTime: at,
        status: 'False',
        reason: 'ErrorOccurred',
      },
      {
        type: 'ResourcesUpToDate',
        message: error.message,
        lastTransitionTime: at,
        status: 'False',
        reason: 'ErrorOccurred',
      },
    ];
  }
  return [
    {
      type: 'ErrorOccurred',
      message: UP_TO_DATE,
      lastTransitionTime: at,
      status: 'False',
      reason: 'ApplicationSetUpToDate',
    },
    {
      type: 'ParametersGenerated',
      message: 'Successfully generated parameters for all Applications',
      lastTransitionTime: at,
      status: 'True',
      reason: 'ParametersGenerated',
    },
    {
      type: 'ResourcesUpToDate',
      message: UP_TO_DATE,
      lastTransitionTime: at,
      status: 'True',
      reason: 'ApplicationSetUpToDate',
    },
  ];
}

/** `ApplicationSetStatus.CalculateHealth`. */
function health(conditions: Condition[]): { status: string; message: string } {
  const error = conditions.find(
    c => c.type === 'ErrorOccurred' && c.status === 'True',
  );
  if (error) return { status: 'Degraded', message: error.message };
  const upToDate = conditions.find(
    c => c.type === 'ResourcesUpToDate' && c.status === 'True',
  );
  if (upToDate) return { status: 'Healthy', message: upToDate.message };
  return {
    status: 'Unknown',
    message: 'Waiting for health status to be determined',
  };
}
