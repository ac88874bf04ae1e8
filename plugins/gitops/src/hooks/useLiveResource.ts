import { useSignal } from '@backstage/plugin-signals-react';
import type { GitopsSignal } from '@gitops-suite/backstage-plugin-gitops-common';
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type Dispatch,
  type SetStateAction,
} from 'react';
import { CoalescingReader, type ReadResult } from './CoalescingReader';

/** Re-read interval when the app has no signals plugin: polling is then all that keeps a view live. */
export const LIVE_FALLBACK_POLL_MS = 10_000;
/**
 * Re-read interval when signals are available: a safety net for a message lost while
 * the signals websocket was reconnecting, or coalesced away by React batching.
 */
export const LIVE_SAFETY_POLL_MS = 60_000;

/** What `useLiveResource` reads and when. */
export type LiveResourceOptions<T> = {
  /** What is read (an entity ref, a filter). A new key drops the old key's value and answers. */
  key: string;
  /** Reads the resource. The latest function passed is used, so an inline closure is fine. */
  load: () => Promise<T>;
  /** The signals channel on which the backend announces changes. */
  channel: string;
  /** Re-read only on messages of this kind; on every message when omitted. */
  kind?: GitopsSignal['kind'];
  /** Poll interval without signals; `LIVE_FALLBACK_POLL_MS` by default. */
  fallbackPollMs?: number;
  /** Re-read interval with signals; `LIVE_SAFETY_POLL_MS` by default. */
  safetyPollMs?: number;
};

/** A resource kept live, with the last good value and the last read's error. */
export type LiveResource<T> = {
  value?: T;
  /** Why the last read failed; `value` stays the last good one. */
  error?: Error;
  /** True until the first answer (value or error) for the current key. */
  loading: boolean;
  /** Re-reads now, or once after the read in flight. */
  reload(): void;
};

type State<T> = { key: string; answered: boolean; value?: T; error?: Error };

/**
 * A resource re-read when the backend signals a change on `channel`, polled only as a
 * fallback: every `fallbackPollMs` without the signals plugin, every `safetyPollMs` with
 * it. Reads never overlap (see `CoalescingReader`).
 */
export function useLiveResource<T>(options: LiveResourceOptions<T>): LiveResource<T> {
  const {
    key,
    load,
    channel,
    kind,
    fallbackPollMs = LIVE_FALLBACK_POLL_MS,
    safetyPollMs = LIVE_SAFETY_POLL_MS,
  } = options;
  const [state, setState] = useState<State<T>>({ key, answered: false });
  const reload = useReader(key, load, setState);
  const { lastSignal, isSignalsAvailable } = useSignal<GitopsSignal>(channel);
  useEffect(() => {
    if (lastSignal && (!kind || lastSignal.kind === kind)) reload();
  }, [lastSignal, kind, reload]);
  useInterval(reload, isSignalsAvailable ? safetyPollMs : fallbackPollMs);

  // Until the new key's first answer, the state may still hold the old key's value:
  // another entity's data, never to be shown.
  const current = state.key === key ? state : { answered: false, value: undefined, error: undefined };
  return { value: current.value, error: current.error, loading: !current.answered, reload };
}

/** One reader per key, reading at once; returns a stable trigger for the current key's reader. */
function useReader<T>(key: string, load: () => Promise<T>, setState: Dispatch<SetStateAction<State<T>>>) {
  // The latest loader, so callers may pass a closure without restarting the reader.
  const loadRef = useRef(load);
  loadRef.current = load;
  const readerRef = useRef<CoalescingReader<T>>();
  useEffect(() => {
    const reader = new CoalescingReader(
      () => loadRef.current(),
      result => setState(previous => nextState(key, previous, result)),
    );
    readerRef.current = reader;
    reader.trigger();
    return () => reader.dispose();
  }, [key, setState]);
  return useCallback(() => readerRef.current?.trigger(), []);
}

/** A value replaces the state; an error keeps the key's last good value beside it. */
function nextState<T>(key: string, previous: State<T>, result: ReadResult<T>): State<T> {
  if ('value' in result) return { key, answered: true, value: result.value };
  const value = previous.key === key ? previous.value : undefined;
  return { key, answered: true, value, error: result.error };
}

function useInterval(callback: () => void, ms: number) {
  useEffect(() => {
    const timer = setInterval(callback, ms);
    return () => clearInterval(timer);
  }, [callback, ms]);
}
