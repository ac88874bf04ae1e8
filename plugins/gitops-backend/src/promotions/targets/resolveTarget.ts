import type { Entity } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import {
  ANNOTATION_GITOPS_VALUES_PATH,
  type ApplicationSummary,
  type EnvironmentDeployment,
  type PromotionWriteStrategy,
} from '@gitops-suite/backstage-plugin-gitops-common';
import path from 'path';
import type { ArgoApplication } from '../../argocd/types';
import type { EnvironmentConfig } from '../../config/gitopsConfig';
import type { PromotionTarget } from '../../database/PromotionStore';
import { applicationSetOf } from '../../deployments/summarizeApplication';
import {
  branchOf,
  referencedValueFile,
  sourceFieldPath,
  workloadSource,
  type IndexedSource,
} from './applicationSources';
import { deriveStrategy, type RevisionKind } from './deriveStrategy';

/** What resolving where a promotion writes looks at. */
export interface TargetResolution {
  entity: Entity;
  /** The target environment's configuration. */
  environment: EnvironmentConfig;
  target: EnvironmentDeployment;
  /** The environment the target promotes from (environment branches are told by it). */
  source?: EnvironmentDeployment;
  /** The Argo CD application behind a summary, for what the summary leaves out (Helm parameters). */
  applicationOf(summary: ApplicationSummary): ArgoApplication | undefined;
  /** Whether a `targetRevision` names a branch, a tag or a commit of the repository. */
  revisionKind?(repoURL: string, revision: string): Promise<RevisionKind>;
}

/**
 * Where a promotion into the target environment writes, and how: derived from the
 * target's Argo CD application (its source kind, its owner, the branch it follows next
 * to the source environment's) unless config names the strategy, with the file from
 * config, the entity's `gitops.backstage.io/values-path` annotation, or the
 * application. What cannot be told is refused with the reason before anything is
 * written, never guessed.
 */
export async function resolvePromotionTarget(resolution: TargetResolution): Promise<PromotionTarget> {
  const { entity, environment, target } = resolution;
  const summary = singleApplication(entity, environment, target);
  const application = resolution.applicationOf(summary);
  if (!application) {
    throw new ConflictError(`Argo CD application ${summary.name} is not in the inventory yet; try again when it is read`);
  }
  const workload = workloadSource(application);
  if (!workload?.source.repoURL) throw new ConflictError(`Argo CD application ${summary.name} has no source repository`);
  const sourceApplication = resolution.source && sourceApplicationOf(resolution);
  const strategy =
    environment.promotion.write.strategy ??
    (await deriveStrategy({ application, workload, sourceApplication, revisionKind: resolution.revisionKind }));
  const base = {
    instance: summary.instance,
    appName: summary.name,
    appNamespace: summary.namespace,
    key: environment.promotion.write.key,
    method: environment.promotion.write.method,
  };
  switch (strategy) {
    case 'chart-version':
    case 'git-revision':
      return { ...base, ...revisionTarget(resolution, application, workload, strategy) };
    case 'environment-branch':
      return { ...base, ...environmentBranchTarget(application, workload, sourceApplication) };
    default:
      return { ...base, ...valueTarget(resolution, application, workload, strategy) };
  }
}

type Located = Omit<PromotionTarget, 'instance' | 'appName' | 'appNamespace' | 'key' | 'method'>;

function singleApplication(entity: Entity, environment: EnvironmentConfig, target: EnvironmentDeployment) {
  const app = target.applications[0];
  if (!app) {
    throw new ConflictError(`${entity.metadata.name} has no Argo CD application in ${environment.name} to promote to`);
  }
  if (target.applications.length > 1) {
    throw new ConflictError(
      `${entity.metadata.name} has ${target.applications.length} applications in ${environment.name}; set gitops.environments[].promotion.write.valuesFile to say which file to change`,
    );
  }
  return app;
}

function sourceApplicationOf(resolution: TargetResolution): ArgoApplication | undefined {
  const [summary] = resolution.source?.applications ?? [];
  return summary && resolution.applicationOf(summary);
}

