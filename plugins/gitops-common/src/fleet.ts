/**
 * Types of `GET /v1/fleet`: every annotated entity across every environment.
 */
import type { HealthStatus, SourceError, SyncStatus } from './api';

/**
 * Narrows the fleet to entities of one owner, system or kind (entity refs or names).
 *
 * @public
 */
export type FleetFilter = {
  /** `group:default/team-a`, `team-a` (kind group and namespace default implied). */
  owner?: string;
  /** `system:default/payments`, `payments`. */
  system?: string;
  /** `Component`, case-insensitive. */
  kind?: string;
};

/**
 * How much attention a service needs, at a glance:
 * `high`: an environment is Degraded or Missing, a rollout is aborted or degraded,
 * a critical vulnerability runs, or its images expose secrets (or whether they do
 * is unknown: no report, a cluster unread); `low`: out of sync, progressing, suspended,
 * unknown health, a paused rollout, high vulnerabilities or failing policies;
 * `none` otherwise. Drift (an environment behind its source) is reported apart:
 * it is the normal state of a pipeline with a promotion pending.
 *
 * @public
 */
export type FleetRisk = 'none' | 'low' | 'high';

/** One entity in one environment, summarised from its Argo CD applications there. @public */
export type FleetEnvironmentStatus = {
  /** The image of the first rollout, else of the first application (as the Deployments view). */
  version?: { image: string; tag?: string };
  /** The worst sync status of the applications (OutOfSync over Unknown over Synced). */
  sync?: SyncStatus;
  /** The worst health of the applications (Degraded first, Healthy last). */
  health?: HealthStatus;
  /** The phase of the least advanced Argo Rollout, when the applications manage any. */
  rolloutPhase?: string;
  /** True when this environment runs another image than the one it promotes from. */
  behindSource?: boolean;
  /** How many Argo CD applications the entity has in this environment. */
  applications: number;
  /** Only when findings were asked for and could be read. */
  vulnerabilities?: { critical: number; high: number };
  /** Failing policy results; only when findings were asked for and could be read. */
  policyFailures?: number;
  /**
   * Secrets Trivy Operator found in the running images (ExposedSecretReports); only
   * when findings were asked for and could be read.
   */
  exposedSecrets?: number;
  /**
   * Why the exposed secrets are unknown (an image without a report, a cluster that
   * could not be read); only when findings were asked for. Unknown is a risk too.
   */
  exposedSecretsUnknown?: string;
};

/** One row of the fleet: an annotated entity across every environment. @public */
export type FleetItem = {
  entityRef: string;
  kind: string;
  namespace: string;
  name: string;
  title?: string;
  /** Full entity ref, e.g. `group:default/team-a`. */
  owner?: string;
  /** Full entity ref, e.g. `system:default/payments`. */
  system?: string;
  /** Keyed by environment name; environments the entity is not deployed to are absent. */
  environments: Record<string, FleetEnvironmentStatus>;
  /** Any environment behind the environment it promotes from. */
  drift: boolean;
  risk: FleetRisk;
  /** Why the risk is what it is, e.g. `prod: Degraded`. */
  riskReasons: string[];
  /** How many preview applications (one per open pull request) the entity has. */
  previews?: number;
};

/** Response of `GET /v1/fleet`. @public */
export type FleetResponse = {
  /** The configured environments, in config (pipeline) order. */
  environments: { name: string; title: string; promotesFrom?: string }[];
  items: FleetItem[];
  errors: SourceError[];
  /** When the Argo CD snapshot used for this answer was taken. */
  observedAt?: string;
};
