import fs from 'node:fs';
import path from 'node:path';

/** Options of `startSandbox`; every one has a default (see README). @public */
export interface SandboxOptions {
  /** Holds the bare repository `gitops.git`. */
  dataDir?: string;
  /** What a new bare repository is seeded with. */
  seedDir?: string;
  /** Findings scenario (vulnerabilities, Kyverno policies). */
  scenarioPath?: string;
  /** Helm charts served at `<argocdUrl>/helm-charts`: `<dir>/<chart>/<version>/{Chart.yaml,values.yaml}`. */
  helmChartsDir?: string;
  /** The example services' source repositories, seeded under `<dataDir>/repos`; false: none. */
  sourceReposPath?: string | false;
  /** 0 picks a free port. */
  argocdPort?: number;
  /** 0 picks a free port. */
  kubernetesPort?: number;
  /** The address both servers listen on. */
  host?: string;
  /** The bearer token both APIs require. */
  token?: string;
  /** How often the repository is polled, like Argo CD's refresh. */
  pollMs?: number;
  /** How long an Application stays OutOfSync before its automated sync starts. */
  syncDelayMs?: number;
  /** How long a sync operation runs. */
  operationMs?: number;
  /** Time from pod creation to readiness. */
  podStartupMs?: number;
  /** Multiplies operation, pod startup and pause step durations (0.01 makes them 100x shorter). */
  timeScale?: number;
  /**
   * Stops the timers: time only moves through `advance(ms)` on the handle, so tests
   * step through timed states deterministically and without sleeping.
   */
  manualClock?: boolean;
  /** Where transition log lines go; stdout by default. */
  log?: (line: string) => void;
}

type ResolvedOptions = Required<SandboxOptions>;

/**
 * Where the example data lives: the published package carries a copy in `examples/`
 * (made by its prepack script), next to `dist/`; inside the monorepo it is the repo's
 * own `examples/`, two levels above `packages/sandbox`.
 */
// eslint-disable-next-line no-restricted-syntax
const PACKAGED_EXAMPLES = path.resolve(__dirname, '../examples');
const IN_MONOREPO = !fs.existsSync(PACKAGED_EXAMPLES);
// eslint-disable-next-line no-restricted-syntax
const REPO_ROOT = path.resolve(__dirname, '../../..');
export const EXAMPLES_DIR = IN_MONOREPO
  ? path.join(REPO_ROOT, 'examples')
  : PACKAGED_EXAMPLES;

export const DEFAULT_OPTIONS: ResolvedOptions = {
  // Installed from the registry, state goes where it is started (npx in a project).
  dataDir: IN_MONOREPO
    ? path.join(REPO_ROOT, '.sandbox-data')
    : path.resolve('.gitops-sandbox'),
  seedDir: path.join(EXAMPLES_DIR, 'gitops-repo'),
  scenarioPath: path.join(EXAMPLES_DIR, 'sandbox/scenario.yaml'),
  helmChartsDir: path.join(EXAMPLES_DIR, 'helm-charts'),
  sourceReposPath: path.join(EXAMPLES_DIR, 'sandbox/source-repos.yaml'),
  argocdPort: 7080,
  kubernetesPort: 7081,
  host: '127.0.0.1',
  token: 'sandbox-token',
  pollMs: 2000,
  syncDelayMs: 1500,
  operationMs: 500,
  podStartupMs: 2000,
  timeScale: 1,
  manualClock: false,
  log: line => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
};

export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  );
  return { ...DEFAULT_OPTIONS, ...defined };
}

/** Options from `SANDBOX_*` environment variables; unset ones keep their defaults. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): SandboxOptions {
  return {
    dataDir: env.SANDBOX_DATA_DIR,
    seedDir: env.SANDBOX_SEED_DIR,
    scenarioPath: env.SANDBOX_SCENARIO,
    helmChartsDir: env.SANDBOX_HELM_CHARTS_DIR,
    sourceReposPath: env.SANDBOX_SOURCE_REPOS,
    argocdPort: numberVar(env, 'SANDBOX_ARGOCD_PORT'),
    kubernetesPort: numberVar(env, 'SANDBOX_KUBERNETES_PORT'),
    host: env.SANDBOX_HOST,
    token: env.SANDBOX_TOKEN,
    pollMs: numberVar(env, 'SANDBOX_POLL_MS'),
    syncDelayMs: numberVar(env, 'SANDBOX_SYNC_DELAY_MS'),
    podStartupMs: numberVar(env, 'SANDBOX_POD_STARTUP_MS'),
    timeScale: numberVar(env, 'SANDBOX_TIME_SCALE'),
  };
}

function numberVar(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  }
  return value;
}
