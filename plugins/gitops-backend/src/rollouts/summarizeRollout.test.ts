import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { summarizeRollout } from './summarizeRollout';

const fixtures = path.resolve(__dirname, '../../../../fixtures/upstream');
const load = (name: string) =>
  parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));

describe('summarizeRollout on the Argo Rollouts kubectl plugin fixtures', () => {
  it('reports a canary that exceeded its progress deadline as Degraded, step 0/8, weight 20', () => {
    const summary = summarizeRollout(load('argo-rollouts-canary-rollout.yaml'));
    expect(summary).toMatchObject({
      name: 'canary-demo',
      namespace: 'jesse-test',
      strategy: 'canary',
      phase: 'Degraded',
      message:
        'ProgressDeadlineExceeded: ReplicaSet "canary-demo-65fb5ffc84" has timed out progressing.',
      aborted: false,
      paused: false,
      step: { index: 0, count: 8 },
      weights: { stable: 80, canary: 20 },
      images: ['argoproj/rollouts-demo:does-not-exist'],
    });
    expect(summary.steps[0]).toEqual({ kind: 'setWeight', value: 20 });
    expect(summary.steps[1]).toEqual({ kind: 'pause' });
    expect(summary.steps[3]).toEqual({ kind: 'pause', value: '10s' });
  });

  it('reports a blue-green rollout waiting for promotion as Paused with BlueGreenPause', () => {
    const summary = summarizeRollout(load('argo-rollouts-bluegreen-rollout.yaml'));
    expect(summary.strategy).toBe('blueGreen');
    expect(summary.paused).toBe(true);
    expect(summary.pauseReasons[0].reason).toBe('BlueGreenPause');
    expect(summary.phase).toBe('Paused');
    expect(summary.message).toBe('BlueGreenPause');
    expect(summary.step).toBeUndefined();
    expect(summary.blueGreen?.activeSelector).toBeDefined();
  });

  it('reads a ping-pong canary the same way', () => {
    const summary = summarizeRollout(load('argo-rollouts-canary-rollout4.yaml'));
    expect(summary).toMatchObject({
      name: 'canary-demo-pingpong',
      phase: 'Degraded',
      step: { index: 0, count: 8 },
    });
  });

  it('reports the current step analysis run', () => {
    const rollout = load('argo-rollouts-canary-rollout.yaml');
    rollout.status.canary = {
      currentStepAnalysisRunStatus: { name: 'canary-demo-65fb5ffc84-31-1', status: 'Running' },
    };
    expect(summarizeRollout(rollout).analysis).toEqual({
      name: 'canary-demo-65fb5ffc84-31-1',
      status: 'Running',
    });
  });

  it('prefers the controller-reported phase and treats an unobserved generation as Progressing', () => {
    const rollout = load('argo-rollouts-canary-rollout.yaml');
    rollout.status.phase = 'Paused';
    rollout.status.message = 'CanaryPauseStep';
    expect(summarizeRollout(rollout).phase).toBe('Paused');
    rollout.metadata.generation = 430;
    expect(summarizeRollout(rollout)).toMatchObject({
      phase: 'Progressing',
      message: 'waiting for rollout spec update to be observed',
    });
  });

  it('reports an aborted canary with zero canary weight', () => {
    const rollout = load('argo-rollouts-canary-rollout.yaml');
    rollout.status.abort = true;
    rollout.status.conditions = [];
    const summary = summarizeRollout(rollout);
    expect(summary.aborted).toBe(true);
    expect(summary.weights).toEqual({ stable: 100, canary: 0, source: 'step' });
  });
});
