import { mockServices } from '@backstage/backend-test-utils';
import { PromotionLease } from './PromotionLease';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** The store's lease calls; `holds` is whether the worker still holds the lease. */
function fakeStore() {
  const state = { holds: true };
  const calls: string[] = [];
  return {
    calls,
    set holds(value: boolean) {
      state.holds = value;
    },
    claimNext: jest.fn(async (): Promise<string | undefined> => 'p1'),
    renew: jest.fn(async (): Promise<boolean> => {
      calls.push('renew');
      return state.holds;
    }),
    release: jest.fn(async (): Promise<void> => {
      calls.push('release');
    }),
  };
}

describe('PromotionLease', () => {
  const options = (store: ReturnType<typeof fakeStore>) => ({
    store, worker: 'replica-a', leaseMs: 60, now: () => new Date(), logger: mockServices.logger.mock(),
  });

  it('renews in the background while held, and stops and releases when ended', async () => {
    const store = fakeStore();
    const lease = (await PromotionLease.claimNext(options(store)))!;
    await sleep(130);
    await lease.end();
    const renewals = store.calls.filter(c => c === 'renew').length;
    expect(renewals).toBeGreaterThanOrEqual(3);
    expect(store.calls[store.calls.length - 1]).toBe('release');
    await sleep(60);
    expect(store.calls.filter(c => c === 'renew')).toHaveLength(renewals);
  });

  it('refuses to confirm a lease another worker holds now', async () => {
    const store = fakeStore();
    const lease = (await PromotionLease.claimNext(options(store)))!;
    await expect(lease.confirm('open its pull request')).resolves.toBeUndefined();
    store.holds = false;
    await expect(lease.confirm('open its pull request')).rejects.toThrow(
      'Lease of promotion p1 was lost before it could open its pull request: another replica works on it now',
    );
    await lease.end();
  });

  it('keeps the lease through a renewal the database failed, and claims nothing when nothing is due', async () => {
    const store = fakeStore();
    store.renew.mockRejectedValueOnce(new Error('connection reset'));
    const lease = (await PromotionLease.claimNext(options(store)))!;
    await sleep(30);
    await expect(lease.confirm('open its pull request')).resolves.toBeUndefined();
    await lease.end();
    store.claimNext.mockResolvedValueOnce(undefined);
    expect(await PromotionLease.claimNext(options(store))).toBeUndefined();
  });
});
