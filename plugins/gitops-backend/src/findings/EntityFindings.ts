import type { Entity } from '@backstage/catalog-model';
import type {
  ConfigAuditsResponse,
  ExposedSecretSummary,
  ExposedSecretsResponse,
  ImageSignature,
  PoliciesResponse,
  PolicySummary,
  VulnerabilitiesResponse,
  VulnerabilitySummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { Inventory } from '../inventory/Inventory';
import type { PromotionEvidence } from '../promotions/PromotionEvidence';
import type { FindingsService } from './FindingsService';
import type { Workload } from './types';

/**
 * Findings of an entity in one environment: its workloads are the Rollouts,
 * Deployments and StatefulSets its Argo CD applications there manage. Also the
 * evidence promotion gates read: a summary, or undefined when any of it could not be
 * read (unknown evidence, so the gate fails closed) or nothing runs there.
 */
export class EntityFindings implements PromotionEvidence {
  constructor(
    private readonly inventory: Pick<Inventory, 'index'>,
    private readonly findings: FindingsService,
  ) {}

  /** Findings are shown only where clusters are configured to read reports from. */
  async isEnabled(): Promise<boolean> {
    return this.findings.hasClusters();
  }

  async vulnerabilityList(entity: Entity, environment: string): Promise<VulnerabilitiesResponse> {
    const result = await this.findings.vulnerabilities(this.workloads(entity, environment));
    return { environment, ...result };
  }

  async policyList(entity: Entity, environment: string): Promise<PoliciesResponse> {
    const result = await this.findings.policies(this.workloads(entity, environment));
    return { environment, ...result };
  }

  async exposedSecretList(entity: Entity, environment: string): Promise<ExposedSecretsResponse> {
    const result = await this.findings.exposedSecrets(this.workloads(entity, environment));
    return { environment, ...result };
  }

  async configAuditList(entity: Entity, environment: string): Promise<ConfigAuditsResponse> {
    const result = await this.findings.configAudits(this.workloads(entity, environment));
    return { environment, ...result };
  }

  /**
   * The vulnerability and policy summaries of a preview's workloads; a summary whose
   * reports could not all be read is left out (unknown, not clean).
   */
  async ofWorkloads(workloads: Workload[]): Promise<{ vulnerabilities?: VulnerabilitySummary; policies?: PolicySummary }> {
    if (!workloads.length || !(await this.isEnabled())) return {};
    const [vulnerabilities, policies] = await Promise.all([
      this.findings.vulnerabilities(workloads),
      this.findings.policies(workloads),
    ]);
    return {
      ...(vulnerabilities.errors.length ? {} : { vulnerabilities: vulnerabilities.summary }),
      ...(policies.errors.length ? {} : { policies: policies.summary }),
    };
  }

  async vulnerabilities(entity: Entity, environment: string) {
    const workloads = this.workloads(entity, environment);
    if (!workloads.length) return undefined;
    const result = await this.findings.vulnerabilities(workloads);
    // A report that could not be read is no evidence: the gate fails closed.
    return result.errors.length ? undefined : result.summary;
  }

  async policies(entity: Entity, environment: string) {
    const workloads = this.workloads(entity, environment);
    if (!workloads.length) return undefined;
    const result = await this.findings.policies(workloads);
    if (result.errors.length) return undefined;
    const failing = result.items.filter(r => r.result === 'fail');
    return {
      failures: failing.length,
      enforcedFailures: failing.filter(r => r.enforce !== false).length,
    };
  }

  /**
   * Evidence for `maxExposedSecrets`: undefined when an image has no ExposedSecretReport
   * (not scanned yet, or the scanner is off) or a cluster could not be read, never
   * "no report, so no secrets".
   */
  async exposedSecrets(entity: Entity, environment: string): Promise<ExposedSecretSummary | undefined> {
    const workloads = this.workloads(entity, environment);
    if (!workloads.length) return undefined;
    const result = await this.findings.exposedSecrets(workloads);
    return result.errors.length ? undefined : result.summary;
  }

  /** Whether Kyverno verified each running image's signature, with the read errors apart. */
  async imageSignatureList(entity: Entity, environment: string) {
    const result = await this.findings.imageSignatures(this.workloads(entity, environment));
    return { environment, ...result };
  }

  /**
   * Evidence for `requireVerifiedImages`: each running image verified, failed or unknown
   * (no verifyImages result, or its cluster could not be read: the gate fails closed on
   * it); undefined when nothing runs there.
   */
  async imageSignatures(entity: Entity, environment: string): Promise<ImageSignature[] | undefined> {
    const workloads = this.workloads(entity, environment);
    if (!workloads.length) return undefined;
    return (await this.findings.imageSignatures(workloads)).items;
  }

  private workloads(entity: Entity, environment: string): Workload[] {
    return this.inventory.index().inEnvironment(entity, environment).flatMap(app => app.workloads);
  }
}
