import type { Entity } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import {
  ANNOTATION_GITOPS_VALUES_PATH,
  type EnvironmentDeployment,
} from '@gitops-suite/backstage-plugin-gitops-common';
import path from 'path';
import type { EnvironmentConfig } from '../config/gitopsConfig';
import type { PromotionTarget } from '../database/PromotionStore';

/**
 * Where a promotion into `target` writes: the repository and branch the target
 * environment's Argo CD application deploys from, and the values file in it (from
 * config, the entity's `gitops.backstage.io/values-path` annotation, or the
 * application's source path), and how: a Helm values key or a kustomization image,
 * by a commit or a pull request.
 */
export function resolvePromotionTarget(
  entity: Entity,
  environment: EnvironmentConfig,
  target: EnvironmentDeployment,
): PromotionTarget {
  const app = target.applications[0];
  if (!app) {
    throw new ConflictError(`${entity.metadata.name} has no Argo CD application in ${environment.name} to promote to`);
  }
  if (target.applications.length > 1) {
    throw new ConflictError(
      `${entity.metadata.name} has ${target.applications.length} applications in ${environment.name}; set gitops.environments[].promotion.write.valuesFile to say which file to change`,
    );
  }
  const repoURL = app.source?.repoURL;
  if (!repoURL) {
    throw new ConflictError(`Argo CD application ${app.name} has no source repository`);
  }
  const { write } = environment.promotion;
  const defaultFile = write.strategy === 'kustomize-image' ? 'kustomization.yaml' : 'values.yaml';
  const template =
    (write.strategy === 'kustomize-image' ? write.kustomizationFile : write.valuesFile) ??
    entity.metadata.annotations?.[ANNOTATION_GITOPS_VALUES_PATH] ??
    path.posix.join(app.source?.path ?? '', defaultFile);
  const file = template
    .replace(/\{environment\}/g, environment.name)
    .replace(/\{application\}/g, app.name);
  // A control character (a newline from an annotation) would reach git as another path.
  if (path.posix.isAbsolute(file) || file.split('/').includes('..') || [...file].some(c => c < ' ')) {
    throw new InputError(`values path '${file}' is not inside the repository`);
  }
  const revision = app.source?.targetRevision;
  return {
    instance: app.instance,
    appName: app.name,
    appNamespace: app.namespace,
    repoURL,
    branch: !revision || revision === 'HEAD' ? 'main' : revision,
    file,
    key: write.key,
    strategy: write.strategy,
    method: write.method,
  };
}
