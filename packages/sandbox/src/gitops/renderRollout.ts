import type { AnalysisTemplate } from '../rollouts/analysis';
import type { RolloutSpec } from '../rollouts/rolloutTypes';
import type { DesiredApplication } from './desiredState';

/**
 * The label Backstage's Kubernetes plugin finds a catalog entity's objects by
 * (`backstage.io/kubernetes-id=<entity>` unless the entity sets a label selector).
 */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/**
 * The labels the chart puts on every object it renders (the Rollout, its Services,
 * the pod template): the service's name, and its Backstage Kubernetes id, which the
 * example catalog entities set to the service name.
 */
export function chartLabels(
  application: DesiredApplication,
): Record<string, string> {
  const name = serviceName(application);
  return { 'app.kubernetes.io/name': name, [KUBERNETES_ID_LABEL]: name };
}

/**
 * What the environment's chart renders from its values: one Argo Rollouts `Rollout`
 * named after the service, in the Application's destination namespace.
 */
export function renderRolloutSpec(
  application: DesiredApplication,
): RolloutSpec {
  const name = serviceName(application);
  const { values } = application;
  // The selector stays the chart's historical `app` label; pods also carry the id.
  const labels = { app: name };
  return {
    replicas: values.replicas,
    revisionHistoryLimit: 3,
    ...(values.rollout.progressDeadlineSeconds !== undefined
      ? { progressDeadlineSeconds: values.rollout.progressDeadlineSeconds }
      : {}),
    ...(values.rollout.progressDeadlineAbort !== undefined
      ? { progressDeadlineAbort: values.rollout.progressDeadlineAbort }
      : {}),
    selector: { matchLabels: labels },
    strategy:
      values.rollout.strategy === 'blueGreen'
        ? {
            blueGreen: {
              activeService: name,
              previewService: `${name}-preview`,
              ...(values.rollout.blueGreen.autoPromotionEnabled !== undefined
                ? {
                    autoPromotionEnabled:
                      values.rollout.blueGreen.autoPromotionEnabled,
                  }
                : {}),
            },
          }
        : { canary: structuredClone(values.rollout.canary) },
    template: {
      metadata: { labels: { ...labels, [KUBERNETES_ID_LABEL]: name } },
      spec: {
        containers: [
          {
            name,
            image: `${values.image.repository}:${values.image.tag}`,
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            ...(values.resources !== undefined
              ? { resources: values.resources }
              : {}),
          },
        ],
      },
    },
  };
}

/** The AnalysisTemplates the chart renders in the destination namespace. */
export function renderAnalysisTemplates(
  application: DesiredApplication,
): AnalysisTemplate[] {
  return (application.values.rollout.analysisTemplates ?? []).map(template => ({
    ...structuredClone(template),
    metadata: {
      ...template.metadata,
      namespace: destinationNamespace(application),
    },
  }));
}

/** The service is the `app.kubernetes.io/name` label; the Application name otherwise. */
export function serviceName(application: DesiredApplication): string {
  const { metadata } = application.manifest;
  return metadata.labels?.['app.kubernetes.io/name'] ?? metadata.name;
}

export function destinationNamespace(application: DesiredApplication): string {
  return application.manifest.spec.destination?.namespace ?? 'default';
}
