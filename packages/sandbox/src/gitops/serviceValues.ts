import type { Values } from '../helm/helmValues';
import { isPlainObject } from '../mergePatch';
import type { AnalysisTemplate } from '../rollouts/analysis';
import type { CanaryStrategy } from '../rollouts/rolloutTypes';

/**
 * The values the sandbox's implied chart renders (`apps/<service>/<environment>/values.yaml`,
 * or a Helm chart's values after the Application's overrides): the image, the replica
 * count, the rollout strategy and an optional Ingress.
 */
export interface ServiceValues {
  image: { repository: string; tag: string };
  replicas: number;
  resources?: unknown;
  /** `ingress: {enabled, host, tls}`: an Ingress for the service, when enabled with a host. */
  ingress?: { host: string; tls: boolean };
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

/** Checks and reads the values the implied chart uses; throws on a value it cannot render. */
export function parseServiceValues(input: Values): ServiceValues {
  const values = input as any;
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
    ...parseIngress(values.ingress),
    rollout: parseRolloutValues(values.rollout),
  };
}

function parseIngress(ingress: any): Pick<ServiceValues, 'ingress'> {
  if (ingress?.enabled !== true) return {};
  if (typeof ingress.host !== 'string' || !ingress.host) {
    throw new Error('ingress.host is required when ingress.enabled is true');
  }
  return { ingress: { host: ingress.host, tls: Boolean(ingress.tls) } };
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
