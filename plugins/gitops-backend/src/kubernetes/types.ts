/**
 * The parts of Kubernetes object shapes the suite reads (wire names). Everything
 * past `metadata.name` is optional: lists of built-in types omit apiVersion/kind,
 * and the API server omits empty fields.
 */

export interface OwnerReference {
  apiVersion?: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  resourceVersion?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** A resource type of the API: `/apis/{group}/{version}/.../{plural}` (`/api/v1` when group is ""). */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
}

/** A `v1` List page. */
export interface KubeList<T> {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: T[] | null;
}
