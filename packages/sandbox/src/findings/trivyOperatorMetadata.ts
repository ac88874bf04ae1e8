import { splitImageReference } from '@gitops-suite/backstage-plugin-gitops-common';
import { safeHash, stableUid } from '../ids';
import type { ReplicaSet } from '../kubeTypes';
import type { Scenario } from './scenario';

/**
 * The metadata Trivy Operator gives a report about a ReplicaSet (and, for the reports
 * of an image scan, one of its containers): named `replicaset-<name>[-<container>]`,
 * labelled with the object (and container) it is about, owned by the ReplicaSet.
 */
export function reportMetadata(
  kind: string,
  rs: ReplicaSet,
  scenario: Scenario,
  container?: string,
) {
  const { name: rsName, namespace, uid, creationTimestamp } = rs.metadata;
  const name = ['replicaset', rsName, container].filter(Boolean).join('-');
  return {
    annotations: {
      'trivy-operator.aquasecurity.github.io/report-ttl': '24h0m0s',
    },
    creationTimestamp,
    generation: 1,
    labels: {
      'resource-spec-hash': safeHash(rs.spec.template.spec),
      'plugin-config-hash': safeHash(scenario.scanner),
      ...(container ? { 'trivy-operator.container.name': container } : {}),
      'trivy-operator.resource.kind': 'ReplicaSet',
      'trivy-operator.resource.name': rsName,
      'trivy-operator.resource.namespace': namespace!,
      'app.kubernetes.io/managed-by': 'trivy-operator',
    },
    name,
    namespace,
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        blockOwnerDeletion: false,
        controller: true,
        kind: 'ReplicaSet',
        name: rsName,
        uid,
      },
    ],
    uid: stableUid(kind, namespace!, name),
  };
}

/** Severity counts as the operator's report summaries write them. */
export function severityCounts(items: { severity: string }[]) {
  const count = (severity: string) =>
    items.filter(i => i.severity === severity).length;
  return {
    criticalCount: count('CRITICAL'),
    highCount: count('HIGH'),
    mediumCount: count('MEDIUM'),
    lowCount: count('LOW'),
  };
}

/** The ReplicaSets the operator scans: those that run pods (it skips scaled-down ones). */
export function scannedReplicaSets(replicaSets: ReplicaSet[]): ReplicaSet[] {
  return replicaSets.filter(rs => rs.spec.replicas > 0);
}

/** `report.artifact` and `report.registry` of an image-scan report. */
export function reportImage(reference: string) {
  const image = splitImageReference(reference);
  return {
    // As the operator's omitempty fields: no tag for a digest-only reference.
    artifact: {
      repository: image.repository,
      ...(image.tag ? { tag: image.tag } : {}),
      ...(image.digest ? { digest: image.digest } : {}),
    },
    registry: { server: image.registry },
  };
}
