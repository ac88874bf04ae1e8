/**
 * The parent's side of `backendProcess.ts`: forks one backend into its own process
 * (under the same Node transform as the benchmark) and talks to it over IPC.
 */
import { fork, type ChildProcess } from 'child_process';
import path from 'path';
import type { BackendOptions, Memory, Stats } from './backendProcess';

export type ForkedBackend = {
  /** The backend's base URL, e.g. `http://127.0.0.1:PORT/api`. */
  baseUrl: string;
  /** Runs our inventory's scheduled task now (a no-op for Roadie, which keeps no state). */
  tick(): Promise<void>;
  /** Lists every Argo CD instance again now (ours). */
  resync(): Promise<void>;
  /**
   * Ours: subscribes to the next change of application `name`; the returned function
   * waits until the inventory applied it and gives when (epoch ms). Call it before the
   * change is made. Roadie keeps nothing: it resolves at once.
   */
  watchChange(name: string): Promise<() => Promise<number | undefined>>;
  /** Ours: from now on, remember when each changed application was applied. */
  record(): Promise<void>;
  /** When the inventory applied each of these applications' last change (epoch ms). */
  appliedAt(names: string[]): Promise<Record<string, { resourceVersion?: string; at: number } | undefined>>;
  memory(): Promise<Memory>;
  /** CPU, DB writes, scheduled runs, read-model updates and memory (after a full GC unless `gc: false`). */
  stats(options?: { gc?: boolean }): Promise<Stats>;
  stop(): Promise<void>;
};

/** Sends one request and waits for the reply with its id; fails if the child dies first. */
function ask<T>(child: ChildProcess, id: number, request: { type: string } & Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`backend process exited (${code}) during '${request.type}'`));
    const onMessage = (message: { id?: number; error?: string } & T) => {
      if (message.id !== id) return;
      child.off('message', onMessage).off('exit', onExit);
      if (message.error) reject(new Error(`backend process failed '${request.type}': ${message.error}`));
      else resolve(message);
    };
    child.on('message', onMessage).once('exit', onExit);
    child.send({ id, ...request });
  });
}

/**
 * The test backend with no plugin, the harness every backend's RSS includes: the median
 * (by RSS) of `runs` fresh processes, since one process's RSS varies by 10 to 20 MiB.
 */
export async function measureHarnessFloor(runs = 3): Promise<Memory & { rssMiBOfRuns: number[] }> {
  const readings: Memory[] = [];
  for (let i = 0; i < runs; i++) {
    const backend = await forkBackend({ kind: 'none', instances: [], services: 0 });
    readings.push(await backend.memory());
    await backend.stop();
  }
  const sorted = [...readings].sort((a, b) => a.rssMiB - b.rssMiB);
  return { ...sorted[Math.floor(runs / 2)], rssMiBOfRuns: readings.map(r => r.rssMiB) };
}

export async function forkBackend(options: BackendOptions): Promise<ForkedBackend> {
  const child = fork(path.join(__dirname, 'backendProcess.ts'), [JSON.stringify(options)], {
    // --expose-gc: memory is read after a full collection, not at whatever point the
    // collector happened to reach.
    execArgv: ['--expose-gc', '--require', require.resolve('@backstage/cli/config/nodeTransform.cjs')],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${options.kind} backend process exited (${code}) before it started`));
    // Backstage's Node transform also reports every file it compiles over IPC: skip those.
    const onMessage = (message: { port?: number }) => {
      if (message.port === undefined) return;
      child.off('exit', onExit).off('message', onMessage);
      resolve(message.port);
    };
    child.once('exit', onExit).on('message', onMessage);
  });
  let requests = 0;
  const request = <T = object>(type: string, args: Record<string, unknown> = {}) =>
    ask<T & { id: number }>(child, ++requests, { type, ...args }).then(({ id: _, ...reply }) => reply as T);
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    tick: () => request('tick').then(() => undefined),
    resync: () => request('resync').then(() => undefined),
    async watchChange(name) {
      await request('watchChange', { name });
      return () => request<{ at?: number }>('changeApplied', { name }).then(reply => reply.at);
    },
    record: () => request('record').then(() => undefined),
    appliedAt: names =>
      request<{ applied: Record<string, { resourceVersion?: string; at: number } | undefined> }>('appliedAt', {
        names,
      }).then(reply => reply.applied),
    memory: () => request<Memory>('memory'),
    stats: ({ gc = true } = {}) => request<Stats>('stats', { gc }),
    stop: async () => {
      const exited = new Promise(resolve => child.once('exit', resolve));
      await request('stop');
      await exited;
    },
  };
}
