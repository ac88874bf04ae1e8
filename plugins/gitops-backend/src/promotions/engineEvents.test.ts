import { engineError, saysAlready, stepFailed } from './engineEvents';

describe('engine events', () => {
  it('name the step or the action, and the error', () => {
    expect(stepFailed('pull-request-open', new Error('GitHub answered 502'))).toEqual({
      type: 'engine-error', message: 'Step pull-request-open failed, will retry: GitHub answered 502',
    });
    expect(engineError('Asking Argo CD to refresh x failed', 'ECONNRESET')).toEqual({
      type: 'engine-error', message: 'Asking Argo CD to refresh x failed: ECONNRESET',
    });
  });

  it('are said once while the newest event says the same', () => {
    const event = stepFailed('syncing', new Error('git fetch failed'));
    const at = '2026-12-02T10:00:00Z';
    expect(saysAlready({ events: [] }, event)).toBe(false);
    expect(saysAlready({ events: [{ at, ...event }] }, event)).toBe(true);
    expect(saysAlready({ events: [{ at, ...event }, { at, type: 'approval', message: 'ok' }] }, event)).toBe(false);
    expect(saysAlready({ events: [{ at, ...stepFailed('syncing', new Error('other')) }] }, event)).toBe(false);
  });
});
