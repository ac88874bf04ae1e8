import type { Entity } from '@backstage/catalog-model';
import type {
  ExposedSecretSummary,
  ImageSignature,
  VulnerabilitySummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { PolicyFailures } from './gates';

/**
 * What the gates read about a version in its source environment: its findings. The
 * findings implement it and promotions and rollbacks read it; it lives apart from both
 * so that neither imports the other.
 */
export interface PromotionEvidence {
  vulnerabilities(entity: Entity, environment: string): Promise<VulnerabilitySummary | undefined>;
  policies(entity: Entity, environment: string): Promise<PolicyFailures | undefined>;
  exposedSecrets(entity: Entity, environment: string): Promise<ExposedSecretSummary | undefined>;
  /** Each running image's signature status (unknown ones included); undefined when nothing runs there. */
  imageSignatures(entity: Entity, environment: string): Promise<ImageSignature[] | undefined>;
}
