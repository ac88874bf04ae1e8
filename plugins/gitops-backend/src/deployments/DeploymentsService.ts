import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  parseImageRef,
  type ApplicationSummary,
  type DeploymentsResponse,
  type EnvironmentDeployment,
  type RolloutSummary,
  type SourceError,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { InventoryApplication } from '../database/InventoryStore';
import type { Inventory } from '../inventory/Inventory';
import { summarizeRollout } from '../rollouts/summarizeRollout';
import { entityApplicationFilter } from './entityApplications';
import { EnvironmentPlacer } from './environments';
import { summarizeApplication } from './summarizeApplication';
import type { EntityFindings } from '../findings/EntityFindings';

/**
 * Builds the Deployments view of an entity from the inventory snapshot: zero
 * upstream calls per page view. Instances whose last refresh failed are reported
 * in `errors` while their last good data is still shown.
 */
export class DeploymentsService {
  private readonly placer: EnvironmentPlacer;

  constructor(
    private readonly config: GitopsConfig,
    private readonly inventory: Inventory,
    private readonly findings?: EntityFindings,
  ) {
    this.placer = new EnvironmentPlacer(config.environments);
  }

  async getDeployments(entity: Entity): Promise<DeploymentsResponse> {
    const snapshot = await this.inventory.snapshot();
    const belongs = entityApplicationFilter(entity);
    const apps = snapshot.applications.filter(belongs);
    const byEnvironment = new Map<string, InventoryApplication[]>();
    const unassigned: ApplicationSummary[] = [];
    for (const app of apps) {
      const environment = this.placer.place(app.application);
      if (environment) {
        byEnvironment.set(environment, [...(byEnvironment.get(environment) ?? []), app]);
      } else {
        unassigned.push(this.summarize(app));
      }
    }
    const environments = this.config.environments.map(env =>
      this.environment(env, byEnvironment.get(env.name) ?? []),
    );
    markDrift(environments);
    const findingErrors = await this.addFindings(entity, environments);
    return {
      entityRef: stringifyEntityRef(entity),
      environments,
      unassigned,
      errors: [...snapshot.errors, ...findingErrors],
      observedAt: snapshot.observedAt?.toISOString(),
    };
  }

  private environment(
    env: GitopsConfig['environments'][number],
    apps: InventoryApplication[],
  ): EnvironmentDeployment {
    const applications = apps.map(app => this.summarize(app));
    const rollouts: RolloutSummary[] = apps.flatMap(app =>
      app.rollouts.map(r => summarizeRollout(r as never)),
    );
    const image = rollouts[0]?.images[0] ?? applications[0]?.images[0];
    const parsed = image ? parseImageRef(image) : undefined;
    const lastDeployedAt = applications
      .map(a => a.lastDeployedAt)
      .filter((t): t is string => Boolean(t))
      .sort()
      .pop();
    return {
      name: env.name,
      title: env.title ?? env.name,
      promotesFrom: env.promotesFrom,
      applications,
      version: parsed || applications[0]
        ? {
            image: parsed?.image,
            tag: parsed?.tag,
            digest: parsed?.digest,
            revision: applications[0]?.sync.revision,
          }
        : undefined,
      lastDeployedAt,
      rollouts,
    };
  }

  /** Vulnerability and policy summaries per deployed environment; their errors apart. */
  private async addFindings(entity: Entity, environments: EnvironmentDeployment[]) {
    const findings = this.findings;
    if (!findings || !(await findings.isEnabled())) return [];
    const errors = new Map<string, SourceError>();
    await Promise.all(
      environments
        .filter(env => env.applications.length)
        .map(async env => {
          const [vulnerabilities, policies] = await Promise.all([
            findings.vulnerabilityList(entity, env.name),
            findings.policyList(entity, env.name),
          ]);
          env.vulnerabilities = vulnerabilities.summary;
          env.policies = policies.summary;
          for (const error of [...vulnerabilities.errors, ...policies.errors]) {
            errors.set(`${error.source}|${error.message}`, error);
          }
        }),
    );
    return [...errors.values()];
  }

  private summarize(app: InventoryApplication): ApplicationSummary {
    const instance = this.config.argocd.instances.find(i => i.name === app.instance);
    return summarizeApplication(app, instance);
  }
}

/** An environment is behind when it runs another image than the one it promotes from. */
function markDrift(environments: EnvironmentDeployment[]) {
  const byName = new Map(environments.map(e => [e.name, e]));
  for (const env of environments) {
    const source = env.promotesFrom ? byName.get(env.promotesFrom) : undefined;
    if (source?.version?.image && env.version?.image) {
      env.behindSource = source.version.image !== env.version.image;
    }
  }
}
