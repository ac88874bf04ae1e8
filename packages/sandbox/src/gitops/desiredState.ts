import { parse } from 'yaml';
import type { GitRepo } from '../git/gitRepo';
import { isPlainObject } from '../mergePatch';
import type { AnalysisTemplate } from '../rollouts/analysis';
import type { CanaryStrategy } from '../rollouts/rolloutTypes';

/** An Argo CD Application manifest as committed under `argocd/`. */
export interface ApplicationManifest {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
  };
  spec: {
    project?: string;
    source?: { repoURL?: string; path?: string; targetRevision?: string };
    destination?: { server?: string; name?: string; namespace?: string };
    syncPolicy?: {
      automated?: { prune?: boolean; selfHeal?: boolean };
      retry?: Record<string, unknown>;
    };
    [key: string]: unknown;
  };
}

/** `apps/<service>/<environment>/values.yaml`. */
export interface ServiceValues {
  image: { repository: string; tag: string };
  replicas: number;
  resources?: unknown;
  rollout: (
    | {
        strategy: 'canary';
        /** `steps`, and as written `analysis`, `trafficRouting`, `canaryService`, `stableService`. */
        canary: CanaryStrategy & {
          steps: NonNullable<CanaryStrategy['steps']>;
        };
      }
    | { strategy: 'blueGreen'; blueGreen: { autoPromotionEnabled?: boolean } }
  ) &
    ProgressDeadline & {
      /**
       * `rollout.analysisTemplates`: the AnalysisTemplates the chart renders beside the
       * Rollout, `{ name, spec: { args?, metrics } }` each.
       */
      analysisTemplates?: AnalysisTemplate[];
    };
}

/** The Rollout's `progressDeadlineSeconds` and `progressDeadlineAbort`, when set. */
export interface ProgressDeadline {
  progressDeadlineSeconds?: number;
  progressDeadlineAbort?: boolean;
}

/** One Application and its values, as of one revision of the repository. */
export interface DesiredApplication {
  manifest: ApplicationManifest;
  values: ServiceValues;
  revision: string;
}

export interface DesiredState {
  revision: string;
  applications: DesiredApplication[];
  /** Files that could not be used, with the reason; the sandbox logs them. */
  problems: string[];
}

/** Placeholder repoURL in the seed, replaced by the bare repository's file:// URL. */
const SANDBOX_REPO_URL = /^sandbox:\/\//;

/**
 * Reads what Argo CD would see at `revision`: every `argocd/*.yaml` Application and
 * the values file in its `spec.source.path`.
 */
export async function readDesiredState(
  repo: GitRepo,
  revision: string,
): Promise<DesiredState> {
  const files = new Set(await repo.listFiles(revision));
  const applications: DesiredApplication[] = [];
  const problems: string[] = [];
  const manifests = [...files]
    .filter(file => /^argocd\/[^/]+\.ya?ml$/.test(file))
    .sort();
  for (const file of manifests) {
    try {
      const manifest = parseApplication(
        await repo.readFile(revision, file),
        repo.url,
      );
      const valuesFile = `${manifest.spec.source!.path!.replace(
        /\/$/,
        '',
      )}/values.yaml`;
      if (!files.has(valuesFile)) {
        throw new Error(`${valuesFile} does not exist`);
      }
      const values = parseValues(await repo.readFile(revision, valuesFile));
      applications.push({ manifest, values, revision });
    } catch (error) {
      problems.push(
        `ignoring ${file} at ${revision.slice(0, 7)}: ${
          (error as Error).message
        }`,
      );
    }
  }
  return { revision, applications, problems };
}

function parseApplication(text: string, repoUrl: string): ApplicationManifest {
  const document = parse(text);
  if (
    document?.kind !== 'Application' ||
    document?.apiVersion !== 'argoproj.io/v1alpha1'
  ) {
    throw new Error('not an argoproj.io/v1alpha1 Application');
  }
  const { metadata, spec } = document;
  if (typeof metadata?.name !== 'string' || !isPlainObject(spec)) {
    throw new Error('metadata.name and spec are required');
  }
  const source = spec.source as ApplicationManifest['spec']['source'];
  if (typeof source?.path !== 'string') {
    throw new Error('spec.source.path is required');
  }
  if (source.repoURL && SANDBOX_REPO_URL.test(source.repoURL)) {
    source.repoURL = repoUrl;
  }
  return { metadata, spec } as ApplicationManifest;
}

