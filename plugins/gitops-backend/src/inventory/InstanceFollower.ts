import type { LoggerService } from '@backstage/backend-plugin-api';
import pLimit from 'p-limit';
import { ArgoCdStreamRefusedError, type ArgoCdClient } from '../argocd/ArgoCdClient';
import { trimApplication } from '../argocd/trimApplication';
import type { ArgoApplication, ArgoApplicationWatchEvent } from '../argocd/types';
import type { InventoryStore } from '../database/InventoryStore';
import { entryKey, resourceVersionOf, type InventoryEntry } from './InventoryEntry';
import type { InventoryModel } from './InventoryModel';
import { readRollouts, reusableRollouts } from './readRollouts';
import { currentAnalysisRun } from '../rollouts/analysisRuns';

/** How an instance is followed, for `/health`. */
export type FollowMode = 'starting' | 'streaming' | 'polling';

export interface FollowerState {
  mode: FollowMode;
  /** Why the instance is polled rather than streamed. */
  modeReason?: string;
  /** The last full list that succeeded. */
  listedAt?: Date;
  /** The last stream event or list applied. */
  lastEventAt?: Date;
  /** The last failure (list or stream), cleared by the next success. */
  error?: string;
}

export interface FollowerTiming {
  /** How often `tick` is called: the poll interval where the stream is off, refused or buffered. */
  pollIntervalMs: number;
  /** Full list while streaming, to repair what a stream could miss. */
  resyncIntervalMs: number;
  /** First and longest wait before reconnecting a failed stream. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Live-resource calls (Rollout reads) in flight at once against one instance. */
const ROLLOUT_READ_CONCURRENCY = 8;
/** A stream that was connected through two resyncs that both found missed changes is buffered. */
const MISSED_RESYNCS_BEFORE_POLLING = 2;

/**
 * Follows one Argo CD instance into the inventory: a full list at start, then Argo CD's
 * watch stream from the list's resourceVersion, each event an upsert of one application
 * (its Rollouts re-read only when the event changed it); a slow full list as a resync;
 * reconnection with backoff, resuming from the last resourceVersion (after an unclean
 * break, one list closes the gap Argo CD does not replay). Where the stream is refused,
 * or a proxy buffers it (resyncs keep finding changes it never delivered), the
 * instance is polled instead and `state` says why.
 */
export class InstanceFollower {
  readonly state: FollowerState = { mode: 'starting' };
  private readonly abort = new AbortController();
  private lastResourceVersion?: string;
  private missedResyncs = 0;
  private streamConnectedAt?: number;
  /** Ends the current stream connection only (a switch to polling), not the follower. */
  private connection?: AbortController;
  private readonly pending = new Map<string, ArgoApplicationWatchEvent>();
  private readonly running = new Set<string>();
  private readonly rolloutReads = pLimit(ROLLOUT_READ_CONCURRENCY);
  private idle: Promise<void> = Promise.resolve();
  private markIdle?: () => void;
  private ticking = false;
  private listedOnce = false;

  constructor(
    private readonly client: ArgoCdClient,
    private readonly model: InventoryModel,
    private readonly store: InventoryStore,
    private readonly logger: LoggerService,
    private readonly options: FollowerTiming & { stream: boolean },
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!options.stream) {
      this.state.mode = 'polling';
      this.state.modeReason = 'gitops.argocd.stream is off';
    }
  }

  get instance(): string {
    return this.client.name;
  }

  /**
   * Streams (listing once as the stream opens) until `stop` or a fall-back to polling;
   * never rejects. Polls and resyncs happen on `tick` (the plugin's scheduled task), not
   * on timers of its own.
   */
  async run(): Promise<void> {
    if (this.state.mode !== 'polling') await this.stream();
    if (!this.listedOnce) await this.listFirst();
  }

  private async listFirst() {
    await this.list();
    this.listedOnce = true;
    this.markListed?.();
  }

  // Declared before `firstList`, whose initializer sets it.
  private markListed?: () => void;
  /** Resolves once the first list of `run` is done (whether it succeeded or not). */
  readonly firstList = new Promise<void>(resolve => (this.markListed = resolve));

