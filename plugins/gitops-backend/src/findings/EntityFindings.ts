import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type {
  PoliciesResponse,
  VulnerabilitiesResponse,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsConfig } from '../config/gitopsConfig';
import { entityApplicationFilter } from '../deployments/entityApplications';
import { EnvironmentPlacer } from '../deployments/environments';
import type { Inventory } from '../inventory/Inventory';
import type { PromotionEvidence } from '../promotions/PromotionEvidence';
import { summarizeRollout } from '../rollouts/summarizeRollout';
import type { FindingsService } from './FindingsService';
import type { Workload } from './types';

const WORKLOAD_KINDS = new Set<Workload['kind']>(['Rollout', 'Deployment', 'StatefulSet']);

/**
 * Findings of an entity in one environment: its workloads are the Rollouts,
 * Deployments and StatefulSets its Argo CD applications there manage. Also the
 * evidence promotion gates read.
 */
export class EntityFindings implements PromotionEvidence {
  private readonly placer: EnvironmentPlacer;

  constructor(
    private readonly config: GitopsConfig,
    private readonly inventory: Inventory,
    private readonly findings: FindingsService,
  ) {
    this.placer = new EnvironmentPlacer(config.environments);
  }

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
    if (!this.config.environments.some(e => e.name === environment)) {
      throw new InputError(`environment '${environment}' is not configured`);
    }
    const { kubernetesCluster } = this.config.environments.find(e => e.name === environment)!;
    const belongs = entityApplicationFilter(entity);
    const snapshot = await this.inventory.snapshot();
    return snapshot.applications
      .filter(app => belongs(app) && this.placer.place(app.application) === environment)
      .flatMap(app => {
        const rolloutImages = new Map(
          app.rollouts.map(r => summarizeRollout(r as never)).map(r => [`${r.namespace}/${r.name}`, r.images]),
        );
        return (app.application.status?.resources ?? [])
          .filter(r => WORKLOAD_KINDS.has(r.kind as Workload['kind']) && r.name)
          .map(r => ({
            cluster: kubernetesCluster,
            destination: app.application.spec?.destination,
            environment,
            namespace: r.namespace ?? app.application.spec?.destination?.namespace ?? '',
            kind: r.kind as Workload['kind'],
            name: r.name!,
            images:
              rolloutImages.get(`${r.namespace}/${r.name}`) ??
              app.application.status?.summary?.images ??
              [],
          }));
      });
  }
}
