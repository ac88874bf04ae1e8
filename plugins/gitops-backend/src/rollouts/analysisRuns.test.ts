import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { summarizeRollout } from './summarizeRollout';
import { trimAnalysisRun } from './analysisRuns';

const fixtures = path.resolve(__dirname, '../../../../fixtures/upstream');
const load = (name: string) => parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));

/** The upstream canary Rollout, its status pointing at the upstream AnalysisRun (same kubectl plugin testdata). */
function rolloutAnalysing(runName: string, status = 'Running', message?: string) {
  const rollout = load('argo-rollouts-canary-rollout.yaml');
  rollout.status.canary = { ...rollout.status.canary, currentStepAnalysisRunStatus: { name: runName, status, message } };
  return rollout;
}

describe('a Rollout’s current analysis', () => {
  const run = load('argo-rollouts-canary-analysis.yaml');

  it('shows each metric of the AnalysisRun its status names: assessment, last measurement, counts', () => {
    run.metadata.namespace = 'jesse-test';
    const summary = summarizeRollout(rolloutAnalysing(run.metadata.name, 'Inconclusive'), [trimAnalysisRun(run)]);
    expect(summary.analysis).toEqual({
      name: 'rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr',
      status: 'Inconclusive',
      metrics: [
        {
          name: 'random-fail',
          phase: 'Inconclusive',
          lastMeasuredAt: '2019-10-30T16:13:40Z',
          failed: 4,
          failureLimit: 5,
          successful: 4,
          inconclusive: 1,
          error: 1,
          count: 8,
        },
      ],
    });
  });

  it('joins the conditions of the spec with the last value, and keeps only what the tab needs', () => {
    const prometheus = structuredClone(run);
    prometheus.metadata.namespace = 'jesse-test';
    prometheus.spec.metrics = [
      {
        name: 'success-rate',
        successCondition: 'result[0] >= 0.95',
        failureLimit: 0,
        provider: { prometheus: { address: 'http://prometheus:9090', query: 'sum(rate(http_requests_total[2m]))' } },
      },
    ];
    prometheus.status = {
      phase: 'Failed',
      message: 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
      metricResults: [
        {
          name: 'success-rate',
          phase: 'Failed',
          count: 2,
          successful: 1,
          failed: 1,
          measurements: [
            { phase: 'Successful', value: '[0.991]', startedAt: '2026-12-03T10:00:00Z', finishedAt: '2026-12-03T10:00:01Z' },
            { phase: 'Failed', value: '[0.912]', startedAt: '2026-12-03T10:01:00Z', finishedAt: '2026-12-03T10:01:01Z' },
          ],
        },
      ],
    };
    const trimmed = trimAnalysisRun(prometheus);
    // The provider's kind, not its query or address; the last measurement only.
    expect(trimmed.spec.metrics[0].provider).toEqual({ prometheus: {} });
    expect(trimmed.status!.metricResults![0].measurements).toHaveLength(1);

    const summary = summarizeRollout(rolloutAnalysing(prometheus.metadata.name, 'Failed'), [trimmed]);
    expect(summary.analysis).toMatchObject({
      status: 'Failed',
      message: 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
      metrics: [{ name: 'success-rate', phase: 'Failed', lastValue: '[0.912]', successCondition: 'result[0] >= 0.95', failed: 1, failureLimit: 0 }],
    });
  });

  it('says the metrics are unknown when the AnalysisRun could not be read, never none', () => {
    const summary = summarizeRollout(rolloutAnalysing('canary-demo-abc-2-1'), [], [
      { namespace: 'jesse-test', name: 'canary-demo-abc-2-1', message: 'Argo CD answered 403' },
    ]);
    expect(summary.analysis).toEqual({ name: 'canary-demo-abc-2-1', status: 'Running', error: 'Argo CD answered 403' });
  });

  it('reports the traffic router’s weights where it reports them, else the step’s', () => {
    const routed = rolloutAnalysing('x');
    routed.status.canary.weights = { canary: { weight: 10, podTemplateHash: 'a' }, stable: { weight: 90, podTemplateHash: 'b' }, verified: true };
    expect(summarizeRollout(routed).weights).toEqual({ canary: 10, stable: 90, source: 'traffic-router', verified: true });
    expect(summarizeRollout(rolloutAnalysing('x')).weights).toEqual({ canary: 20, stable: 80, source: 'step' });
  });
});
