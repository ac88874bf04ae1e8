import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_NAMESPACE,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ANNOTATION_ARGOCD_INSTANCE_NAME,
  ANNOTATION_ARGOCD_PROJECT_NAME,
  ANNOTATION_KUBERNETES_ID,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { InventoryEntry } from './InventoryEntry';
import { LabelSelector } from '../deployments/labelSelector';

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
      return LabelSelector.parse(selector);
    } catch (error) {
      throw new InputError(
        `Annotation ${ANNOTATION_ARGOCD_APP_SELECTOR} is not a valid label selector: ${(error as Error).message}`,
      );
    }
  }
  const kubernetesId = annotations[ANNOTATION_KUBERNETES_ID];
  if (kubernetesId) {
    return LabelSelector.parse(`${ANNOTATION_KUBERNETES_ID}=${kubernetesId}`);
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
 * The `key=value`, `key==value` and `key in (a,b)` requirements of a label
 * selector: every matching app has one of those values. Anything unparsed is
 * ignored (the exact filter decides), so this never drops a match.
 */
export function equalityRequirementsOf(selector: string): { key: string; values: string[] }[] {
  const requirements: { key: string; values: string[] }[] = [];
  for (const part of splitTopLevel(selector)) {
    const equality = /^\s*([^\s!=(),]+)\s*==?\s*([^\s!=(),]*)\s*$/.exec(part);
    if (equality) {
      requirements.push({ key: equality[1], values: [equality[2]] });
      continue;
    }
    const set = /^\s*([^\s!=(),]+)\s+in\s*\(([^)]*)\)\s*$/.exec(part);
    if (set) {
      requirements.push({ key: set[1], values: [...new Set(set[2].split(',').map(v => v.trim()))] });
    }
  }
  return requirements;
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const char = selector[i];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.filter(p => p.trim());
}
