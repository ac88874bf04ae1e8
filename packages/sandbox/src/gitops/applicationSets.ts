import type { ApplicationManifest } from './applicationManifest';
import { renderDeep, type Params } from './templateRendering';

/**
 * ApplicationSets (pkg/apis/application/v1alpha1/applicationset_types.go) and their
 * expansion into Applications, as the ApplicationSet controller does it
 * (applicationset/controllers/template/template.go `GenerateApplications`): every
 * generator yields parameter sets, and the template is rendered once per set.
 */

export interface ListGenerator {
  elements?: Array<Record<string, unknown>>;
}

export interface PullRequestGithub {
  owner: string;
  repo: string;
  labels?: string[];
  [key: string]: unknown;
}

export interface PullRequestGenerator {
  github?: PullRequestGithub;
  requeueAfterSeconds?: number;
  filters?: unknown[];
  [key: string]: unknown;
}

export interface ApplicationSetGenerator {
  list?: ListGenerator;
  pullRequest?: PullRequestGenerator;
  [key: string]: unknown;
}

export interface ApplicationSetManifest {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'ApplicationSet';
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    goTemplate?: boolean;
    goTemplateOptions?: string[];
    generators: ApplicationSetGenerator[];
    template: {
      metadata: ApplicationManifest['metadata'];
      spec: ApplicationManifest['spec'];
    };
    syncPolicy?: {
      preserveResourcesOnDeletion?: boolean;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
}

/** The reason of a failed generation, as the controller reports it in its conditions. */
export type GenerationFailureReason =
  | 'ApplicationGenerationFromParamsError'
  | 'RenderTemplateParamsError';

export interface Generation {
  applications: ApplicationManifest[];
  /** The first error, as `GenerateApplications` returns it; nothing is applied then. */
  error?: { reason: GenerationFailureReason; message: string };
}

/** Parameter sets of one generator; throws when they cannot be produced. */
export type GeneratorParams = (
  generator: ApplicationSetGenerator,
  appSet: ApplicationSetManifest,
) => Promise<Params[]>;

/** The `resources-finalizer.argocd.argoproj.io` finalizer (v1alpha1.ResourcesFinalizerName). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

const ARGOCD_NAMESPACE = 'argocd';

export async function generateApplications(
  appSet: ApplicationSetManifest,
  paramsOf: GeneratorParams,
): Promise<Generation> {
  const applications: ApplicationManifest[] = [];
  let error: Generation['error'];
  for (const generator of appSet.spec.generators ?? []) {
    let paramSets: Params[];
    try {
      paramSets = await paramsOf(generator, appSet);
    } catch (e) {
      error ??= {
        reason: 'ApplicationGenerationFromParamsError',
        message: (e as Error).message,
      };
      continue;
    }
    for (const params of paramSets) {
      try {
        applications.push(renderApplication(appSet, params));
      } catch (e) {
        error ??= {
          reason: 'RenderTemplateParamsError',
          message: (e as Error).message,
        };
      }
    }
  }
  return error ? { applications, error } : { applications };
}

/**
 * `Render.RenderTemplateParams`: the template with every string rendered; the
 * resources finalizer added when the template has no finalizers (unless
 * `syncPolicy.preserveResourcesOnDeletion`); the namespace is the ApplicationSet's.
 */
export function renderApplication(
  appSet: ApplicationSetManifest,
  params: Params,
): ApplicationManifest {
  const {
    goTemplate = false,
    goTemplateOptions = [],
    template,
    syncPolicy,
  } = appSet.spec;
  const rendered = renderDeep(
    structuredClone(template),
    params,
    goTemplate,
    goTemplateOptions,
  );
  const preserve = syncPolicy?.preserveResourcesOnDeletion === true;
  const finalizers = rendered.metadata.finalizers?.length
    ? rendered.metadata.finalizers
    : undefined;
  return {
    metadata: {
      ...rendered.metadata,
      namespace: appSet.metadata.namespace ?? ARGOCD_NAMESPACE,
      ...(finalizers || !preserve
        ? { finalizers: finalizers ?? [RESOURCES_FINALIZER] }
        : {}),
    },
    spec: rendered.spec,
  };
}

/**
 * The list generator (applicationset/generators/list.go): with goTemplate each element
 * is the parameter map as written; without, every value must be a string, and the
 * `values` map becomes `values.<key>` parameters.
 */
export function listParams(list: ListGenerator, goTemplate: boolean): Params[] {
  return (list.elements ?? []).map(element => {
    if (goTemplate) return structuredClone(element);
    const params: Params = {};
    for (const [key, value] of Object.entries(element)) {
      if (key === 'values' && value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          params[`values.${k}`] = requireString(v);
        }
      } else {
        params[key] = requireString(value);
      }
    }
    return params;
  });
}

function requireString(value: unknown): string {
  if (typeof value !== 'string')
    throw new Error('error parsing value as string');
  return value;
}

/** The names of the generators an entry sets (`list`, `pullRequest`, ...). */
export function generatorNames(generator: ApplicationSetGenerator): string[] {
  return Object.keys(generator).filter(
    key => generator[key] !== undefined && key !== 'selector',
  );
}