/**
 * chart-version, git-revision: the version is the `targetRevision` of the workload's
 * source, kept in the Application manifest, or in the element of the ApplicationSet
 * list generator that generated the application.
 */
function revisionTarget(
  resolution: TargetResolution,
  application: ArgoApplication,
  workload: IndexedSource,
  strategy: 'chart-version' | 'git-revision',
): Located {
  if (strategy === 'chart-version' && !workload.source.chart) {
    throw new ConflictError(`${application.metadata.name} deploys no chart from a Helm repository: chart-version cannot promote it`);
  }
  if (strategy === 'git-revision' && workload.source.chart) {
    throw new ConflictError(`${application.metadata.name} deploys chart ${workload.source.chart}: its version is a chart version, not a git revision`);
  }
  const live = { kind: 'targetRevision' as const, source: workload.index };
  return { strategy, live, ...manifestLocation(resolution, application, workload, sourceFieldPath(workload.index, 'targetRevision')) };
}

/**
 * helm-value, kustomize-image: a values file or kustomization in git; or, when the
 * Application itself overrides the key with a Helm parameter, that parameter (in its
 * manifest, or in its ApplicationSet's element).
 */
function valueTarget(
  resolution: TargetResolution,
  application: ArgoApplication,
  workload: IndexedSource,
  strategy: PromotionWriteStrategy,
): Located {
  const { write } = resolution.environment.promotion;
  const parameters = workload.source.helm?.parameters ?? [];
  const parameter = parameters.findIndex(p => p.name === write.key);
  if (strategy === 'helm-value' && parameter >= 0) {
    const live = { kind: 'helmParameter' as const, source: workload.index, name: write.key };
    const located = manifestLocation(
      resolution,
      application,
      workload,
      sourceFieldPath(workload.index, 'helm', 'parameters', String(parameter), 'value'),
      { kind: 'helmParameter', name: write.key },
    );
    return { strategy: located.manifest?.kind === 'ApplicationSet' ? 'application-set' : 'helm-value', live, ...located };
  }
  const referenced = strategy === 'helm-value' && !write.valuesFile ? valueFileSource(application, workload) : undefined;
  const holder = referenced?.source ?? workload;
  const repoURL = holder.source.repoURL;
  if (!repoURL || holder.source.chart) {
    throw new ConflictError(
      `${application.metadata.name}'s values come from chart ${holder.source.chart}; set gitops.environments[${resolution.environment.name}].promotion.write.strategy: chart-version, or valuesFile`,
    );
  }
  const defaultFile = strategy === 'kustomize-image' ? 'kustomization.yaml' : 'values.yaml';
  const template =
    (strategy === 'kustomize-image' ? write.kustomizationFile : write.valuesFile) ??
    referenced?.file ??
    resolution.entity.metadata.annotations?.[ANNOTATION_GITOPS_VALUES_PATH] ??
    path.posix.join(workload.source.path ?? '', defaultFile);
  return {
    strategy: strategy === 'kustomize-image' ? 'kustomize-image' : 'helm-value',
    repoURL,
    branch: branchOf(holder.source.targetRevision),
    file: placed(template, resolution.environment.name, application.metadata.name),
    live: { kind: 'commit', source: holder.index },
  };
}

/** Of a multi-source application, the `$ref` value file that holds the values; refused when several might. */
function valueFileSource(application: ArgoApplication, workload: IndexedSource) {
  const referenced = (workload.source.helm?.valueFiles ?? [])
    .map(file => referencedValueFile(application, file))
    .filter(<T>(r: T | undefined): r is T => Boolean(r));
  if (referenced.length > 1) {
    throw new ConflictError(
      `${application.metadata.name} takes values from ${referenced.length} files of other sources; set gitops.environments[].promotion.write.valuesFile to say which holds the version`,
    );
  }
  return referenced[0];
}

