/**
 * Argo Rollouts analysis, as far as the sandbox simulates it: the AnalysisTemplate and
 * AnalysisRun types (`pkg/apis/rollouts/v1alpha1/analysis_types.go`), how one
 * measurement's phase follows from the metric's conditions (`utils/evaluate`) and
 * how a metric and a run are assessed (`analysis/analysis.go`). The measured values
 * are scripted (scenario `analysisRuns`); no metric provider is queried.
 */

export const ANALYSIS_PHASES = [
  'Pending',
  'Running',
  'Successful',
  'Failed',
  'Error',
  'Inconclusive',
] as const;
export type AnalysisPhase = (typeof ANALYSIS_PHASES)[number];

/** The phases a measurement can end in. */
export const MEASUREMENT_PHASES = [
  'Successful',
  'Failed',
  'Inconclusive',
  'Error',
] as const;
export type MeasurementPhase = (typeof MEASUREMENT_PHASES)[number];

/** `v1alpha1.Metric`: the fields the sandbox reads; the provider is kept as written. */
export interface Metric {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: number | string;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: number | string;
  inconclusiveLimit?: number | string;
  consecutiveErrorLimit?: number | string;
  provider?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `v1alpha1.Argument`. */
export interface Argument {
  name: string;
  value?: string;
  valueFrom?: {
    podTemplateHashValue?: 'Stable' | 'Latest';
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string };
  };
}

/** An `argoproj.io/v1alpha1` AnalysisTemplate as the chart renders it. */
export interface AnalysisTemplate {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'AnalysisTemplate';
  metadata: { name: string; namespace?: string };
  spec: { metrics: Metric[]; args?: Argument[] };
}

/** `v1alpha1.RolloutAnalysis`: a step's `analysis`, or `strategy.canary.analysis`. */
export interface RolloutAnalysis {
  templates?: Array<{ templateName: string; clusterScope?: boolean }>;
  args?: Argument[];
  /** Background analysis only: the step index it starts at. */
  startingStep?: number;
}

export interface Measurement {
  phase: MeasurementPhase;
  /** When it was taken (ms): startedAt and finishedAt, a measurement is instant here. */
  at: number;
  value?: string;
  message?: string;
}

/** `v1alpha1.MetricResult`, with times in ms. */
export interface MetricResult {
  name: string;
  phase: AnalysisPhase;
  measurements: Measurement[];
  message?: string;
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  consecutiveSuccess: number;
}

export interface RunSummary {
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
}

/** What the scenario scripts for one metric (its `analysisRuns` entry). */
export interface MetricScript {
  values: Array<number | string>;
  /** One phase for every measurement, or one per value (null: from the conditions). */
  phase?: MeasurementPhase | Array<MeasurementPhase | null>;
  /** Overrides the metric's `interval` (scaled by the time scale like it). */
  intervalSeconds?: number;
}

/** Argo Rollouts' `DefaultConsecutiveErrorLimit`. */
const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

export function isCompleted(phase: AnalysisPhase | undefined): boolean {
  return (
    phase === 'Successful' ||
    phase === 'Failed' ||
    phase === 'Error' ||
    phase === 'Inconclusive'
  );
}

function intValue(value: number | string | undefined, fallback: number) {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'number' ? value : Number.parseInt(value, 10);
  return Number.isNaN(parsed) ? fallback : parsed;
}

/** `Metric.EffectiveCount`: no count and no interval is one measurement; an interval alone runs on. */
export function effectiveCount(metric: Metric): number | undefined {
  const count = intValue(metric.count, 0);
  if (count === 0) {
    return metric.interval ? undefined : 1;
  }
  return count;
}

/** A Go duration as Argo Rollouts writes them (`30s`, `1m`, `1m30s`, `500ms`), in ms. */
export function durationMs(duration: string | undefined): number | undefined {
  if (!duration) return undefined;
  const units: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  let total = 0;
  let rest = duration.trim();
  while (rest) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * units[match[2]];
    rest = rest.slice(match[0].length);
  }
  return total;
}

interface Comparison {
  indexed: boolean;
  op: '>=' | '<=' | '>' | '<' | '==';
  bound: number;
}

/**
 * The conditions the sandbox can evaluate: `result <op> <number>` and
 * `result[0] <op> <number>` (what Prometheus metrics mostly use). Anything else
 * is an expr-lang program it does not run.
 */
function parseCondition(condition: string): Comparison | undefined {
  const match =
    /^\s*result(\[0\])?\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/.exec(
      condition,
    );
  if (!match) return undefined;
  return {
    indexed: match[1] !== undefined,
    op: match[2] as Comparison['op'],
    bound: Number(match[3]),
  };
}

function compare({ op, bound }: Comparison, value: number): boolean {
  switch (op) {
    case '>=':
      return value >= bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '<':
      return value < bound;
    default:
      return value === bound;
  }
}

