/**
 * Entity annotations the suite reads.
 *
 * The Argo CD and Kubernetes annotations are the ones users already have for the
 * Roadie / community Argo CD plugins and the Kubernetes plugin; the suite adds its
 * own only where those cannot say something.
 *
 * @public
 */
export const ANNOTATION_ARGOCD_APP_NAME = 'argocd/app-name';
/**
 * An Argo CD label selector (full Kubernetes selector syntax) for the entity's
 * applications, instead of naming them in `argocd/app-name`.
 *
 * @public
 */
export const ANNOTATION_ARGOCD_APP_SELECTOR = 'argocd/app-selector';
/**
 * Narrows the entity's applications to these Argo CD instances (comma-separated
 * names from `gitops.argocd.instances`).
 *
 * @public
 */
export const ANNOTATION_ARGOCD_INSTANCE_NAME = 'argocd/instance-name';
/**
 * Narrows the entity's applications to these Argo CD projects (comma-separated).
 *
 * @public
 */
export const ANNOTATION_ARGOCD_PROJECT_NAME = 'argocd/project-name';
/**
 * Narrows the entity's applications to those in this namespace of the Argo CD
 * instance (for Argo CD's applications-in-any-namespace).
 *
 * @public
 */
export const ANNOTATION_ARGOCD_APP_NAMESPACE = 'argocd/app-namespace';
/**
 * The Kubernetes plugin's id of the entity: without Argo CD annotations, the Argo CD
 * applications labelled `backstage.io/kubernetes-id=<id>` are the entity's.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';
/**
 * The Kubernetes plugin's annotation narrowing the entity's workloads to one namespace.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_NAMESPACE = 'backstage.io/kubernetes-namespace';
/**
 * The Kubernetes plugin's label selector for the entity's workloads; enough on its own
 * to show the suite's views on the entity.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_LABEL_SELECTOR =
  'backstage.io/kubernetes-label-selector';
/**
 * Where the service's per-environment values live in the GitOps repository, as a
 * path template with `{environment}` (for example `apps/payments/{environment}/values.yaml`),
 * for when the Argo CD Application's source path cannot tell.
 *
 * @public
 */
export const ANNOTATION_GITOPS_VALUES_PATH = 'gitops.backstage.io/values-path';

/**
 * The annotations that make an entity visible to the suite: any one of them is enough.
 *
 * @public
 */
export const GITOPS_ENTITY_ANNOTATIONS = [
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
] as const;
