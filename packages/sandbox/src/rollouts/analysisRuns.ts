import { kubeTime } from '../clock';
import { stableUid } from '../ids';
import type { KubeObject } from '../kubeTypes';
import {
  AnalysisPhase,
  AnalysisRunState,
  AnalysisRunType,
  AnalysisTemplate,
  Argument,
  assessRun,
  durationMs,
  isCompleted,
  Metric,
  MetricResult,
  newMetricResult,
  recordMeasurement,
  RolloutAnalysis,
  takeMeasurement,
} from './analysis';
import type { ControllerContext, ControllerState } from './controllerState';
import {
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  Rollout,
} from './rolloutTypes';

export interface AnalysisRunAnnotatedStatus {
  name: string;
  status: AnalysisPhase;
  message?: string;
}

/** Argo Rollouts' default successful/unsuccessful AnalysisRun history limits. */
const RUN_HISTORY_LIMIT = 5;

/** The templates a RolloutAnalysis names, or undefined when the sandbox lacks one. */
export function resolveTemplates(
  analysis: RolloutAnalysis | undefined,
  ctx: ControllerContext,
): AnalysisTemplate[] | undefined {
  const refs = analysis?.templates ?? [];
  if (!refs.length || !ctx.analysisTemplate) return undefined;
  const templates = refs.map(ref => ctx.analysisTemplate!(ref.templateName));
  return templates.every(Boolean)
    ? (templates as AnalysisTemplate[])
    : undefined;
}

/**
 * `newAnalysisRunFromRollout`: named `<rollout>-<podHash>-<revision>[-<step>]`, with
 * a `.N` suffix when that name was taken by an earlier run (`CreateWithCollisionCounter`).
 */
export function createAnalysisRun(
  state: ControllerState,
  analysis: RolloutAnalysis,
  templates: AnalysisTemplate[],
  type: AnalysisRunType,
  ctx: ControllerContext,
  stepIndex?: number,
): AnalysisRunState {
  const { rollout } = state;
  const podHash = rollout.status.currentPodHash!;
  const revision = rollout.metadata.annotations[REVISION_ANNOTATION];
  const parts = [rollout.metadata.name, podHash, revision];
  if (stepIndex !== undefined) parts.push(String(stepIndex));
  const base = parts.join('-');
  const taken = new Set(state.analysisRuns.map(run => run.name));
  let name = base;
  for (let n = 1; taken.has(name); n++) {
    name = `${base}.${n}`;
  }
  const args = resolveArgs(templates, analysis.args ?? [], rollout);
  const metrics = templates
    .flatMap(template => template.spec.metrics)
    .map(metric => substituteArgs(metric, args));
  const labels: Record<string, string> = {
    [POD_TEMPLATE_HASH_LABEL]: podHash,
    'rollout-type': type,
    ...(stepIndex !== undefined ? { 'step-index': String(stepIndex) } : {}),
    ...rollout.spec.selector.matchLabels,
  };
  const canary = state.replicaSets.find(rs => rs.hash === podHash);
  const run: AnalysisRunState = {
    name,
    type,
    ...(stepIndex !== undefined ? { stepIndex } : {}),
    podHash,
    revision,
    labels,
    createdAt: ctx.now,
    args,
    metrics,
    results: [],
    phase: 'Running',
    message: '',
    summary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
    images: canary?.template.spec.containers.map(c => c.image) ?? [],
  };
  state.analysisRuns.push(run);
  return run;
}

/**
 * Template args with their defaults, overridden by the Rollout's; `valueFrom:
 * podTemplateHashValue` resolves to the stable or latest pod-template-hash.
 */
function resolveArgs(
  templates: AnalysisTemplate[],
  rolloutArgs: Argument[],
  rollout: Rollout,
): Array<{ name: string; value?: string }> {
  const merged = new Map<string, Argument>();
  for (const arg of templates.flatMap(t => t.spec.args ?? [])) {
    if (!merged.has(arg.name) || arg.value !== undefined) {
      merged.set(arg.name, arg);
    }
  }
  for (const arg of rolloutArgs) {
    merged.set(arg.name, arg);
  }
  return [...merged.values()].map(arg => {
    const from = arg.valueFrom?.podTemplateHashValue;
    if (from) {
      const hash =
        from === 'Stable'
          ? rollout.status.stableRS
          : rollout.status.currentPodHash;
      return { name: arg.name, value: hash };
    }
    return arg.value !== undefined
      ? { name: arg.name, value: arg.value }
      : { name: arg.name };
  });
}

/** `{{args.name}}` in the metric, replaced as `ResolveMetricArgs` does. */
function substituteArgs(
  metric: Metric,
  args: Array<{ name: string; value?: string }>,
): Metric {
  const text = JSON.stringify(metric).replace(
    /\{\{\s*args\.([\w-]+)\s*\}\}/g,
    (whole, name: string) => {
      const value = args.find(arg => arg.name === name)?.value;
      return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
    },
  );
  return JSON.parse(text) as Metric;
}

/**
 * One reconcile of the analysis controller: takes the measurements that are due (one
 * per metric, the first at once or after `initialDelay`, then every `interval`, both
 * scaled by the time scale) and assesses the run.
 */