/**
 * `evaluate.EvaluateResult` for the simple conditions: a failureCondition that holds
 * fails, a successCondition that holds succeeds, neither is Inconclusive; with only
 * one condition the other is its negation; with none every measurement succeeds.
 * A condition the sandbox cannot read counts as Successful (it does not run expr).
 */
export function evaluateMeasurement(
  metric: Metric,
  value: number,
): MeasurementPhase {
  const { successCondition, failureCondition } = metric;
  if (!successCondition && !failureCondition) return 'Successful';
  const success = successCondition ? parseCondition(successCondition) : null;
  const failure = failureCondition ? parseCondition(failureCondition) : null;
  if (success === undefined || failure === undefined) {
    // An expression beyond `result[0] <op> <number>`: not evaluated, taken as passing.
    return 'Successful';
  }
  let succeeded = success ? compare(success, value) : false;
  let failed = failure ? compare(failure, value) : false;
  if (success && !failure) failed = !succeeded;
  if (failure && !success) succeeded = !failed;
  if (failed) return 'Failed';
  if (!succeeded) return 'Inconclusive';
  return 'Successful';
}

/** A value that passes the metric's conditions, for metrics the scenario does not script. */
function passingValue(metric: Metric): number {
  const success = metric.successCondition
    ? parseCondition(metric.successCondition)
    : undefined;
  if (success) {
    const step = { '>': 1, '<': -1 } as Record<string, number>;
    return success.bound + (step[success.op] ?? 0);
  }
  const failure = metric.failureCondition
    ? parseCondition(metric.failureCondition)
    : undefined;
  if (failure) {
    const step = { '>=': -1, '<=': 1, '==': 1 } as Record<string, number>;
    return failure.bound + (step[failure.op] ?? 0);
  }
  return 1;
}

/** Prometheus answers a vector (`[0.97]`) for `result[0]` conditions, else a scalar. */
function formatValue(metric: Metric, value: number): string {
  const indexed = [metric.successCondition, metric.failureCondition].some(
    condition => condition && parseCondition(condition)?.indexed,
  );
  return indexed ? `[${value}]` : String(value);
}

