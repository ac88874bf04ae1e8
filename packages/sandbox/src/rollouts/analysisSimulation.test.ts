import { analysisScriptFor, parseScenario } from '../findings/scenario';
import { AnalysisTemplate, evaluateMeasurement } from './analysis';
import { rolloutHealth } from './rolloutHealth';
import { RolloutSimulation } from './rolloutSimulation';
import type { CanaryStep, RolloutSpec, RolloutStrategy } from './rolloutTypes';

/*
 * Argo Rollouts analysis as the sandbox simulates it: AnalysisRuns of analysis steps
 * and of background analysis, measured from the scenario's `analysisRuns`, assessed
 * as analysis/analysis.go does, and a failed run aborting the update as
 * rollout/analysis.go does; and the traffic weights of a traffic-routed canary.
 */

const SUCCESS_RATE: AnalysisTemplate = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'success-rate' },
  spec: {
    args: [{ name: 'service-name' }],
    metrics: [
      {
        name: 'success-rate',
        interval: '10s',
        count: 3,
        successCondition: 'result[0] >= 0.95',
        provider: {
          prometheus: {
            address: 'http://prometheus.monitoring:9090',
            query:
              'sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[5m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[5m]))',
          },
        },
      },
    ],
  },
};

const ANALYSIS = {
  templates: [{ templateName: 'success-rate' }],
  args: [{ name: 'service-name', value: 'payments-api' }],
};

const STEPS: CanaryStep[] = [
  { setWeight: 20 },
  { analysis: ANALYSIS },
  { setWeight: 50 },
  { pause: { duration: 10 } },
];

const SCENARIO = `
analysisRuns:
  - image: ghcr.io/example/payments-api:1.5.0
    metric: success-rate
    values: [0.99, 0.98, 0.97]
  - image: ghcr.io/example/payments-api:1.6.0
    metric: success-rate
    values: [0.99, 0.42]
  - image: ghcr.io/example/payments-api:*
    metric: success-rate
    values: ["[0.7]"]
    intervalSeconds: 5
`;

function spec(image: string, strategy: RolloutStrategy): RolloutSpec {
  return {
    replicas: 3,
    revisionHistoryLimit: 3,
    selector: { matchLabels: { app: 'payments-api' } },
    strategy,
    template: {
      metadata: { labels: { app: 'payments-api' } },
      spec: { containers: [{ name: 'payments-api', image }] },
    },
  };
}

function simulate(
  strategy: RolloutStrategy = { canary: { steps: STEPS } },
  templates: AnalysisTemplate[] = [SUCCESS_RATE],
) {
  const scenario = parseScenario(SCENARIO, 'test.yaml');
  let now = Date.parse('2024-05-01T10:00:00Z');
  const rollout = new RolloutSimulation({
    name: 'payments-api',
    namespace: 'payments-api-dev',
    instance: 'payments-api-dev',
    spec: spec('ghcr.io/example/payments-api:1.4.2', strategy),
    now,
    timing: { podStartupMs: 1000, timeScale: 1 },
    log: () => undefined,
    analysisTemplates: templates,
    analysisScript: (images, metric) =>
      analysisScriptFor(scenario, images, metric),
  });
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i += 100) {
      now += 100;
      rollout.reconcile(now);
    }
  };
  return {
    rollout,
    advance,
    deploy: (image: string) => rollout.applySpec(spec(image, strategy), now),
    action: (name: string) => rollout.runAction(name, now),
    runs: () => rollout.analysisRuns() as any[],
  };
}

