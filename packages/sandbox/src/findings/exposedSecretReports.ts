import type { KubeObject, ReplicaSet } from '../kubeTypes';
import { findingsForImage, type Scenario } from './scenario';
import {
  reportImage,
  reportMetadata,
  scannedReplicaSets,
  severityCounts,
} from './trivyOperatorMetadata';

/**
 * Trivy Operator `aquasecurity.github.io/v1alpha1` ExposedSecretReports: like its
 * VulnerabilityReports, one per container of every ReplicaSet that runs pods, written
 * by the same scan whether it found secrets or not.
 */
export function exposedSecretReports(
  replicaSets: ReplicaSet[],
  scenario: Scenario,
): KubeObject[] {
  return scannedReplicaSets(replicaSets).flatMap(rs =>
    rs.spec.template.spec.containers.map(container => {
      const { exposedSecrets } = findingsForImage(scenario, container.image);
      return {
        apiVersion: 'aquasecurity.github.io/v1alpha1',
        kind: 'ExposedSecretReport',
        metadata: reportMetadata(
          'ExposedSecretReport',
          rs,
          scenario,
          container.name,
        ),
        report: {
          ...reportImage(container.image),
          scanner: scenario.scanner,
          secrets: exposedSecrets.map(secret => ({ ...secret })),
          summary: severityCounts(exposedSecrets),
          updateTimestamp: rs.metadata.creationTimestamp,
        },
      } as KubeObject;
    }),
  );
}
