/**
 * The parent's side of `backendProcess.ts`: forks one backend into its own process
 * (under the same Node transform as the benchmark) and talks to it over IPC.
 */
import { fork, type ChildProcess } from 'child_process';
import path from 'path';
import type { BackendOptions, Memory } from './backendProcess';

export type ForkedBackend = {
  /** The backend's base URL, e.g. `http://127.0.0.1:PORT/api`. */
  baseUrl: string;
  /** Runs our inventory refresh now (a no-op for Roadie, which keeps no state). */
  refresh(): Promise<void>;
  memory(): Promise<Memory>;
  stop(): Promise<void>;
};

/** Sends one request and waits for the reply with its id; fails if the child dies first. */
function ask<T>(child: ChildProcess, type: string, id: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`backend process exited (${code}) during '${type}'`));
    const onMessage = (message: { id?: number } & T) => {
      if (message.id !== id) return;
      child.off('message', onMessage).off('exit', onExit);
      resolve(message);
    };
    child.on('message', onMessage).once('exit', onExit);
    child.send({ id, type });
  });
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
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    refresh: () => ask(child, 'refresh', ++requests).then(() => undefined),
    memory: () => ask<Memory & { id: number }>(child, 'memory', ++requests).then(({ id: _, ...memory }) => memory),
    stop: async () => {
      const exited = new Promise(resolve => child.once('exit', resolve));
      await ask(child, 'stop', ++requests);
      await exited;
    },
  };
}
