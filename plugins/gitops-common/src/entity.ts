import type { Entity } from '@backstage/catalog-model';
import { GITOPS_ENTITY_ANNOTATIONS } from './annotations';

/**
 * Whether the entity carries any annotation the suite can use to find its deployments.
 *
 * @public
 */
export function hasGitopsAnnotations(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return GITOPS_ENTITY_ANNOTATIONS.some(key => Boolean(annotations[key]));
}
