import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_NAMESPACE,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ANNOTATION_ARGOCD_INSTANCE_NAME,
  ANNOTATION_ARGOCD_PROJECT_NAME,
  ANNOTATION_KUBERNETES_ID,
  LabelSelector,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { InventoryEntry } from './InventoryEntry';

/**
 * Selects the inventory applications that belong to an entity, from the annotations
 * users already have for the Roadie / community Argo CD plugins:
 * `argocd/app-name` (comma-separated names) or `argocd/app-selector`, narrowed by
 * `argocd/instance-name`, `argocd/project-name` and `argocd/app-namespace`. Without
 * those, apps labelled `backstage.io/kubernetes-id=<id>` are taken.
 */
export function entityApplicationFilter(
  entity: Entity,
): (app: Pick<InventoryEntry, 'instance' | 'application'>) => boolean {
  const annotations = entity.metadata.annotations ?? {};
  const names = splitList(annotations[ANNOTATION_ARGOCD_APP_NAME]);
  const selector = selectorOf(annotations);
  const instances = splitList(annotations[ANNOTATION_ARGOCD_INSTANCE_NAME]);
  const projects = splitList(annotations[ANNOTATION_ARGOCD_PROJECT_NAME]);
  const appNamespace = annotations[ANNOTATION_ARGOCD_APP_NAMESPACE];
  return ({ instance, application }) => {
    if (instances.length && !instances.includes(instance)) return false;
    if (projects.length && !projects.includes(application.spec?.project ?? '')) {
      return false;
    }
    if (appNamespace && application.metadata.namespace !== appNamespace) return false;
    if (names.length) return names.includes(application.metadata.name);
    return selector ? selector.matches(application.metadata.labels) : false;
  };
}

function selectorOf(annotations: Record<string, string>): LabelSelector | undefined {
  const selector = annotations[ANNOTATION_ARGOCD_APP_SELECTOR];
  if (selector) {
    try {
      const parsed = LabelSelector.parse(selector);
      // Kubernetes reads an empty selector as "everything": never an entity's apps.
      if (parsed.isEmpty()) throw new Error('the selector is empty');
      return parsed;
    } catch (error) {
      throw new InputError(
        `Annotation ${ANNOTATION_ARGOCD_APP_SELECTOR} is not a valid label selector: ${(error as Error).message}`,
      );
    }
  }
  const kubernetesId = annotations[ANNOTATION_KUBERNETES_ID];
  if (kubernetesId) {
    try {
      return LabelSelector.parse(`${ANNOTATION_KUBERNETES_ID}=${kubernetesId}`);
    } catch (error) {
      throw new InputError(
        `Annotation ${ANNOTATION_KUBERNETES_ID} is not a valid label value: ${(error as Error).message}`,
      );
    }
  }
  return undefined;
}

/** A comma-separated annotation value as a list. */
export function splitList(value?: string): string[] {
  return (value ?? '')
    .split(',')
    .map(v => v.trim())
    .filter(Boolean);
}

/**
 * The equality requirements of a label selector (`=`, `==`, `in`): every matching app
 * has one of those values, so an index can narrow its candidates. An invalid selector
 * narrows nothing (the exact filter reports it).
 */
export function equalityRequirementsOf(selector: string): { key: string; values: string[] }[] {
  try {
    return LabelSelector.parse(selector).equalityRequirements();
  } catch {
    return [];
  }
}
