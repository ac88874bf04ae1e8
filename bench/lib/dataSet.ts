/**
 * The read-path benchmarks' data set: 1,000 Argo CD applications, service
 * floor(i/3) in environment i%3, over 3 instances. Kept apart from the peer so a
 * backend's process can name the entities without loading the peer's fixtures.
 */
export const INSTANCES = 3;
export const APPLICATIONS = 1000;
export const ENVIRONMENTS = ['dev', 'staging', 'prod'];
export const SERVICES = Math.ceil(APPLICATIONS / ENVIRONMENTS.length);

/** The entity whose applications are service s: what both backends are asked about. */
export const serviceName = (s: number) => `svc-${s}`;
export const serviceSelector = (s: number) => `app.kubernetes.io/name=${serviceName(s)}`;

/** How many applications service s has (the last service is cut short at 1,000). */
export function applicationsOfService(s: number) {
  return Math.max(0, Math.min(ENVIRONMENTS.length, APPLICATIONS - s * ENVIRONMENTS.length));
}

/** Component entities 0..count-1, annotated as both Roadie's frontend and ours read them. */
export function catalogEntities(count: number) {
  return Array.from({ length: count }, (_, s) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: serviceName(s),
      namespace: 'default',
      annotations: { 'argocd/app-selector': serviceSelector(s) },
    },
    spec: { type: 'service', owner: 'team', lifecycle: 'production' },
  }));
}