export function advanceAnalysisRun(
  run: AnalysisRunState,
  ctx: ControllerContext,
): void {
  if (isCompleted(run.phase)) return;
  const terminating =
    run.terminate ||
    run.results.some(r =>
      ['Failed', 'Error', 'Inconclusive'].includes(r.phase),
    );
  if (!terminating) {
    for (const metric of run.metrics) {
      measureIfDue(run, metric, ctx);
    }
  }
  const { phase, message, summary } = assessRun(
    run.metrics,
    run.results,
    run.terminate === true,
  );
  run.phase = phase;
  run.message = message;
  run.summary = summary;
  if (isCompleted(phase)) {
    run.completedAt = ctx.now;
  }
}

function measureIfDue(
  run: AnalysisRunState,
  metric: Metric,
  ctx: ControllerContext,
): void {
  let result = run.results.find(r => r.name === metric.name);
  if (result && isCompleted(result.phase)) return;
  const script = ctx.analysisScript?.(run.images, metric.name);
  const last = result?.measurements.at(-1);
  let due: number;
  if (last) {
    const intervalMs =
      script?.intervalSeconds !== undefined
        ? script.intervalSeconds * 1000
        : durationMs(metric.interval);
    if (intervalMs === undefined) return;
    due = last.at + intervalMs * ctx.timeScale;
  } else {
    due =
      run.createdAt + (durationMs(metric.initialDelay) ?? 0) * ctx.timeScale;
  }
  if (ctx.now < due) return;
  if (!result) {
    result = newMetricResult(metric.name);
    run.results.push(result);
  }
  const measurement = takeMeasurement(
    metric,
    script,
    result.measurements.length,
    ctx.now,
  );
  recordMeasurement(result, measurement);
}

/** `cancelAnalysisRuns`: sets `spec.terminate`; the run completes on its next assessment. */
export function terminateAnalysisRun(
  run: AnalysisRunState,
  ctx: ControllerContext,
): void {
  if (isCompleted(run.phase) || run.terminate) return;
  run.terminate = true;
  advanceAnalysisRun(run, ctx);
}

export function runStatus(run: AnalysisRunState): AnalysisRunAnnotatedStatus {
  return {
    name: run.name,
    status: run.phase,
    ...(run.message ? { message: run.message } : {}),
  };
}

/**
 * Keeps the runs of the Rollout's ReplicaSets, at most five successful and five
 * unsuccessful ones besides the current runs (`FilterAnalysisRunsToDelete`).
 */
export function pruneAnalysisRuns(state: ControllerState): void {
  const current = new Set([state.stepRun, state.backgroundRun]);
  const hashes = new Set(state.replicaSets.map(rs => rs.hash));
  const others = state.analysisRuns
    .filter(run => !current.has(run))
    .sort((a, b) => b.createdAt - a.createdAt);
  const keep = new Set<AnalysisRunState>();
  let successful = 0;
  let unsuccessful = 0;
  for (const run of others) {
    if (!hashes.has(run.podHash)) continue;
    if (run.phase === 'Successful') {
      successful += 1;
      if (successful <= RUN_HISTORY_LIMIT) keep.add(run);
    } else {
      unsuccessful += 1;
      if (unsuccessful <= RUN_HISTORY_LIMIT) keep.add(run);
    }
  }
  state.analysisRuns = state.analysisRuns.filter(
    run => current.has(run) || keep.has(run),
  );
}

/** The `argoproj.io/v1alpha1` AnalysisRun object, in the shape the controller writes. */
export function analysisRunObject(
  rollout: Rollout,
  run: AnalysisRunState,
): KubeObject {
  const namespace = rollout.metadata.namespace!;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: run.name,
      namespace,
      uid: stableUid('AnalysisRun', namespace, run.name),
      creationTimestamp: kubeTime(run.createdAt),
      generation: 1,
      labels: { ...run.labels },
      annotations: { [REVISION_ANNOTATION]: run.revision },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: rollout.metadata.name,
          uid: rollout.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      metrics: structuredClone(run.metrics),
      ...(run.args.length ? { args: structuredClone(run.args) } : {}),
      ...(run.terminate ? { terminate: true } : {}),
    },
    status: {
      phase: run.phase,
      ...(run.message ? { message: run.message } : {}),
      ...(run.results.length
        ? { metricResults: run.results.map(metricResultObject) }
        : {}),
      startedAt: kubeTime(run.createdAt),
      runSummary: omitZero(run.summary),
      dryRunSummary: {},
      ...(run.completedAt !== undefined
        ? { completedAt: kubeTime(run.completedAt) }
        : {}),
    },
  } as KubeObject;
}

function metricResultObject(result: MetricResult) {
  const { measurements, message, name, phase, ...counts } = result;
  return {
    name,
    phase,
    measurements: measurements.map(m => ({
      phase: m.phase,
      ...(m.message ? { message: m.message } : {}),
      startedAt: kubeTime(m.at),
      finishedAt: kubeTime(m.at),
      ...(m.value !== undefined ? { value: m.value } : {}),
    })),
    ...(message ? { message } : {}),
    ...omitZero(counts),
  };
}

/** The counters are `omitempty`: zero is left out, as the API server would. */
function omitZero<T extends object>(counts: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(counts).filter(([, value]) => value !== 0),
  ) as Partial<T>;
}
