import { kubeTime } from '../clock';
import { stableUid } from '../ids';
import type { ApplicationManifest } from './applicationManifest';
import type { Application } from './argoTypes';

/** Argo CD's namespace: where Applications live unless their manifest says otherwise. */
const ARGOCD_NAMESPACE = 'argocd';

/** An Application's served `metadata`: the manifest's, with the API server's fields. */
export function applicationMetadata(
  metadata: ApplicationManifest['metadata'],
  createdAt: number,
  deletingSince?: number,
): Application['metadata'] {
  const namespace = metadata.namespace ?? ARGOCD_NAMESPACE;
  return {
    name: metadata.name,
    namespace,
    uid: stableUid('Application', namespace, metadata.name),
    creationTimestamp: kubeTime(createdAt),
    ...(metadata.labels ? { labels: metadata.labels } : {}),
    ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
    ...(metadata.finalizers ? { finalizers: metadata.finalizers } : {}),
    ...(metadata.ownerReferences
      ? { ownerReferences: metadata.ownerReferences }
      : {}),
    ...(deletingSince !== undefined
      ? { deletionTimestamp: kubeTime(deletingSince) }
      : {}),
  };
}
