import type { KubeObject } from '../kubernetes/types';
import {
  canonicalImage,
  canonicalReportImage,
  CanonicalImage,
  formatImage,
  sameImage,
} from '@gitops-suite/backstage-plugin-gitops-common';
import {
  workloadLabel,
  type VulnerabilitySighting,
  type Workload,
} from './types';
import { normalizeSeverity } from './vulnerabilities';
import type { WorkloadResources } from './workloadResources';

/** Trivy Operator `aquasecurity.github.io/v1alpha1` VulnerabilityReport (the fields read). */
export interface VulnerabilityReport extends KubeObject {
  report?: {
    artifact?: { repository?: string; tag?: string; digest?: string };
    registry?: { server?: string };
    vulnerabilities?: TrivyOperatorVulnerability[] | null;
  };
}

export interface TrivyOperatorVulnerability {
  vulnerabilityID: string;
  resource?: string;
  installedVersion?: string;
  /** Empty string when there is no fix. */
  fixedVersion?: string;
  severity?: string;
  title?: string;
  primaryLink?: string;
  links?: string[];
  /** CVSS score, when the operator knows one. */
  score?: number;
}

const LABEL_KIND = 'trivy-operator.resource.kind';
const LABEL_NAME = 'trivy-operator.resource.name';
const LABEL_NAMESPACE = 'trivy-operator.resource.namespace';
const LABEL_CONTAINER = 'trivy-operator.container.name';

/**
 * The reports of a workload's running containers. Trivy Operator labels each report
 * with the object it scanned (a ReplicaSet for Rollouts and Deployments, the
 * StatefulSet itself, or a bare Pod). Reports without those labels (copied,
 * or written by other tooling) are matched by image instead.
 */
export function reportsForWorkload(
  resources: WorkloadResources,
  images: string[],
  reports: VulnerabilityReport[],
): VulnerabilityReport[] {
  const { workload } = resources;
  const scanned = new Set([
    `${workload.kind}/${workload.name}`,
    ...resources.replicaSets.map(rs => `ReplicaSet/${rs.metadata.name}`),
    ...resources.pods.map(pod => `Pod/${pod.metadata.name}`),
  ]);
  const workloadImages = images.map(canonicalImage);
  return reports.filter(report => {
    const labels = report.metadata.labels ?? {};
    const namespace = labels[LABEL_NAMESPACE] ?? report.metadata.namespace;
    if (namespace && namespace !== workload.namespace) return false;
    if (labels[LABEL_KIND] && labels[LABEL_NAME]) {
      return scanned.has(`${labels[LABEL_KIND]}/${labels[LABEL_NAME]}`);
    }
    const image = canonicalReportImage(report.report ?? {});
    return workloadImages.some(candidate => sameImage(candidate, image));
  });
}

/**
 * What the reports saw, one entry per vulnerability and container, named after the
 * workload's own spelling of each image. Not yet distinct: see distinctVulnerabilities.
 */
export function sightingsFromReports(
  workload: Workload,
  reports: VulnerabilityReport[],
): VulnerabilitySighting[] {
  return reports.flatMap(report => {
    const image = displayImage(
      canonicalReportImage(report.report ?? {}),
      workload.images,
    );
    const container = report.metadata.labels?.[LABEL_CONTAINER];
    return (report.report?.vulnerabilities ?? []).map(v => ({
      id: v.vulnerabilityID,
      severity: normalizeSeverity(v.severity),
      package: v.resource ?? '',
      installed: v.installedVersion ?? '',
      fixed: v.fixedVersion || undefined,
      title: v.title || undefined,
      link: v.primaryLink || v.links?.[0] || undefined,
      score: typeof v.score === 'number' ? v.score : undefined,
      image,
      workload: workloadLabel(workload),
      container,
    }));
  });
}

/** Whether some report covers this image (else a CI scan may stand in for it). */
export function reportsCoverImage(
  reports: VulnerabilityReport[],
  image: string,
): boolean {
  const wanted = canonicalImage(image);
  return reports.some(report =>
    sameImage(wanted, canonicalReportImage(report.report ?? {})),
  );
}

function displayImage(image: CanonicalImage, workloadImages: string[]): string {
  return (
    workloadImages.find(candidate =>
      sameImage(canonicalImage(candidate), image),
    ) ?? formatImage(image)
  );
}