describe('AnalysisRuns of a canary analysis step', () => {
  it('measures the metric every interval, succeeds after count and lets the rollout complete', () => {
    const sim = simulate();
    const stable = sim.rollout.object.status.currentPodHash;
    expect(sim.runs()).toEqual([]);

    sim.deploy('ghcr.io/example/payments-api:1.5.0');
    sim.advance(1000); // the canary pod is up: step 1 starts its AnalysisRun
    const { status, metadata } = sim.rollout.object;
    const hash = status.currentPodHash!;
    const name = `payments-api-${hash}-2-1`;
    expect(status.currentStepIndex).toBe(1);
    expect(status.canary.currentStepAnalysisRunStatus).toEqual({
      name,
      status: 'Running',
    });
    expect(status.phase).toBe('Progressing');

    let [run] = sim.runs();
    expect(run).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: {
        name,
        namespace: 'payments-api-dev',
        annotations: { 'rollout.argoproj.io/revision': '2' },
        labels: {
          'rollouts-pod-template-hash': hash,
          'rollout-type': 'Step',
          'step-index': '1',
          app: 'payments-api',
        },
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name: 'payments-api',
            uid: metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        args: [{ name: 'service-name', value: 'payments-api' }],
        metrics: [
          {
            name: 'success-rate',
            interval: '10s',
            count: 3,
            successCondition: 'result[0] >= 0.95',
          },
        ],
      },
      status: {
        phase: 'Running',
        startedAt: expect.any(String),
        metricResults: [
          {
            name: 'success-rate',
            phase: 'Running',
            count: 1,
            successful: 1,
            measurements: [
              {
                phase: 'Successful',
                value: '[0.99]',
                startedAt: expect.any(String),
                finishedAt: expect.any(String),
              },
            ],
          },
        ],
      },
    });
    // The args are resolved into the metric.
    expect(run.spec.metrics[0].provider.prometheus.query).toContain(
      'service="payments-api"',
    );

    sim.advance(20_000); // two more measurements: count (3) reached
    [run] = sim.runs();
    expect(run.status).toMatchObject({
      phase: 'Successful',
      runSummary: { count: 1, successful: 1 },
      metricResults: [
        {
          phase: 'Successful',
          count: 3,
          successful: 3,
          measurements: [
            { value: '[0.99]' },
            { value: '[0.98]' },
            { value: '[0.97]' },
          ],
        },
      ],
    });
    expect(sim.rollout.object.status.currentStepIndex).toBeGreaterThan(1);

    sim.advance(15_000); // 50%, the 10 s pause, promotion
    const done = sim.rollout.object.status;
    expect(done).toMatchObject({ phase: 'Healthy', stableRS: hash });
    expect(done.stableRS).not.toBe(stable);
    expect(done.canary.currentStepAnalysisRunStatus).toBeUndefined();
    expect(sim.runs().map(r => r.status.phase)).toEqual(['Successful']);
  });

  it('fails on a failed measurement (failureLimit 0) and aborts the rollout with upstream messages', () => {
    const sim = simulate();
    const stable = sim.rollout.object.status.currentPodHash;
    sim.deploy('ghcr.io/example/payments-api:1.6.0');
    sim.advance(1000);
    const hash = sim.rollout.object.status.currentPodHash!;
    const name = `payments-api-${hash}-2-1`;

    sim.advance(10_000); // the second measurement, 0.42, fails
    const [run] = sim.runs();
    const metricMessage =
      'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';
    expect(run.metadata.name).toBe(name);
    expect(run.status).toMatchObject({
      phase: 'Failed',
      message: metricMessage,
      runSummary: { count: 1, failed: 1 },
      completedAt: expect.any(String),
      metricResults: [
        {
          name: 'success-rate',
          phase: 'Failed',
          count: 2,
          successful: 1,
          failed: 1,
          measurements: [
            { phase: 'Successful', value: '[0.99]' },
            { phase: 'Failed', value: '[0.42]' },
          ],
        },
      ],
    });

    sim.advance(1000);
    const rollout = sim.rollout.object;
    const abortMessage = `Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${metricMessage}`;
    expect(rollout.status).toMatchObject({
      abort: true,
      abortedAt: expect.any(String),
      phase: 'Degraded',
      message: `RolloutAborted: ${abortMessage}`,
      currentStepIndex: 0,
      stableRS: stable,
    });
    expect(rollout.status.canary.currentStepAnalysisRunStatus).toBeUndefined();
    expect(rollout.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Progressing',
        status: 'False',
        reason: 'RolloutAborted',
        message: abortMessage,
      }),
    );
    expect(rolloutHealth(rollout)).toEqual({
      status: 'Degraded',
      message: abortMessage,
    });
    // Back to the stable pods.
    const counts = Object.fromEntries(
      sim.rollout
        .replicaSets()
        .map(rs => [
          rs.metadata.labels!['rollouts-pod-template-hash'],
          rs.spec.replicas,
        ]),
    );
    expect(counts).toEqual({ [stable!]: 3, [hash]: 0 });

    // retry runs the steps again, with a new run (the name is taken: `.1`).
    sim.action('retry');
    sim.advance(2000);
    expect(
      sim.rollout.object.status.canary.currentStepAnalysisRunStatus,
    ).toEqual({ name: `${name}.1`, status: 'Running' });
  });

  it('pauses on an Inconclusive run (InconclusiveAnalysis) and starts a new run on resume', () => {
    const template: AnalysisTemplate = {
      ...SUCCESS_RATE,
      spec: {
        metrics: [
          {
            name: 'success-rate',
            interval: '10s',
            count: 2,
            successCondition: 'result[0] >= 0.95',
            failureCondition: 'result[0] < 0.5',
          },
        ],
      },
    };
    const sim = simulate(undefined, [template]);
    sim.deploy('ghcr.io/example/payments-api:1.7.0'); // 0.7 (repository:*), every 5 s
    sim.advance(1000);
    const { status } = sim.rollout.object;
    expect(status).toMatchObject({
      phase: 'Paused',
      message: 'InconclusiveAnalysis',
      pauseConditions: [{ reason: 'InconclusiveAnalysis' }],
      canary: {
        currentStepAnalysisRunStatus: {
          status: 'Inconclusive',
          message:
            'Metric "success-rate" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
        },
      },
    });
    sim.action('resume');
    sim.advance(200);
    expect(
      sim.rollout.object.status.canary.currentStepAnalysisRunStatus?.name,
    ).toBe(`payments-api-${status.currentPodHash}-2-1.1`);
  });

  it('passes the step at once when the sandbox has no such AnalysisTemplate', () => {
    const sim = simulate(undefined, []);
    sim.deploy('ghcr.io/example/payments-api:1.6.0');
    sim.advance(2000);
    expect(sim.rollout.object.status.currentStepIndex).toBeGreaterThan(1);
    expect(sim.runs()).toEqual([]);
  });
});