/** environment-branch: merge the source environment's revision into the branch the target follows. */
function environmentBranchTarget(
  application: ArgoApplication,
  workload: IndexedSource,
  sourceApplication?: ArgoApplication,
): Located {
  const sourceWorkload = sourceApplication && workloadSource(sourceApplication);
  const name = application.metadata.name;
  if (!sourceWorkload || sourceWorkload.source.chart || workload.source.chart) {
    throw new ConflictError(`${name}: environment-branch needs the source environment's application deploying a path of the same repository`);
  }
  const sourceBranch = branchOf(sourceWorkload.source.targetRevision);
  const branch = branchOf(workload.source.targetRevision);
  if (sourceWorkload.source.repoURL !== workload.source.repoURL || sourceBranch === branch) {
    throw new ConflictError(
      `${name} and ${sourceApplication!.metadata.name} do not follow two branches of one repository: environment-branch cannot promote between them`,
    );
  }
  const envPath = (workload.source.path ?? '').replace(/\/$/, '') || '.';
  return {
    strategy: 'environment-branch',
    repoURL: workload.source.repoURL!,
    branch,
    sourceBranch,
    path: envPath,
    file: envPath,
    live: { kind: 'commit', source: workload.index },
  };
}

/**
 * The manifest holding the field: the ApplicationSet that generated the application
 * (its owner reference says so; Argo CD would overwrite an edit of the Application),
 * else the Application's own manifest. Both files come from config: nothing in
 * Argo CD's answer says where they are kept.
 */
function manifestLocation(
  resolution: TargetResolution,
  application: ArgoApplication,
  workload: IndexedSource,
  field: string[],
  templateField?: { kind: 'helmParameter'; name: string },
): Pick<PromotionTarget, 'repoURL' | 'branch' | 'file' | 'manifest'> {
  const { write } = resolution.environment.promotion;
  const env = resolution.environment.name;
  const name = application.metadata.name;
  const applicationSet = applicationSetOf(application);
  const repoURL = write.manifestRepoURL ?? (workload.source.chart ? undefined : workload.source.repoURL);
  if (!repoURL) {
    throw new ConflictError(
      `${name}'s version is kept in its ${applicationSet ? 'ApplicationSet' : 'Application manifest'}; set gitops.environments[${env}].promotion.write.manifestRepoURL to the repository holding it`,
    );
  }
  const location = { repoURL, branch: write.manifestBranch };
  if (applicationSet) {
    if (!write.applicationSetFile) {
      throw new ConflictError(
        `${name} is generated by ApplicationSet ${applicationSet}; set gitops.environments[${env}].promotion.write.applicationSetFile (e.g. argocd/{applicationSet}.yaml) to say which file holds it`,
      );
    }
    return {
      ...location,
      file: placed(write.applicationSetFile, env, name, applicationSet),
      manifest: {
        kind: 'ApplicationSet',
        name: applicationSet,
        application: name,
        // The template mirrors the Application: the same field, under `spec.template`.
        field: templateField ?? { kind: 'path', path: field },
      },
    };
  }
  if (!write.applicationFile) {
    throw new ConflictError(
      `${name}'s version is set in its Application manifest; set gitops.environments[${env}].promotion.write.applicationFile (e.g. argocd/{application}.yaml) to say which file holds it`,
    );
  }
  return {
    ...location,
    file: placed(write.applicationFile, env, name),
    manifest: { kind: 'Application', name, path: field },
  };
}

/** A configured file name with its placeholders filled, refused unless it stays inside the repository. */
function placed(template: string, environment: string, application: string, applicationSet = ''): string {
  const file = template
    .replace(/\{environment\}/g, environment)
    .replace(/\{application\}/g, application)
    .replace(/\{applicationSet\}/g, applicationSet);
  // A control character (a newline from an annotation) would reach git as another path.
  if (path.posix.isAbsolute(file) || file.split('/').includes('..') || [...file].some(c => c < ' ')) {
    throw new InputError(`values path '${file}' is not inside the repository`);
  }
  return file;
}
