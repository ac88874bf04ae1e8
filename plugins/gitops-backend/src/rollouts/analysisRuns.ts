import type { IAnalysisRun } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisRun';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { AnalysisMetricSummary, RolloutAnalysis } from '@gitops-suite/backstage-plugin-gitops-common';

/** An AnalysisRun that could not be read: its metrics are unknown, never "none". */
export type AnalysisRunReadError = { namespace: string; name: string; message: string };

type RunStatus = { name: string; status: string; message?: string };

/**
 * The AnalysisRun the Rollout's status points at, as the controller sets it: the current
 * step's, else the background one's (canary), else blue-green's pre- or post-promotion.
 */
export function currentAnalysisRun(rollout: IRollout): RunStatus | undefined {
  const status = rollout.status ?? {};
  return (
    status.canary?.currentStepAnalysisRunStatus ??
    status.canary?.currentBackgroundAnalysisRunStatus ??
    status.blueGreen?.prePromotionAnalysisRunStatus ??
    status.blueGreen?.postPromotionAnalysisRunStatus
  );
}

/** What the tab needs of an AnalysisRun: its metrics' conditions and results, the last measurement of each. */
export function trimAnalysisRun(run: IAnalysisRun): IAnalysisRun {
  return {
    apiVersion: run.apiVersion,
    kind: run.kind,
    metadata: { name: run.metadata?.name, namespace: run.metadata?.namespace },
    spec: {
      metrics: run.spec.metrics.map(({ name, successCondition, failureCondition, failureLimit, count, provider }) => ({
        name,
        successCondition,
        failureCondition,
        failureLimit,
        count,
        // Which provider measures it (prometheus, job, web, ...), not its query or credentials.
        provider: Object.fromEntries(Object.keys(provider).map(key => [key, {}])) as typeof provider,
      })),
    },
    status: run.status && {
      phase: run.status.phase,
      message: run.status.message,
      metricResults: run.status.metricResults?.map(result => ({
        ...result,
        measurements: result.measurements?.slice(-1).map(({ phase, value, finishedAt, startedAt, message }) => ({
          phase,
          value,
          finishedAt,
          startedAt,
          message,
        })),
      })),
    },
  };
}

/** A metric's result joined with its spec: the assessment, the last measurement, the conditions. */
function summarizeMetric(run: IAnalysisRun, metric: IAnalysisRun['spec']['metrics'][number]): AnalysisMetricSummary {
  const result = run.status?.metricResults?.find(r => r.name === metric.name);
  const last = result?.measurements?.[result.measurements.length - 1];
  return {
    name: metric.name,
    // A metric the controller has not measured yet has no result.
    phase: result?.phase ?? 'Pending',
    lastValue: last?.value,
    lastMeasuredAt: last?.finishedAt ?? last?.startedAt,
    successCondition: metric.successCondition,
    failureCondition: metric.failureCondition,
    failed: result?.failed ?? 0,
    failureLimit: Number(metric.failureLimit ?? 0),
    successful: result?.successful ?? 0,
    inconclusive: result?.inconclusive ?? 0,
    error: result?.error ?? 0,
    count: result?.count ?? 0,
    message: result?.message ?? last?.message,
  };
}

/**
 * The Rollout's current analysis: the run its status names, with the metrics of that
 * AnalysisRun when it was read, or the reason it could not be.
 */
export function summarizeAnalysis(
  rollout: IRollout,
  runs: IAnalysisRun[] = [],
  errors: AnalysisRunReadError[] = [],
): RolloutAnalysis | undefined {
  const current = currentAnalysisRun(rollout);
  if (!current) return undefined;
  const namespace = rollout.metadata?.namespace;
  const run = runs.find(r => r.metadata?.name === current.name && r.metadata?.namespace === namespace);
  const error = errors.find(e => e.name === current.name && e.namespace === namespace);
  return {
    name: current.name,
    status: current.status,
    message: current.message || run?.status?.message || undefined,
    ...(run ? { metrics: run.spec.metrics.map(metric => summarizeMetric(run, metric)) } : {}),
    ...(error ? { error: error.message } : {}),
  };
}