describe('background analysis', () => {
  it('runs from startingStep and aborts the update when it fails', () => {
    const sim = simulate({
      canary: {
        steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }],
        analysis: { ...ANALYSIS, startingStep: 1 },
      },
    });
    sim.deploy('ghcr.io/example/payments-api:1.6.0');
    const hash = sim.rollout.object.status.currentPodHash!;
    expect(sim.runs()).toEqual([]); // before the starting step
    sim.advance(1000);
    expect(
      sim.rollout.object.status.canary.currentBackgroundAnalysisRunStatus,
    ).toEqual({ name: `payments-api-${hash}-2`, status: 'Running' });
    expect(sim.runs()[0].metadata.labels).toMatchObject({
      'rollout-type': 'Background',
      'rollouts-pod-template-hash': hash,
    });

    sim.advance(10_000);
    expect(sim.rollout.object.status).toMatchObject({
      abort: true,
      phase: 'Degraded',
      message:
        'RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed: Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
    });
  });
});

describe('traffic-routed canary', () => {
  it('reports status.canary.weights with the canary and stable Services, keeping the stable pods', () => {
    const sim = simulate({
      canary: {
        steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }],
        canaryService: 'payments-api-canary',
        stableService: 'payments-api',
        trafficRouting: { nginx: { stableIngress: 'payments-api' } },
      },
    });
    const stable = sim.rollout.object.status.currentPodHash!;
    expect(sim.rollout.object.status.canary.weights).toEqual({
      canary: {
        weight: 0,
        podTemplateHash: stable,
        serviceName: 'payments-api-canary',
      },
      stable: {
        weight: 100,
        podTemplateHash: stable,
        serviceName: 'payments-api',
      },
    });

    sim.deploy('ghcr.io/example/payments-api:1.5.0');
    const canary = sim.rollout.object.status.currentPodHash!;
    // No canary pod ready yet: no traffic to it.
    expect(sim.rollout.object.status.canary.weights?.canary.weight).toBe(0);
    sim.advance(1000);
    const { status } = sim.rollout.object;
    expect(status.currentStepIndex).toBe(1);
    expect(status.canary.weights).toEqual({
      canary: {
        weight: 20,
        podTemplateHash: canary,
        serviceName: 'payments-api-canary',
      },
      stable: {
        weight: 80,
        podTemplateHash: stable,
        serviceName: 'payments-api',
      },
    });
    const replicas = Object.fromEntries(
      sim.rollout
        .replicaSets()
        .map(rs => [
          rs.metadata.labels!['rollouts-pod-template-hash'],
          rs.spec.replicas,
        ]),
    );
    // The router splits the traffic: the stable side keeps every replica.
    expect(replicas).toEqual({ [stable]: 3, [canary]: 1 });

    sim.action('resume');
    sim.advance(200); // 60%: the canary scales to 2, the weight waits for it
    expect(sim.rollout.object.status.canary.weights?.canary.weight).toBe(20);
    sim.advance(1000);
    expect(sim.rollout.object.status.canary.weights?.canary.weight).toBe(60);

    sim.action('abort');
    sim.advance(200);
    expect(sim.rollout.object.status.canary.weights).toMatchObject({
      canary: { weight: 0, podTemplateHash: canary },
      stable: { weight: 100, podTemplateHash: stable },
    });
  });
});

