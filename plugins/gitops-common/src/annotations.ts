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
/** @public */
export const ANNOTATION_ARGOCD_APP_SELECTOR = 'argocd/app-selector';
/** @public */
export const ANNOTATION_ARGOCD_INSTANCE_NAME = 'argocd/instance-name';
/** @public */
export const ANNOTATION_ARGOCD_PROJECT_NAME = 'argocd/project-name';
/** @public */
export const ANNOTATION_ARGOCD_APP_NAMESPACE = 'argocd/app-namespace';
/** @public */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';
/** @public */
export const ANNOTATION_KUBERNETES_NAMESPACE = 'backstage.io/kubernetes-namespace';
/** @public */
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
