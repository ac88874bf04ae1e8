import type { SourcesSpec } from './applicationSources';

/** `metadata.ownerReferences[]`, as controller-runtime's SetControllerReference writes it. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

/** An Argo CD Application manifest as committed under `argocd/` (or generated). */
export interface ApplicationManifest {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: OwnerReference[];
  };
  spec: SourcesSpec & {
    project?: string;
    destination?: { server?: string; name?: string; namespace?: string };
    syncPolicy?: {
      automated?: { prune?: boolean; selfHeal?: boolean };
      retry?: Record<string, unknown>;
    };
    [key: string]: unknown;
  };
}