  /**
   * The periodic work: a poll when polling, a resync when one is due while streaming.
   * Called every `pollIntervalMs`.
   */
  async tick(): Promise<void> {
    // Until `run` has listed once, its own list is the one that counts.
    if (this.abort.signal.aborted || this.ticking || !this.listedOnce) return;
    this.ticking = true;
    try {
      if (this.state.mode === 'polling') {
        await this.list();
      } else if (this.state.mode === 'streaming') {
        const listedAt = this.state.listedAt?.getTime() ?? 0;
        if (this.now().getTime() - listedAt >= this.options.resyncIntervalMs) await this.resync();
        else await this.rereadAnalysingRollouts();
      }
    } finally {
      this.ticking = false;
    }
  }

  stop() {
    this.abort.abort();
  }

  /** Resolves when no stream event is being applied (for tests and benchmarks). */
  settled(): Promise<void> {
    return this.idle;
  }

  /** Reads one application now and applies it, e.g. after an action changed it. */
  async refreshApplication(name: string, appNamespace?: string): Promise<void> {
    const app = await this.client.getApplication(name, appNamespace);
    await this.applyApplication(app);
  }

  /** Lists every application and makes the instance's inventory exactly that. */
  async list(): Promise<number> {
    const started = this.now();
    try {
      const { items, resourceVersion } = await this.client.listApplicationsAt();
      const missed = this.countMissed(items);
      const entries = await Promise.all(items.map(app => this.entryOf(app)));
      const { changed, removed } = this.model.replaceInstance(this.instance, entries, resourceVersion);
      await this.store.upsert(changed);
      await this.store.remove(this.instance, removed.map(r => ({
        namespace: r.application.metadata.namespace,
        name: r.application.metadata.name,
        resourceVersion,
      })), started);
      await this.store.recordList(this.instance, started);
      this.advance(resourceVersion);
      Object.assign(this.state, { listedAt: started, lastEventAt: this.now(), error: undefined });
      return missed;
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn(`Inventory list of Argo CD instance ${this.instance} failed: ${message}`);
      this.state.error = message;
      await this.store.recordFailure(this.instance, message, started).catch(() => undefined);
      return 0;
    }
  }

