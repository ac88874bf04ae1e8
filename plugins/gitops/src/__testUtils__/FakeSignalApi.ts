import type { SignalApi, SignalSubscriber } from '@backstage/plugin-signals-react';
import { act } from '@testing-library/react';

/** A signal message (`JsonObject`, without depending on @backstage/types for one type). */
type JsonObject = Parameters<Parameters<SignalApi['subscribe']>[1]>[0];

/** A signals API the test drives: `publish` delivers a message to the channel's subscribers. */
export class FakeSignalApi implements SignalApi {
  private readonly subscribers = new Map<string, Set<(message: JsonObject) => void>>();

  subscribe<TMessage extends JsonObject = JsonObject>(
    channel: string,
    onMessage: (message: TMessage) => void,
  ): SignalSubscriber {
    const callback = onMessage as (message: JsonObject) => void;
    const channelSubscribers = this.subscribers.get(channel) ?? new Set();
    channelSubscribers.add(callback);
    this.subscribers.set(channel, channelSubscribers);
    return { unsubscribe: () => channelSubscribers.delete(callback) };
  }

  /**
   * Delivers a copy of `message` (as the real client does, one fresh object per
   * websocket message) and lets React render it.
   */
  publish(channel: string, message: JsonObject): void {
    act(() => {
      for (const callback of this.subscribers.get(channel) ?? []) callback({ ...message });
    });
  }

  subscriberCount(channel: string): number {
    return this.subscribers.get(channel)?.size ?? 0;
  }
}
