/**
 * The read-path benchmarks' data set: Argo CD applications i = 0..n-1 (1,000 by
 * default; live-inventory uses 10,000), service floor(i/3) in environment i%3, on
 * instance i%3. Kept apart from the peer so a backend's process can name the entities
 * without loading the peer's fixtures.
 */
export const INSTANCES = 3;
export const APPLICATIONS = 1000;
export const ENVIRONMENTS = ['dev', 'staging', 'prod'];

/** How many services n applications make (the last one may be cut short). */
export const servicesOf = (applications: number) => Math.ceil(applications / ENVIRONMENTS.length);
export const SERVICES = servicesOf(APPLICATIONS);

/** The entity whose applications are service s: what both backends are asked about. */
export const serviceName = (s: number) => `svc-${s}`;
export const serviceSelector = (s: number) => `app.kubernetes.io/name=${serviceName(s)}`;

/** How many applications service s has (the last service is cut short at `applications`). */
export function applicationsOfService(s: number, applications = APPLICATIONS) {
  return Math.max(0, Math.min(ENVIRONMENTS.length, applications - s * ENVIRONMENTS.length));
}

/** Where application i is: its service, environment, instance and Argo CD name. */
export function applicationAt(i: number) {
  const service = Math.floor(i / ENVIRONMENTS.length);
  const environment = ENVIRONMENTS[i % ENVIRONMENTS.length];
  return { service, environment, instance: i % INSTANCES, name: `${serviceName(service)}-${environment}` };
}

/** Every 10th service runs a canary Rollout (its applications manage one). */
export const hasRollout = (service: number) => service % 10 === 0;

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
