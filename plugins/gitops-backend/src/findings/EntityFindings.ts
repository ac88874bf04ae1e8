import type { Entity } from '@backstage/catalog-model';
import type {
  PoliciesResponse,
  VulnerabilitiesResponse,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { Inventory } from '../inventory/Inventory';
import type { PromotionEvidence } from '../promotions/PromotionEvidence';
import type { FindingsService } from './FindingsService';
import type { Workload } from './types';

/**
 * Findings of an entity in one environment: its workloads are the Rollouts,
 * Deployments and StatefulSets its Argo CD applications there manage. Also the
 * evidence promotion gates read.
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
    const result = await this.findings.vulnerabilities(await this.workloads(entity, environment));
    return { environment, ...result };
  }

  async policyList(entity: Entity, environment: string): Promise<PoliciesResponse> {
    const result = await this.findings.policies(await this.workloads(entity, environment));
    return { environment, ...result };
  }

  async vulnerabilities(entity: Entity, environment: string) {
    const workloads = await this.workloads(entity, environment);
    if (!workloads.length) return undefined;
    const result = await this.findings.vulnerabilities(workloads);
    // A report that could not be read is no evidence: the gate fails closed.
    return result.errors.length ? undefined : result.summary;
  }

  async policies(entity: Entity, environment: string) {
    const workloads = await this.workloads(entity, environment);
    if (!workloads.length) return undefined;
    const result = await this.findings.policies(workloads);
    if (result.errors.length) return undefined;
    const failing = result.items.filter(r => r.result === 'fail');
    return {
      failures: failing.length,
      enforcedFailures: failing.filter(r => r.enforce !== false).length,
    };
  }

  private async workloads(entity: Entity, environment: string): Promise<Workload[]> {
    return this.inventory.index().inEnvironment(entity, environment).flatMap(app => app.workloads);
  }
}
