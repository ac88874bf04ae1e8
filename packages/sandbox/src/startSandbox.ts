import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import { ManualClock, systemClock } from './clock';
import { loadScenario } from './findings/scenario';
import { FileChanges, GitRepo } from './git/gitRepo';
import { seedSourceRepositories } from './git/sourceRepos';
import { createArgoCdApi } from './http/argocdApi';
import { HELM_REPOSITORY_PATH } from './http/helmRepository';
import { createKubernetesApi } from './http/kubernetesApi';
import { resolveOptions, SandboxOptions } from './options';
import { Sandbox } from './sandbox';

/**
 * A running sandbox: where its APIs listen, its repository, and the handles tests use
 * to deploy and to step time.
 *
 * @public
 */
export interface SandboxHandle {
  /** Base URL of the Argo CD API (`/api/v1/...`). */
  argocdUrl: string;
  /** The Helm chart repository the Argo CD server serves (`<argocdUrl>/helm-charts`). */
  helmRepoUrl: string;
  /** Base URL of the Kubernetes API (`/api`, `/apis/...`). */
  kubernetesUrl: string;
  /** The bare GitOps environment repository; commit to its `main` branch to deploy. */
  repoPath: string;
  /** The bearer token both APIs require. */
  token: string;
  /** Commits file changes (`null` deletes) on `main`; returns the new commit sha. */
  commit(changes: FileChanges, message: string): Promise<string>;
  /** A file's content at the head of `main`. */
  readFile(file: string): Promise<string>;
  /** Polls the repository and runs one simulation step now, as the timers would. */
  refresh(): Promise<void>;
  /**
   * With `manualClock` only: polls the repository, then moves time forward in
   * 100 ms steps, letting the simulation act at each step.
   */
  advance(ms: number): Promise<void>;
  /** Stops the timers and closes both servers. */
  stop(): Promise<void>;
}

/** Simulation steps are this far apart, in real time and in `advance`. */
const TICK_MS = 100;

/** Starts the sandbox: seeds or opens the repository, then serves both APIs. @public */
export async function startSandbox(
  options: SandboxOptions = {},
): Promise<SandboxHandle> {
  const config = resolveOptions(options);
  const repo = await GitRepo.openOrSeed(
    path.join(config.dataDir, 'gitops.git'),
    config.seedDir,
  );
  if (config.sourceReposPath) {
    await seedSourceRepositories(
      path.join(config.dataDir, 'repos'),
      config.sourceReposPath,
    );
  }
  const scenario = await loadScenario(config.scenarioPath);
  const clock = config.manualClock ? new ManualClock() : systemClock;
  let helmRepoUrl = '';
  const sandbox = new Sandbox({
    repo,
    clock,
    timing: config,
    scenario,
    log: config.log,
    helmChartsDir: config.helmChartsDir,
    helmRepoUrl: () => helmRepoUrl,
    reposDir: path.join(config.dataDir, 'repos'),
  });
  // The Helm repository's URL has the Argo CD server's port: listen first, and hold
  // requests until the first poll has read the repository.
  const firstPoll = deferred();
  const argocd = await listen(
    createArgoCdApi(sandbox, config.token, firstPoll.promise),
    config.argocdPort,
    config.host,
  );
  helmRepoUrl = `${urlOf(argocd, config.host)}${HELM_REPOSITORY_PATH}`;
  try {
    await sandbox.refresh();
    firstPoll.resolve();
  } catch (error) {
    await close(argocd);
    throw error;
  }
  const kubernetes = await listen(
    createKubernetesApi(sandbox, config.token),
    config.kubernetesPort,
    config.host,
  ).catch(async error => {
    await close(argocd);
    throw error;
  });
  const timers =
    clock instanceof ManualClock
      ? undefined
      : startTimers(sandbox, config.pollMs, config.log);

  return {
    argocdUrl: urlOf(argocd, config.host),
    helmRepoUrl,
    kubernetesUrl: urlOf(kubernetes, config.host),
    repoPath: repo.gitDir,
    token: config.token,
    commit: (changes, message) => repo.commitFiles(changes, message),
    readFile: async file => repo.readFile(await repo.head(), file),
    refresh: () => sandbox.refresh(),
    async advance(ms) {
      if (!(clock instanceof ManualClock)) {
        throw new Error('advance() needs the manualClock option');
      }
      await sandbox.poll();
      for (let elapsed = 0; elapsed < ms; elapsed += TICK_MS) {
        clock.advance(Math.min(TICK_MS, ms - elapsed));
        sandbox.tick();
      }
      sandbox.tick();
    },
    async stop() {
      await timers?.stop();
      await Promise.all([close(argocd), close(kubernetes)]);
    },
  };
}

/** Polls every `pollMs` and ticks every TICK_MS. */
function startTimers(
  sandbox: Sandbox,
  pollMs: number,
  log: (line: string) => void,
) {
  let lastPoll: Promise<void> | undefined;
  const poll = setInterval(() => {
    lastPoll = sandbox
      .poll()
      .catch(error => log(`poll failed: ${(error as Error).message}`));
  }, pollMs);
  const tick = setInterval(() => sandbox.tick(), TICK_MS);
  return {
    async stop() {
      clearInterval(poll);
      clearInterval(tick);
      await lastPoll;
    },
  };
}

function listen(
  app: Express,
  port: number,
  host: string,
): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Closes the server, including open watch streams that would keep it alive. */
function close(server: http.Server): Promise<void> {
  return new Promise(resolve => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlOf(server: http.Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>(r => {
    resolve = r;
  });
  return { promise, resolve };
}
