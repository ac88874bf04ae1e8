import {
  canonicalImage,
  canonicalReportImage,
  CanonicalImage,
  formatImage,
  sameImage,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { KubeObject } from '../kubernetes/types';
import type { WorkloadResources } from './workloadResources';

/**
 * What every Trivy Operator report (`aquasecurity.github.io/v1alpha1`) shares: the
 * labels naming the object it is about and, for the image-scan reports
 * (VulnerabilityReport, ExposedSecretReport), the image.
 */
export interface TrivyOperatorReport extends KubeObject {
  report?: {
    artifact?: { repository?: string; tag?: string; digest?: string };
    registry?: { server?: string };
  };
}

const LABEL_KIND = 'trivy-operator.resource.kind';
const LABEL_NAME = 'trivy-operator.resource.name';
const LABEL_NAMESPACE = 'trivy-operator.resource.namespace';
const LABEL_CONTAINER = 'trivy-operator.container.name';

/**
 * The reports about a workload's running objects. Trivy Operator labels each report
 * with the object it scanned (a ReplicaSet for Rollouts and Deployments, the
 * StatefulSet itself, or a bare Pod). Reports without those labels (copied, or
 * written by other tooling) are matched by image instead, when they name one.
 */
export function reportsForWorkload<R extends TrivyOperatorReport>(
  resources: WorkloadResources,
  images: string[],
  reports: R[],
): R[] {
  const scanned = new Set(scannedObjects(resources));
  const workloadImages = images.map(canonicalImage);
  return reports.filter(report => {
    const labels = report.metadata.labels ?? {};
    const namespace = labels[LABEL_NAMESPACE] ?? report.metadata.namespace;
    if (namespace && namespace !== resources.workload.namespace) return false;
    const about = reportedObject(report);
    if (about) return scanned.has(about);
    const image = canonicalReportImage(report.report ?? {});
    return workloadImages.some(candidate => sameImage(candidate, image));
  });
}

/** `Kind/name` of the objects the operator scans for a workload: what reports are about. */
export function scannedObjects(resources: WorkloadResources): string[] {
  const { workload } = resources;
  return [
    `${workload.kind}/${workload.name}`,
    ...resources.replicaSets.map(rs => `ReplicaSet/${rs.metadata.name}`),
    ...resources.pods.map(pod => `Pod/${pod.metadata.name}`),
  ];
}

/** `Kind/name` of the object a report is about, from its labels. */
export function reportedObject(
  report: TrivyOperatorReport,
): string | undefined {
  const labels = report.metadata.labels ?? {};
  return labels[LABEL_KIND] && labels[LABEL_NAME]
    ? `${labels[LABEL_KIND]}/${labels[LABEL_NAME]}`
    : undefined;
}

/** The container an image-scan report is for. */
export function reportedContainer(
  report: TrivyOperatorReport,
): string | undefined {
  return report.metadata.labels?.[LABEL_CONTAINER];
}

/** Whether some report covers this image (else it is unscanned). */
export function reportsCoverImage(
  reports: TrivyOperatorReport[],
  image: string,
): boolean {
  const wanted = canonicalImage(image);
  return reports.some(report =>
    sameImage(wanted, canonicalReportImage(report.report ?? {})),
  );
}

/** The report's image in the workload's own spelling (`nginx:1.25`), else in full. */
export function reportedImage(
  report: TrivyOperatorReport,
  workloadImages: string[],
): string {
  const image: CanonicalImage = canonicalReportImage(report.report ?? {});
  return (
    workloadImages.find(candidate =>
      sameImage(canonicalImage(candidate), image),
    ) ?? formatImage(image)
  );
}
