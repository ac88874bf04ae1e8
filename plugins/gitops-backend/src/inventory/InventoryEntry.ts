import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { UnknownRollout } from '@gitops-suite/backstage-plugin-gitops-common';
import type { IAnalysisRun } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisRun';
import type { ArgoApplication } from '../argocd/types';
import type { AnalysisRunReadError } from '../rollouts/analysisRuns';

/** A managed Rollout whose live state could not be read (unknown, never absent). */
export type RolloutReadError = Omit<UnknownRollout, 'application'>;

/** One application of the inventory as last observed, with its live Rollouts. */
export interface InventoryEntry {
  instance: string;
  /** Trimmed (see trimApplication), with its resourceVersion. */
  application: ArgoApplication;
  rollouts: IRollout[];
  rolloutErrors: RolloutReadError[];
  /** The AnalysisRuns the Rollouts' status points at (trimmed), and those that could not be read. */
  analysisRuns?: IAnalysisRun[];
  analysisRunErrors?: AnalysisRunReadError[];
  observedAt: Date;
}

/** Identifies an application across instances: `instance/appNamespace/name`. */
export function entryKey(instance: string, app: Pick<ArgoApplication, 'metadata'>): string {
  return `${instance}/${app.metadata.namespace ?? ''}/${app.metadata.name}`;
}

/**
 * The application's resourceVersion as a number, the way Argo CD's watch handler
 * compares them (`strconv.Atoi`); undefined when absent or not a number, which never
 * counts as older than anything.
 */
export function resourceVersionOf(app: Pick<ArgoApplication, 'metadata'>): number | undefined {
  const value = app.metadata.resourceVersion;
  if (!value || !/^\d+$/.test(value)) return undefined;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

/** True when `candidate` is not older than `current` (unknown versions never lose). */
export function isNotOlder(
  candidate: Pick<ArgoApplication, 'metadata'>,
  current: Pick<ArgoApplication, 'metadata'> | undefined,
): boolean {
  if (!current) return true;
  const a = resourceVersionOf(candidate);
  const b = resourceVersionOf(current);
  return a === undefined || b === undefined || a >= b;
}
