import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_OPTIONS, type SandboxOptions } from '../options';
import { SandboxHandle, startSandbox } from '../startSandbox';

export interface JsonResponse {
  status: number;
  body: any;
}

export interface TestSandbox extends SandboxHandle {
  argocd(urlPath: string, init?: RequestInit): Promise<JsonResponse>;
  kube(urlPath: string, init?: RequestInit): Promise<JsonResponse>;
  /** An Argo CD Application as the API serves it. */
  application(name: string): Promise<any>;
  /** An Argo Rollout as the Kubernetes API serves it. */
  rollout(namespace: string, name: string): Promise<any>;
  /** Commits a new `image.tag` into a values file; returns the commit sha. */
  setImageTag(valuesFile: string, tag: string): Promise<string>;
  /** Advances the manual clock in steps until `check` passes. */
  advanceUntil(check: () => Promise<boolean>, maxMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The example services the older tests were written against (see `classicSeed`). */
const CLASSIC_SERVICES = ['orders-api', 'payments-api', 'shipping-api'];

/**
 * A seed of the example GitOps repository with only the three classic services'
 * Applications and values (no extra branches, tags or ApplicationSets), in `dir`: the
 * tests of syncs, rollouts and findings count and watch those nine Applications.
 */
async function classicSeed(dir: string): Promise<string> {
  const seed = path.join(dir, 'classic-seed');
  for (const service of CLASSIC_SERVICES) {
    for (const env of ['dev', 'staging', 'prod']) {
      for (const file of [
        `argocd/${service}-${env}.yaml`,
        `apps/${service}/${env}/values.yaml`,
      ]) {
        await fs.mkdir(path.dirname(path.join(seed, file)), {
          recursive: true,
        });
        await fs.copyFile(
          path.join(DEFAULT_OPTIONS.seedDir, file),
          path.join(seed, file),
        );
      }
    }
  }
  return seed;
}

/**
 * A sandbox for tests: its own temporary data directory, free ports, a manual clock
 * and short timings, no logging. Seeded with the three classic services unless
 * `options.seedDir` names a seed (DEFAULT_OPTIONS.seedDir for the whole example).
 */
export async function startTestSandbox(
  options: SandboxOptions = {},
): Promise<TestSandbox> {
  const dataDir = await fs.mkdtemp(
    path.join(os.tmpdir(), 'gitops-sandbox-test-'),
  );
  const seedDir = options.seedDir ?? (await classicSeed(dataDir));
  const handle = await startSandbox({
    dataDir,
    seedDir,
    argocdPort: 0,
    kubernetesPort: 0,
    manualClock: true,
    syncDelayMs: 1000,
    operationMs: 500,
    podStartupMs: 1000,
    log: () => undefined,
    // the source repositories only serve the app's promotion dialog
    sourceReposPath: false,
    ...options,
  });
  const client =
    (baseUrl: string) =>
    async (urlPath: string, init: RequestInit = {}): Promise<JsonResponse> => {
      const response = await fetch(`${baseUrl}${urlPath}`, {
        ...init,
        headers: { authorization: `Bearer ${handle.token}`, ...init.headers },
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
      };
    };
  const argocd = client(handle.argocdUrl);
  const kube = client(handle.kubernetesUrl);
  return {
    ...handle,
    argocd,
    kube,
    application: async name =>
      (await argocd(`/api/v1/applications/${name}`)).body,
    rollout: async (namespace, name) =>
      (
        await kube(
          `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${name}`,
        )
      ).body,
    async setImageTag(valuesFile, tag) {
      const values = await handle.readFile(valuesFile);
      const updated = values.replace(/^(\s*tag:\s*).*$/m, `$1"${tag}"`);
      return handle.commit({ [valuesFile]: updated }, `Deploy ${tag}`);
    },
    async advanceUntil(check, maxMs = 120_000) {
      const stepMs = 500;
      for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
        if (await check()) return;
        await handle.advance(stepMs);
      }
      throw new Error(
        `condition not reached within ${maxMs} ms of sandbox time`,
      );
    },
    async close() {
      await handle.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The upstream fixtures copied into the repository (see fixtures/upstream/SOURCES.md). */
export const UPSTREAM_FIXTURES = path.resolve(
  // Tests always run from source, where __dirname is this directory.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../../fixtures/upstream',
);
