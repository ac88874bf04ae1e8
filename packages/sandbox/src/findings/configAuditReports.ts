import type { KubeObject, ReplicaSet } from '../kubeTypes';
import {
  findingsForImage,
  type ConfigCheckFailure,
  type Scenario,
} from './scenario';
import {
  reportMetadata,
  scannedReplicaSets,
  severityCounts,
} from './trivyOperatorMetadata';

/**
 * Trivy Operator `aquasecurity.github.io/v1alpha1` ConfigAuditReports: one per
 * ReplicaSet that runs pods, with the checks its pod template fails (the scripted
 * failures of its containers' images), as the operator's envtest expectations list them.
 */
export function configAuditReports(
  replicaSets: ReplicaSet[],
  scenario: Scenario,
): KubeObject[] {
  return scannedReplicaSets(replicaSets).map(rs => {
    const checks = rs.spec.template.spec.containers.flatMap(container =>
      findingsForImage(scenario, container.image).configAuditFailures.map(
        failure => check(failure, container.name, rs.metadata.name),
      ),
    );
    return {
      apiVersion: 'aquasecurity.github.io/v1alpha1',
      kind: 'ConfigAuditReport',
      metadata: reportMetadata('ConfigAuditReport', rs, scenario),
      report: {
        checks,
        scanner: scenario.scanner,
        summary: severityCounts(checks),
        updateTimestamp: rs.metadata.creationTimestamp,
      },
    } as KubeObject;
  });
}

function check(
  failure: ConfigCheckFailure,
  container: string,
  replicaSet: string,
) {
  const message =
    failure.message ??
    `Container '{container}' of ReplicaSet '{replicaSet}' fails ${failure.title}`;
  return {
    checkID: failure.checkID,
    title: failure.title,
    ...(failure.description ? { description: failure.description } : {}),
    severity: failure.severity,
    category: failure.category ?? 'Kubernetes Security Check',
    messages: [
      message
        .replace('{container}', container)
        .replace('{replicaSet}', replicaSet),
    ],
    ...(failure.remediation ? { remediation: failure.remediation } : {}),
    success: false,
  };
}
