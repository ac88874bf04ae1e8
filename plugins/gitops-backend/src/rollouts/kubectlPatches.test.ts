import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { kubectlPatches } from './kubectlPatches';

const load = (name: string) =>
  parse(fs.readFileSync(path.resolve(__dirname, `../../../../fixtures/upstream/${name}`), 'utf8'));
const now = new Date('2026-11-22T10:00:00.123Z');

describe('kubectlPatches (as the Argo Rollouts kubectl plugin sends them)', () => {
  it('promote clears the pause conditions of a rollout paused at a step', () => {
    const rollout = load('argo-rollouts-bluegreen-rollout.yaml');
    expect(kubectlPatches(rollout, 'promote', now)).toEqual({
      status: { pauseConditions: null },
      unified: { spec: { paused: false }, status: { pauseConditions: null } },
    });
  });

  it('promote of a canary with no pause condition moves to the next step', () => {
    const rollout = load('argo-rollouts-canary-rollout.yaml');
    expect(kubectlPatches(rollout, 'promote', now)).toEqual({
      status: { pauseConditions: null, currentStepIndex: 1 },
      unified: { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: 1 } },
    });
  });

  it('promote of a manually paused rollout also unpauses the spec', () => {
    const rollout = load('argo-rollouts-canary-rollout.yaml');
    rollout.spec.paused = true;
    rollout.status.pauseConditions = [{ reason: 'PausedByUser', startTime: '2026-11-22T09:00:00Z' }];
    expect(kubectlPatches(rollout, 'promote', now)).toMatchObject({ spec: { paused: false }, status: { pauseConditions: null } });
  });

  it('promote-full, abort, retry, pause and restart', () => {
    const rollout = load('argo-rollouts-canary-rollout.yaml');
    expect(kubectlPatches(rollout, 'promote-full', now).status).toEqual({ promoteFull: true });
    expect(kubectlPatches(rollout, 'abort', now).status).toEqual({ abort: true });
    expect(kubectlPatches(rollout, 'retry', now).status).toEqual({ abort: false });
    expect(kubectlPatches(rollout, 'pause', now)).toEqual({ spec: { paused: true } });
    expect(kubectlPatches(rollout, 'restart', now)).toEqual({ spec: { restartAt: '2026-11-22T10:00:00Z' } });
    rollout.status.currentPodHash = rollout.status.stableRS;
    expect(kubectlPatches(rollout, 'promote-full', now)).toEqual({});
  });
});