function parseValues(text: string): ServiceValues {
  const values = parse(text);
  const repository = values?.image?.repository;
  const tag = values?.image?.tag;
  if (
    typeof repository !== 'string' ||
    (typeof tag !== 'string' && typeof tag !== 'number')
  ) {
    throw new Error('image.repository and image.tag are required');
  }
  const replicas = values.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new Error('replicas must be a non-negative integer');
  }
  return {
    image: { repository, tag: String(tag) },
    replicas,
    resources: values.resources,
    rollout: parseRolloutValues(values.rollout),
  };
}

function parseRolloutValues(rollout: any): ServiceValues['rollout'] {
  const deadline = {
    ...parseProgressDeadline(rollout),
    ...parseAnalysisTemplates(rollout?.analysisTemplates),
  };
  if (rollout?.strategy === 'blueGreen') {
    return {
      strategy: 'blueGreen',
      blueGreen: {
        autoPromotionEnabled: rollout.blueGreen?.autoPromotionEnabled,
      },
      ...deadline,
    };
  }
  if (rollout === undefined || rollout?.strategy === 'canary') {
    const steps = rollout?.canary?.steps ?? [];
    if (!Array.isArray(steps) || !steps.every(isPlainObject)) {
      throw new Error('rollout.canary.steps must be a list of steps');
    }
    const canary = rollout?.canary ?? {};
    for (const field of ['analysis', 'trafficRouting'] as const) {
      if (canary[field] !== undefined && !isPlainObject(canary[field])) {
        throw new Error(`rollout.canary.${field} must be a mapping`);
      }
    }
    for (const field of ['canaryService', 'stableService'] as const) {
      if (canary[field] !== undefined && typeof canary[field] !== 'string') {
        throw new Error(`rollout.canary.${field} must name a Service`);
      }
    }
    const optional = Object.fromEntries(
      ['analysis', 'trafficRouting', 'canaryService', 'stableService']
        .filter(field => canary[field] !== undefined)
        .map(field => [field, canary[field]]),
    );
    return {
      strategy: 'canary',
      canary: { steps, ...optional },
      ...deadline,
    };
  }
  throw new Error(`unknown rollout.strategy "${rollout?.strategy}"`);
}

function parseProgressDeadline(rollout: any): ProgressDeadline {
  const seconds = rollout?.progressDeadlineSeconds;
  const abort = rollout?.progressDeadlineAbort;
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds <= 0)) {
    throw new Error(
      'rollout.progressDeadlineSeconds must be a positive integer',
    );
  }
  if (abort !== undefined && typeof abort !== 'boolean') {
    throw new Error('rollout.progressDeadlineAbort must be true or false');
  }
  return {
    ...(seconds !== undefined ? { progressDeadlineSeconds: seconds } : {}),
    ...(abort !== undefined ? { progressDeadlineAbort: abort } : {}),
  };
}

function parseAnalysisTemplates(templates: unknown): {
  analysisTemplates?: AnalysisTemplate[];
} {
  if (templates === undefined) return {};
  if (!Array.isArray(templates)) {
    throw new Error('rollout.analysisTemplates must be a list');
  }
  return {
    analysisTemplates: templates.map((template, i) => {
      if (
        typeof template?.name !== 'string' ||
        !Array.isArray(template?.spec?.metrics) ||
        !template.spec.metrics.every(
          (metric: any) => typeof metric?.name === 'string',
        )
      ) {
        throw new Error(
          `rollout.analysisTemplates[${i}] needs a name and spec.metrics with names`,
        );
      }
      return {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: { name: template.name },
        spec: template.spec,
      };
    }),
  };
}
