import { mergePatch } from './mergePatch';

describe('mergePatch', () => {
  it('merges objects, deletes null keys and replaces arrays (RFC 7386)', () => {
    const target = {
      spec: { paused: true, replicas: 3 },
      status: {
        pauseConditions: [{ reason: 'CanaryPauseStep' }],
        currentStepIndex: 1,
      },
    };
    expect(
      mergePatch(target, {
        spec: { paused: false },
        status: { pauseConditions: null, currentStepIndex: 2, conditions: [] },
      }),
    ).toEqual({
      spec: { paused: false, replicas: 3 },
      status: { currentStepIndex: 2, conditions: [] },
    });
    expect(target.status.pauseConditions).toHaveLength(1);
  });
});
