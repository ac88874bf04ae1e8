import { ConfigReader } from '@backstage/config';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { testInventory } from '../__testUtils__/inventory';
import { readGitopsConfig } from '../config/gitopsConfig';
import type { StoredPromotion } from '../database/PromotionStore';
import { verifyDeployment, type VerifyInput } from './verifyDeployment';

const SHA = 'c'.repeat(40);
const config = readGitopsConfig(
  new ConfigReader({
    gitops: {
      environments: [{ name: 'staging', match: { labels: { env: 'staging' } } }],
      argocd: { instances: [{ name: 'main', url: 'http://argocd.invalid', token: 't' }] },
    },
  }),
);
const promotion = {
  id: 'p1',
  version: { tag: '1.5.0' },
  commit: { sha: SHA, repoURL: 'r', path: 'f' },
  updatedAt: '2026-12-02T10:00:00Z',
  target: { instance: 'main', appName: 'payments-api-staging' },
} as StoredPromotion;

function app(state: { revision?: string; sync?: string; health?: string; operationState?: object } = {}) {
  const application = argoApplication('payments-api-staging', {
    labels: { env: 'staging' }, revision: state.revision ?? SHA, sync: state.sync, health: state.health,
  });
  if (state.operationState) application.status!.operationState = state.operationState as never;
  return testInventory(config, [{ instance: 'main', application }]).index().find('main', 'payments-api-staging');
}

const verify = (overrides: Partial<VerifyInput>) =>
  verifyDeployment({
    promotion,
    app: app(),
    contains: async () => true,
    now: new Date('2026-12-02T10:05:00Z'),
    timeoutMinutes: 30,
    ...overrides,
  });

describe('verifyDeployment', () => {
  it('succeeds once synced at a revision with the commit and healthy', async () => {
    expect(await verify({})).toEqual({ outcome: 'succeeded', message: 'payments-api-staging synced ccccccc and is Healthy' });
  });

  it('fails a Degraded application, and one never healthy within the timeout', async () => {
    expect(await verify({ app: app({ health: 'Degraded' }) })).toMatchObject({ outcome: 'failed', reason: 'payments-api-staging is Degraded' });
    expect(await verify({ app: app({ health: 'Progressing' }) })).toEqual({ outcome: 'waiting' });
    expect(await verify({ app: app({ health: 'Progressing' }), now: new Date('2026-12-02T10:31:00Z') })).toEqual({
      outcome: 'failed',
      reason: 'Not synced and healthy within 30 min (Synced at ccccccc, Progressing)',
    });
  });

  it('waits without asking git while Argo CD has not synced', async () => {
    const contains = jest.fn(async () => true);
    expect(await verify({ app: app({ sync: 'OutOfSync' }), contains })).toEqual({ outcome: 'waiting' });
    expect(contains).not.toHaveBeenCalled();
  });

  it('calls a revision git cannot relate to the commit unknown: waiting, then unverified, never failed', async () => {
    const contains = async () => {
      throw new Error('git merge-base failed: fatal: Not a valid commit name');
    };
    const unknown = await verify({ app: app({ revision: 'f'.repeat(40), health: 'Degraded' }), contains });
    expect(unknown).toEqual({ outcome: 'waiting', unknown: expect.any(Error) });
    expect((unknown as { unknown: Error }).unknown.message).toBe(
      'cannot tell whether fffffff contains ccccccc: git merge-base failed: fatal: Not a valid commit name',
    );
    expect(await verify({ contains, now: new Date('2026-12-02T10:31:00Z') })).toEqual({
      outcome: 'unverified',
      reason: 'Could not verify the deployment within 30 min: cannot tell whether ccccccc contains ccccccc: git merge-base failed: fatal: Not a valid commit name',
    });
  });

  describe('sync hooks (v1alpha1OperationState, v1alpha1ResourceResult)', () => {
    const postSync = (hookPhase: string, message?: string) => ({
      group: 'batch', version: 'v1', kind: 'Job', namespace: 'payments-staging', name: 'payments-api-postsync-smoke',
      status: 'Synced', hookType: 'PostSync', hookPhase, syncPhase: 'PostSync', ...(message ? { message } : {}),
    });
    const state = (phase: string, hookPhase: string, message?: string) => ({
      phase, startedAt: '2026-12-02T10:01:00Z', syncResult: { revision: SHA, resources: [postSync(hookPhase, message)] },
    });

    it('waits while a PostSync hook runs, though the application is Synced and Healthy', async () => {
      expect(await verify({ app: app({ operationState: state('Running', 'Running') }) })).toEqual({ outcome: 'waiting' });
    });

    it('fails the version when a hook fails, naming it', async () => {
      const failed = app({ operationState: state('Failed', 'Failed', 'Job has reached the specified backoff limit') });
      expect(await verify({ app: failed })).toEqual({
        outcome: 'failed',
        reason: 'payments-api-staging: PostSync hook Job payments-api-postsync-smoke failed: Job has reached the specified backoff limit',
      });
    });

    it('succeeds once its hooks succeeded, and ignores the operation of an earlier revision', async () => {
      expect(await verify({ app: app({ operationState: state('Succeeded', 'Succeeded') }) })).toMatchObject({ outcome: 'succeeded' });
      const earlier = { ...state('Failed', 'Failed'), syncResult: { revision: 'e'.repeat(40), resources: [postSync('Failed')] } };
      expect(await verify({ app: app({ operationState: earlier }) })).toMatchObject({ outcome: 'succeeded' });
    });
  });
});