/** The number in a scripted value: `0.97`, `"0.97"` or `"[0.97]"`. */
function numberOf(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^\s*\[?\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\]?\s*$/.exec(
    value,
  );
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * The `index`th measurement of `metric`: the scripted value (the last one repeats once
 * the list is used up), or a passing value when the metric is not scripted.
 */
export function takeMeasurement(
  metric: Metric,
  script: MetricScript | undefined,
  index: number,
  now: number,
): Measurement {
  const values = script?.values ?? [];
  const raw = values.length
    ? values[Math.min(index, values.length - 1)]
    : undefined;
  const override = Array.isArray(script?.phase)
    ? script!.phase[Math.min(index, script!.phase.length - 1)]
    : script?.phase;
  if (raw === undefined) {
    const value = passingValue(metric);
    return {
      phase: override ?? evaluateMeasurement(metric, value),
      at: now,
      value: formatValue(metric, value),
    };
  }
  const number = numberOf(raw);
  const value = typeof raw === 'number' ? formatValue(metric, raw) : raw;
  if (override) {
    return { phase: override, at: now, value };
  }
  if (Number.isNaN(number)) {
    const hasCondition = metric.successCondition || metric.failureCondition;
    return hasCondition
      ? {
          phase: 'Error',
          at: now,
          value,
          message: `could not evaluate the conditions of metric "${metric.name}" on value "${raw}"`,
        }
      : { phase: 'Successful', at: now, value };
  }
  return { phase: evaluateMeasurement(metric, number), at: now, value };
}

/** Counts a finished measurement in its metric result, as `runMeasurements` does. */
export function recordMeasurement(
  result: MetricResult,
  measurement: Measurement,
): void {
  result.measurements.push(measurement);
  switch (measurement.phase) {
    case 'Successful':
      result.successful += 1;
      result.count += 1;
      result.consecutiveError = 0;
      result.consecutiveSuccess += 1;
      break;
    case 'Failed':
      result.failed += 1;
      result.count += 1;
      result.consecutiveError = 0;
      result.consecutiveSuccess = 0;
      break;
    case 'Inconclusive':
      result.inconclusive += 1;
      result.count += 1;
      result.consecutiveError = 0;
      result.consecutiveSuccess = 0;
      break;
    default:
      result.error += 1;
      result.consecutiveError += 1;
      result.consecutiveSuccess = 0;
  }
}

/** `assessMetricFailureInconclusiveOrError`: the limit a metric broke, with upstream's words. */
export function metricFailure(
  metric: Metric,
  result: MetricResult,
): { phase?: AnalysisPhase; message: string } {
  let phase: AnalysisPhase | undefined;
  let message = '';
  const failureLimit = intValue(metric.failureLimit, 0);
  if (failureLimit >= 0 && result.failed > failureLimit) {
    phase = 'Failed';
    message = `failed (${result.failed}) > failureLimit (${failureLimit})`;
  }
  const inconclusiveLimit = intValue(metric.inconclusiveLimit, 0);
  if (result.inconclusive > inconclusiveLimit) {
    phase = 'Inconclusive';
    message = `inconclusive (${result.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`;
  }
  const errorLimit = intValue(
    metric.consecutiveErrorLimit,
    DEFAULT_CONSECUTIVE_ERROR_LIMIT,
  );
  if (result.consecutiveError > errorLimit) {
    phase = 'Error';
    message = `consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${errorLimit})`;
  }
  return { phase, message };
}

/** `assessMetricStatus` (without consecutiveSuccessLimit, which the sandbox does not read). */
export function assessMetric(
  metric: Metric,
  result: MetricResult,
  terminating: boolean,
): AnalysisPhase {
  if (isCompleted(result.phase)) return result.phase;
  if (result.measurements.length === 0) {
    return terminating ? 'Successful' : 'Pending';
  }
  const failure = metricFailure(metric, result);
  if (failure.phase) return failure.phase;
  const count = effectiveCount(metric);
  if (count !== undefined && result.count >= count) return 'Successful';
  // No count: the metric runs until the run is terminated.
  return terminating ? 'Successful' : 'Running';
}

/** The worse of two completed phases, as `analysisutil.IsWorse` orders them. */
function isWorse(current: AnalysisPhase, next: AnalysisPhase): boolean {
  const order: AnalysisPhase[] = [
    'Successful',
    'Inconclusive',
    'Error',
    'Failed',
  ];
  return order.indexOf(next) > order.indexOf(current);
}

/**
 * `assessRunStatus`: updates each metric result's phase and returns the run's phase,
 * message and summary. The run is Running until every metric completed; then it
 * takes the worst metric phase, with the message `Metric "x" assessed Failed due to
 * failed (1) > failureLimit (0)`.
 */
export function assessRun(
  metrics: Metric[],
  results: MetricResult[],
  terminate: boolean,
): { phase: AnalysisPhase; message: string; summary: RunSummary } {
  const terminating =
    terminate ||
    results.some(r => ['Failed', 'Error', 'Inconclusive'].includes(r.phase));
  let worst: AnalysisPhase | undefined;
  let worstMessage = terminate ? 'Run Terminated' : '';
  let everythingCompleted = true;
  const summary: RunSummary = {
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
  };
  for (const metric of metrics) {
    summary.count += 1;
    const result = results.find(r => r.name === metric.name);
    if (!result) {
      everythingCompleted = false;
      continue;
    }
    const phase = assessMetric(metric, result, terminating);
    if (phase !== result.phase) {
      result.message = result.measurements.at(-1)?.message;
      result.phase = phase;
    }
    if (!isCompleted(phase)) {
      everythingCompleted = false;
      continue;
    }
    const failure = metricFailure(metric, result);
    if (worst === undefined || isWorse(worst, phase)) {
      worst = phase;
      if (failure.message) {
        worstMessage = `Metric "${metric.name}" assessed ${phase} due to ${failure.message}`;
        if (result.message) {
          worstMessage += `: "Error Message: ${result.message}"`;
        }
      }
    }
    const keys: Record<string, keyof RunSummary> = {
      Error: 'error',
      Failed: 'failed',
      Inconclusive: 'inconclusive',
    };
    summary[keys[failure.phase ?? ''] ?? 'successful'] += 1;
  }
  worstMessage = worstMessage.trim();
  if (terminating) {
    return { phase: worst ?? 'Successful', message: worstMessage, summary };
  }
  if (!everythingCompleted || worst === undefined) {
    return { phase: 'Running', message: '', summary };
  }
  return { phase: worst, message: worstMessage, summary };
}

export function newMetricResult(name: string): MetricResult {
  return {
    name,
    phase: 'Running',
    measurements: [],
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
  };
}

/** Argo Rollouts' `rollout-type` label values. */
export type AnalysisRunType = 'Step' | 'Background';

/** One AnalysisRun the simulated controller created, with its measurements. */
export interface AnalysisRunState {
  name: string;
  type: AnalysisRunType;
  stepIndex?: number;
  podHash: string;
  revision: string;
  labels: Record<string, string>;
  createdAt: number;
  args: Array<{ name: string; value?: string }>;
  metrics: Metric[];
  results: MetricResult[];
  phase: AnalysisPhase;
  message: string;
  summary: RunSummary;
  completedAt?: number;
  terminate?: boolean;
  /** The controller paused the Rollout for this run being Inconclusive. */
  pausedFor?: boolean;
  /** Images of the canary pods: which scenario entries script the measurements. */
  images: string[];
}