describe('measurement conditions', () => {
  it.each([
    [{ successCondition: 'result[0] >= 0.95' }, 0.95, 'Successful'],
    [{ successCondition: 'result[0] >= 0.95' }, 0.9, 'Failed'],
    [{ failureCondition: 'result > 100' }, 101, 'Failed'],
    [{ failureCondition: 'result > 100' }, 100, 'Successful'],
    [
      {
        successCondition: 'result[0] > 0.9',
        failureCondition: 'result[0] < 0.5',
      },
      0.7,
      'Inconclusive',
    ],
    [{ successCondition: 'result == 1' }, 1, 'Successful'],
    [{ successCondition: 'result <= 2' }, 3, 'Failed'],
    [{ successCondition: 'len(result) > 0 && result[0] > 1' }, 0, 'Successful'],
    [{}, 0, 'Successful'],
  ])('%j with %p is %s', (conditions, value, phase) => {
    expect(evaluateMeasurement({ name: 'm', ...conditions }, value)).toBe(
      phase,
    );
  });
});

describe('scenario analysisRuns', () => {
  const parse = (text: string) => () => parseScenario(text, 'test.yaml');

  it('rejects invalid entries, naming the field', () => {
    expect(parse('analysisRuns: {}')).toThrow(
      'invalid scenario test.yaml: analysisRuns must be a list',
    );
    expect(
      parse(
        'analysisRuns:\n  - image: payments-api\n    metric: m\n    values: [1]',
      ),
    ).toThrow(
      'invalid scenario test.yaml: analysisRuns[0].image must be repository:tag or repository:*',
    );
    expect(parse('analysisRuns:\n  - image: a/b:1\n    values: [1]')).toThrow(
      'invalid scenario test.yaml: analysisRuns[0].metric must name a metric of an AnalysisTemplate',
    );
    expect(
      parse('analysisRuns:\n  - image: a/b:1\n    metric: m\n    values: []'),
    ).toThrow(
      'invalid scenario test.yaml: analysisRuns[0].values must be a non-empty list of numbers or strings',
    );
    expect(
      parse(
        'analysisRuns:\n  - image: a/b:1\n    metric: m\n    values: [1]\n    phase: Bad',
      ),
    ).toThrow(
      "invalid scenario test.yaml: analysisRuns[0].phase must be one of Successful, Failed, Inconclusive, Error, or a list of them (null: from the metric's conditions)",
    );
    expect(
      parse(
        'analysisRuns:\n  - image: a/b:1\n    metric: m\n    values: [1]\n    intervalSeconds: 0',
      ),
    ).toThrow(
      'invalid scenario test.yaml: analysisRuns[0].intervalSeconds must be a positive number of seconds',
    );
  });

  it('finds the entry of the tag before the repository wildcard', () => {
    const scenario = parseScenario(SCENARIO, 'test.yaml');
    expect(
      analysisScriptFor(
        scenario,
        ['ghcr.io/example/payments-api:1.6.0'],
        'success-rate',
      )?.values,
    ).toEqual([0.99, 0.42]);
    expect(
      analysisScriptFor(
        scenario,
        ['ghcr.io/example/payments-api:9.9.9'],
        'success-rate',
      )?.values,
    ).toEqual(['[0.7]']);
    expect(
      analysisScriptFor(
        scenario,
        ['ghcr.io/example/payments-api:9.9.9'],
        'latency',
      ),
    ).toBeUndefined();
  });
});