  /**
   * One connection after another. Argo CD replays nothing a client missed, so wherever
   * there may be a gap (the first connection, and after a break) the watch request is
   * sent first and the list read while it opens: a change during the list then arrives
   * on the stream too, and the model keeps whichever is newer. A resumed watch needs a
   * resourceVersion (else Argo CD sends every app again); `1` asks for everything new.
   */
  private async stream(): Promise<void> {
    let backoff = this.options.minBackoffMs ?? 1_000;
    let gap = true;
    while (!this.abort.signal.aborted && this.state.mode !== 'polling') {
      let clean = false;
      this.connection = new AbortController();
      try {
        this.state.mode = 'streaming';
        this.streamConnectedAt = Date.now();
        const events = this.client.watchApplications({
          resourceVersion: this.lastResourceVersion ?? '1',
          signal: AbortSignal.any([this.abort.signal, this.connection.signal]),
        })[Symbol.asyncIterator]();
        const first = events.next();
        first.catch(() => undefined);
        if (gap) await (this.listedOnce ? this.list() : this.listFirst());
        gap = false;
        for (let next = await first; !next.done; next = await events.next()) {
          this.enqueue(next.value);
          backoff = this.options.minBackoffMs ?? 1_000;
        }
        clean = true;
      } catch (error) {
        if (this.abort.signal.aborted || this.connection.signal.aborted) return;
        if (error instanceof ArgoCdStreamRefusedError) {
          this.fallBackToPolling(error.message);
          return;
        }
        this.state.error = (error as Error).message;
        this.logger.warn(`Watch stream of Argo CD instance ${this.instance} broke; reconnecting in ${backoff} ms: ${this.state.error}`);
      }
      this.streamConnectedAt = undefined;
      if (!clean) {
        gap = true;
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 30_000);
      }
    }
  }

  /** Lists again while streaming; a stream that keeps missing changes is given up. */
  async resync() {
    const connectedSince = this.streamConnectedAt;
    const missed = await this.list();
    if (this.state.mode !== 'streaming') return;
    const connectedThroughout = connectedSince !== undefined && Date.now() - connectedSince >= this.options.resyncIntervalMs;
    this.missedResyncs = missed && connectedThroughout ? this.missedResyncs + 1 : 0;
    if (missed) {
      this.logger.info(`Resync of Argo CD instance ${this.instance} found ${missed} changes the watch stream had not delivered`);
    }
    if (this.missedResyncs >= MISSED_RESYNCS_BEFORE_POLLING) {
      this.fallBackToPolling(
        'the watch stream stays connected but does not deliver changes (a proxy may buffer it); polling instead',
      );
      this.connection?.abort();
    }
  }

  private fallBackToPolling(reason: string) {
    this.logger.warn(`Argo CD instance ${this.instance}: ${reason}; polling every ${this.options.pollIntervalMs / 1000} s`);
    this.state.mode = 'polling';
    this.state.modeReason = reason;
  }

  /** Applications in a list that are newer than what the model holds. */
  private countMissed(items: ArgoApplication[]): number {
    if (this.state.mode !== 'streaming') return 0;
    return items.filter(app => {
      const held = this.model.get(entryKey(this.instance, app));
      const version = resourceVersionOf(app);
      const heldVersion = held ? resourceVersionOf(held.application) : undefined;
      return !held || (version !== undefined && heldVersion !== undefined && version > heldVersion);
    }).length;
  }

  /**
   * Events are applied per application in order, at most a few at once; a burst for one
   * application collapses into its latest event (each event carries the whole object).
   */
  private enqueue(event: ArgoApplicationWatchEvent) {
    const key = entryKey(this.instance, event.application);
    this.pending.set(key, event);
    if (!this.markIdle) this.idle = new Promise(resolve => (this.markIdle = resolve));
    this.drain();
  }

  private drain() {
    for (const [key, event] of this.pending) {
      if (this.running.has(key)) continue;
      this.pending.delete(key);
      this.running.add(key);
      this.applyEvent(event)
        .catch(error => {
          this.logger.warn(`Applying ${event.type} ${key} of Argo CD instance ${this.instance} failed: ${error}`);
        })
        .finally(() => {
          this.running.delete(key);
          this.drain();
        });
    }
    if (!this.pending.size && !this.running.size && this.markIdle) {
      this.markIdle();
      this.markIdle = undefined;
    }
  }

  private async applyEvent(event: ArgoApplicationWatchEvent) {
    this.advance(event.application.metadata.resourceVersion);
    if (event.type === 'DELETED') {
      const removed = this.model.remove(this.instance, [event.application]);
      if (removed.length) {
        await this.store.remove(this.instance, [{
          namespace: event.application.metadata.namespace,
          name: event.application.metadata.name,
          resourceVersion: event.application.metadata.resourceVersion,
        }], this.now());
      }
    } else if (event.type === 'ADDED' || event.type === 'MODIFIED') {
      await this.applyApplication(event.application);
    }
    this.state.lastEventAt = this.now();
  }

  private async applyApplication(app: ArgoApplication) {
    const entry = await this.entryOf(app);
    const changed = this.model.upsert(this.instance, [entry]);
    if (changed.length) await this.store.upsert(changed);
  }

  /**
   * A running analysis takes measurements without the Application changing (Argo CD
   * reports the Rollout Progressing throughout), so the stream brings no event: the
   * Rollouts of applications whose analysis runs are read again on each tick.
   */
  private async rereadAnalysingRollouts() {
    const analysing = this.model.entriesOf(this.instance).filter(held => held.rollouts.some(isAnalysing));
    await Promise.all(
      analysing.map(async held => {
        const rollouts = await this.rolloutReads(() => readRollouts(this.client, held.application));
        const changed = this.model.upsert(this.instance, [{ ...held, ...rollouts, observedAt: this.now() }]);
        if (changed.length) await this.store.upsert(changed);
      }),
    );
  }

  private async entryOf(app: ArgoApplication): Promise<InventoryEntry> {
    const application = trimApplication(app);
    const previous = this.model.get(entryKey(this.instance, app));
    const rollouts =
      reusableRollouts(application, previous) ??
      (await this.rolloutReads(() => readRollouts(this.client, application)));
    return { instance: this.instance, application, ...rollouts, observedAt: this.now() };
  }

  private advance(resourceVersion?: string) {
    const version = resourceVersionOf({ metadata: { name: '', resourceVersion } });
    const current = resourceVersionOf({ metadata: { name: '', resourceVersion: this.lastResourceVersion } });
    if (version !== undefined && (current === undefined || version > current)) {
      this.lastResourceVersion = resourceVersion;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

const ANALYSIS_DONE = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);

/** The Rollout's current AnalysisRun is still measuring. */
function isAnalysing(rollout: InventoryEntry['rollouts'][number]): boolean {
  const status = currentAnalysisRun(rollout)?.status;
  return status !== undefined && !ANALYSIS_DONE.has(status);
}
