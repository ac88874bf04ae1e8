import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  parseImageRef,
  type ApplicationSummary,
  type DeploymentsResponse,
  type EnvironmentDeployment,
  type PreviewEnvironment,
  type RolloutSummary,
  type SourceError,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { Inventory } from '../inventory/Inventory';
import type { EntityApplications, IndexedApplication } from '../inventory/InventoryIndex';
import type { EntityFindings } from '../findings/EntityFindings';
import { byNewestPullRequest, previewEnvironment } from '../previews/previewEnvironment';

/**
 * Builds the Deployments view of an entity from the inventory's read model: zero
 * upstream calls per page view. Instances whose stream or last list failed are
 * reported in `errors` while their last good data is still shown.
 */
export class DeploymentsService {
  constructor(
    private readonly config: GitopsConfig,
    private readonly inventory: Pick<Inventory, 'index'>,
    private readonly findings?: EntityFindings,
  ) {}

  async getDeployments(entity: Entity): Promise<DeploymentsResponse> {
    const index = this.inventory.index();
    const apps = index.ofEntity(entity);
    const environments = this.environmentsOf(apps);
    const [findingErrors, previews] = await Promise.all([
      this.addFindings(entity, environments),
      this.previewsOf(apps),
    ]);
    return {
      entityRef: stringifyEntityRef(entity),
      environments,
      unassigned: apps.unassigned.map(app => app.summary),
      errors: [...index.errors, ...findingErrors],
      observedAt: index.observedAt?.toISOString(),
      previews,
    };
  }

  /** One row per open pull request's preview, with its findings when they can be read. */
  private async previewsOf(apps: EntityApplications): Promise<PreviewEnvironment[]> {
    const previews = await Promise.all(
      apps.previews.map(async app => ({
        ...previewEnvironment({ ...app, preview: app.preview! }),
        ...(await this.findings?.ofWorkloads(app.workloads)),
      })),
    );
    return previews.sort(byNewestPullRequest);
  }
  /**
   * What runs in each environment, from the read model alone (no findings, no upstream
   * call): for background work such as continuous deployment that looks at every entity.
   */
  environments(entity: Entity): EnvironmentDeployment[] {
    return this.environmentsOf(this.inventory.index().ofEntity(entity));
  }

  private environmentsOf(apps: EntityApplications): EnvironmentDeployment[] {
    const environments = this.config.environments.map(env =>
      environmentOf(env, apps.byEnvironment.get(env.name) ?? []),
    );
    markDrift(environments);
    return environments;
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
          const [vulnerabilities, policies, exposedSecrets, configAudits, imageSignatures] = await Promise.all([
            findings.vulnerabilityList(entity, env.name),
            findings.policyList(entity, env.name),
            findings.exposedSecretList(entity, env.name),
            findings.configAuditList(entity, env.name),
            findings.imageSignatureList(entity, env.name),
          ]);
          env.vulnerabilities = vulnerabilities.summary;
          env.policies = policies.summary;
          // Unknown is not "0 secrets": no badge then, the error shows instead.
          if (!exposedSecrets.errors.length) env.exposedSecrets = exposedSecrets.summary;
          env.configAudits = configAudits.summary;
          // Unknown images stay in the list, saying why: "not verified", never left out.
          if (imageSignatures.items.length) env.imageSignatures = imageSignatures.items;
          const lists = [vulnerabilities, policies, exposedSecrets, configAudits, imageSignatures];
          for (const error of lists.flatMap(list => list.errors)) {
            errors.set(`${error.source}|${error.message}`, error);
          }
        }),
    );
    return [...errors.values()];
  }

}

function environmentOf(
  env: GitopsConfig['environments'][number],
  apps: IndexedApplication[],
): EnvironmentDeployment {
  const applications = apps.map(app => app.summary);
  const rollouts: RolloutSummary[] = apps.flatMap(app => app.rollouts);
  const unknownRollouts = apps.flatMap(app => app.unknownRollouts);
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
          ...chartOf(applications[0]),
        }
      : undefined,
    lastDeployedAt,
    rollouts,
    ...(unknownRollouts.length ? { unknownRollouts } : {}),
  };
}

/** The chart from a Helm repository an application deploys, at the version it names. */
function chartOf(app?: ApplicationSummary): { chart?: { name: string; version: string } } {
  const source = app?.source;
  return source?.chart && source.targetRevision ? { chart: { name: source.chart, version: source.targetRevision } } : {};
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
