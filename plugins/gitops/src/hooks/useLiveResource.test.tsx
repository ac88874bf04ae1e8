import { TestApiProvider } from '@backstage/test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { FakeSignalApi } from '../__testUtils__/FakeSignalApi';
import {
  LIVE_FALLBACK_POLL_MS,
  LIVE_SAFETY_POLL_MS,
  useLiveResource,
  type LiveResourceOptions,
} from './useLiveResource';

const CHANNEL = 'gitops:entity:component:default/payments-api';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(res => {
    resolve = res;
  });
  return { promise, resolve };
}

/** Renders the hook in an app with the given signals API, or with none (no signals plugin). */
function renderLive(options: LiveResourceOptions<string>, signals?: FakeSignalApi) {
  const wrapper = ({ children }: { children: ReactNode }) =>
    signals ? (
      <TestApiProvider apis={[[signalApiRef, signals]]}>{children}</TestApiProvider>
    ) : (
      <TestApiProvider apis={[]}>{children}</TestApiProvider>
    );
  return renderHook((props: LiveResourceOptions<string>) => useLiveResource(props), {
    initialProps: options,
    wrapper,
  });
}

/** Lets the reader's promise chain settle and React render the answer. */
const settle = () => act(async () => {});

afterEach(() => jest.useRealTimers());

describe('useLiveResource', () => {
  it('reads on mount and re-reads when a signal arrives on its channel, not on another', async () => {
    const signals = new FakeSignalApi();
    const load = jest.fn().mockResolvedValueOnce('first').mockResolvedValueOnce('second');
    const { result } = renderLive({ key: 'a', load, channel: CHANNEL }, signals);
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.value).toBe('first'));
    expect(result.current.loading).toBe(false);
    expect(signals.subscriberCount(CHANNEL)).toBe(1);

    signals.publish('gitops:entity:component:default/other', { kind: 'deployments' });
    expect(load).toHaveBeenCalledTimes(1);

    signals.publish(CHANNEL, { kind: 'deployments' });
    await waitFor(() => expect(result.current.value).toBe('second'));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('re-reads only on messages of its kind when given one', async () => {
    const signals = new FakeSignalApi();
    const load = jest.fn().mockResolvedValue('promotions');
    renderLive({ key: 'a', load, channel: CHANNEL, kind: 'promotions' }, signals);
    await settle();
    expect(load).toHaveBeenCalledTimes(1);

    signals.publish(CHANNEL, { kind: 'deployments' });
    expect(load).toHaveBeenCalledTimes(1);
    signals.publish(CHANNEL, { kind: 'promotions' });
    expect(load).toHaveBeenCalledTimes(2);
    await settle();
  });

  it('turns a burst of signals during a read into exactly one more read, after it', async () => {
    const signals = new FakeSignalApi();
    const first = deferred<string>();
    const second = deferred<string>();
    const load = jest.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    const { result } = renderLive({ key: 'a', load, channel: CHANNEL }, signals);
    expect(load).toHaveBeenCalledTimes(1);

    // Each in its own render, so React's batching cannot be what merges them.
    signals.publish(CHANNEL, { kind: 'deployments' });
    signals.publish(CHANNEL, { kind: 'promotions' });
    signals.publish(CHANNEL, { kind: 'deployments' });
    act(() => result.current.reload());
    expect(load).toHaveBeenCalledTimes(1);

    await act(async () => first.resolve('before the burst'));
    expect(load).toHaveBeenCalledTimes(2);
    expect(result.current.value).toBe('before the burst');

    await act(async () => second.resolve('after the burst'));
    expect(result.current.value).toBe('after the burst');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('drops a slow answer for the previous key: it never replaces the new key’s answer', async () => {
    const signals = new FakeSignalApi();
    const slow = deferred<string>();
    const loadA = jest.fn().mockResolvedValueOnce('a: first').mockReturnValueOnce(slow.promise);
    const { result, rerender } = renderLive({ key: 'a', load: loadA, channel: CHANNEL }, signals);
    await waitFor(() => expect(result.current.value).toBe('a: first'));
    signals.publish(CHANNEL, { kind: 'deployments' });
    expect(loadA).toHaveBeenCalledTimes(2);

    const loadB = jest.fn().mockResolvedValue('b');
    rerender({ key: 'b', load: loadB, channel: 'gitops:entity:component:default/b' });
    // Another entity's data is never shown for this one, not even until its first answer.
    expect(result.current.value).toBeUndefined();
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.value).toBe('b'));

    await act(async () => slow.resolve('a: late'));
    expect(result.current.value).toBe('b');
    expect(loadB).toHaveBeenCalledTimes(1);
  });

  it('keeps the last good value when a read fails, with the error beside it, until a read succeeds', async () => {
    const signals = new FakeSignalApi();
    const load = jest
      .fn()
      .mockResolvedValueOnce('good')
      .mockRejectedValueOnce(new Error('backend down'))
      .mockResolvedValueOnce('better');
    const { result } = renderLive({ key: 'a', load, channel: CHANNEL }, signals);
    await waitFor(() => expect(result.current.value).toBe('good'));

    signals.publish(CHANNEL, { kind: 'deployments' });
    await waitFor(() => expect(result.current.error?.message).toBe('backend down'));
    expect(result.current.value).toBe('good');

    signals.publish(CHANNEL, { kind: 'deployments' });
    await waitFor(() => expect(result.current.value).toBe('better'));
    expect(result.current.error).toBeUndefined();
  });

  it('without the signals plugin, polls at the fallback interval', async () => {
    jest.useFakeTimers();
    const load = jest.fn().mockResolvedValue('value');
    renderLive({ key: 'a', load, channel: CHANNEL });
    await settle();
    expect(load).toHaveBeenCalledTimes(1);

    await act(() => jest.advanceTimersByTimeAsync(LIVE_FALLBACK_POLL_MS - 1));
    expect(load).toHaveBeenCalledTimes(1);
    await act(() => jest.advanceTimersByTimeAsync(1));
    expect(load).toHaveBeenCalledTimes(2);
    await act(() => jest.advanceTimersByTimeAsync(LIVE_FALLBACK_POLL_MS));
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('takes the fallback interval as an option', async () => {
    jest.useFakeTimers();
    const load = jest.fn().mockResolvedValue('value');
    renderLive({ key: 'a', load, channel: CHANNEL, fallbackPollMs: 2_000 });
    await settle();
    await act(() => jest.advanceTimersByTimeAsync(2_000));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('with signals, does not poll at the fallback interval, only a safety re-read', async () => {
    jest.useFakeTimers();
    const load = jest.fn().mockResolvedValue('value');
    renderLive({ key: 'a', load, channel: CHANNEL }, new FakeSignalApi());
    await settle();
    expect(load).toHaveBeenCalledTimes(1);

    await act(() => jest.advanceTimersByTimeAsync(LIVE_SAFETY_POLL_MS - 1));
    expect(load).toHaveBeenCalledTimes(1);
    await act(() => jest.advanceTimersByTimeAsync(1));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('stops reading once unmounted', async () => {
    jest.useFakeTimers();
    const load = jest.fn().mockResolvedValue('value');
    const { unmount } = renderLive({ key: 'a', load, channel: CHANNEL });
    await settle();
    unmount();
    await act(() => jest.advanceTimersByTimeAsync(3 * LIVE_FALLBACK_POLL_MS));
    expect(load).toHaveBeenCalledTimes(1);
  });
});
