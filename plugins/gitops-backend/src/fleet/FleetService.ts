import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  GITOPS_ENTITY_ANNOTATIONS,
  hasGitopsAnnotations,
  parseImageRef,
  type HealthStatus,
  type SourceError,
  type SyncStatus,
} from '@gitops-suite/backstage-plugin-gitops-common';
import pLimit from 'p-limit';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { FindingsService } from '../findings/FindingsService';
import type { Inventory } from '../inventory/Inventory';
import type { EntityApplications, IndexedApplication, InventoryIndex } from '../inventory/InventoryIndex';
import { assessRisk, RISK_RANK } from './risk';
import type {
  FleetEnvironmentStatus,
  FleetFilter,
  FleetItem,
  FleetResponse,
} from './types';

/**
 * What the fleet needs of findings: summaries for a set of workloads. The
 * `FindingsService` itself: the fleet already knows each entity's workloads per
 * environment from the inventory's read model.
 */
export type FleetFindings = Pick<
  FindingsService,
  'hasClusters' | 'vulnerabilities' | 'policies' | 'exposedSecrets'
>;

export type FleetOptions = {
  /**
   * Add critical/high vulnerability counts, policy failures and exposed secrets per
   * environment (default false). Only when findings are enabled (clusters configured); the
   * findings service caches what it lists, so this is one upstream list per
   * namespace and type per TTL, not per entity.
   */
  includeFindings?: boolean;
};

const SYNC_ORDER: SyncStatus[] = ['Synced', 'Unknown', 'OutOfSync'];
const HEALTH_ORDER: HealthStatus[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Unknown',
  'Missing',
  'Degraded',
];
/** `Unknown`: a managed Rollout whose live state could not be read. */
const ROLLOUT_PHASE_ORDER = ['Healthy', 'Progressing', 'Paused', 'Unknown', 'Degraded'];
/** Findings requests in flight at once (the findings service limits upstream lists itself). */
const FINDINGS_CONCURRENCY = 16;
/** A fleet of unscanned images must not become thousands of error entries. */
const MAX_ERRORS = 50;

/** Where an entity's apps are, by environment, and what that sums up to. */
type Placement = {
  apps: EntityApplications;
  statuses: Record<string, FleetEnvironmentStatus>;
  drift: boolean;
};

type Cell = { apps: IndexedApplication[]; status: FleetEnvironmentStatus };

/**
 * The fleet view: every annotated entity across every environment (version, sync,
 * health, rollout phase, drift, risk and optionally finding counts), built from
 * the inventory snapshot with zero upstream Argo CD calls. The snapshot is indexed
 * once and the index kept until the inventory's content changes (a refresh), so a
 * fleet of 2,000 services over thousands of applications costs one pass over the
 * apps per refresh plus a lookup per entity per read.
 */
export class FleetService {
  /** Statuses per entity's applications, kept as long as the index that placed them. */
  private readonly placements = new WeakMap<EntityApplications, Placement>();

  constructor(
    private readonly config: GitopsConfig,
    private readonly inventory: Pick<Inventory, 'index'>,
    private readonly findings?: FleetFindings,
  ) {}

  async getFleet(
    entities: Entity[],
    filter: FleetFilter = {},
    options: FleetOptions = {},
  ): Promise<FleetResponse> {
    const index = this.inventory.index();
    const matches = fleetFilterMatcher(filter);
    const withFindings = Boolean(options.includeFindings && (await this.findings?.hasClusters()));
    const errors: SourceError[] = [...index.errors];
    const items: FleetItem[] = [];
    const cells: Cell[] = [];

    for (const entity of entities) {
      if (!hasGitopsAnnotations(entity) || !matches(entity)) continue;
      const item = describeEntity(entity);
      items.push(item);
      const placement = this.placementOf(index, entity);
      if ('error' in placement) {
        errors.push({ source: `entity:${item.entityRef}`, message: placement.error });
        continue;
      }
      for (const env of this.config.environments) {
        const cached = placement.statuses[env.name];
        if (!cached) continue;
        // A copy: the placement is shared by reads, findings are per read.
        const status = { ...cached };
        item.environments[env.name] = status;
        if (withFindings) cells.push({ apps: placement.apps.byEnvironment.get(env.name)!, status });
      }
      item.drift = placement.drift;
      if (placement.apps.previews.length) item.previews = placement.apps.previews.length;
    }

    if (withFindings) errors.push(...(await this.addFindings(cells)));
    for (const item of items) {
      const { risk, reasons } = assessRisk(item);
      item.risk = risk;
      item.riskReasons = reasons;
    }
    items.sort(
      (a, b) =>
        RISK_RANK[b.risk] - RISK_RANK[a.risk] ||
        Number(a.entityRef > b.entityRef) - Number(a.entityRef < b.entityRef),
    );
    return {
      environments: this.config.environments.map(env => ({
        name: env.name,
        title: env.title ?? env.name,
        promotesFrom: env.promotesFrom,
      })),
      items,
      errors: capErrors(errors),
      observedAt: index.observedAt?.toISOString(),
    };
  }

  private placementOf(index: InventoryIndex, entity: Entity): Placement | { error: string } {
    const apps = index.lookUp(entity);
    if ('error' in apps) return apps;
    let placement = this.placements.get(apps);
    if (!placement) {
      placement = placeEntity(apps, this.config.environments);
      this.placements.set(apps, placement);
    }
    return placement;
  }

  private async addFindings(cells: Cell[]): Promise<SourceError[]> {
    const findings = this.findings!;
    const errors = new Map<string, SourceError>();
    const limit = pLimit(FINDINGS_CONCURRENCY);
    await Promise.all(
      cells.map(cell =>
        limit(async () => {
          const workloads = cell.apps.flatMap(app => app.workloads);
          if (!workloads.length) return;
          try {
            const [vulnerabilities, policies, exposedSecrets] = await Promise.all([
              findings.vulnerabilities(workloads),
              findings.policies(workloads),
              findings.exposedSecrets(workloads),
            ]);
            // Counts from a partial read would look cleaner than they are: omit them.
            if (!vulnerabilities.errors.length) {
              const { critical, high } = vulnerabilities.summary.counts;
              cell.status.vulnerabilities = { critical, high };
            }
            if (!policies.errors.length) cell.status.policyFailures = policies.summary.fail;
            // Unlike the counts above, unknown exposed secrets are kept: they are a risk.
            if (!exposedSecrets.errors.length) cell.status.exposedSecrets = exposedSecrets.summary.total;
            else cell.status.exposedSecretsUnknown = exposedSecrets.errors.map(e => e.message).join('; ');
            for (const error of [...vulnerabilities.errors, ...policies.errors, ...exposedSecrets.errors]) {
              errors.set(`${error.source}|${error.message}`, error);
            }
          } catch (error) {
            errors.set('findings', { source: 'findings', message: (error as Error).message });
          }
        }),
      ),
    );
    return [...errors.values()];
  }
}

/**
 * The catalog query for the fleet route: entities with any gitops annotation (one
 * filter set per annotation: the sets are OR-ed), narrowed by the fleet filter
 * through relations (which hold full refs whatever the spelling in the spec), with
 * only the fields the fleet reads. Pass `CATALOG_FILTER_EXISTS` from
 * `@backstage/catalog-client` as `exists`.
 *
 * `getFleet` re-checks the filter, so the result may be a superset.
 */
export function fleetEntityQuery(
  exists: symbol,
  filter: FleetFilter = {},
): { filter: Record<string, string | symbol>[]; fields: string[] } {
  const narrowing: Record<string, string> = {};
  if (filter.kind) narrowing.kind = filter.kind;
  const owner = normalizeRef(filter.owner, 'group', 'default');
  if (owner) narrowing['relations.ownedBy'] = owner;
  const system = normalizeRef(filter.system, 'system', 'default');
  if (system) narrowing['relations.partOf'] = system;
  return {
    filter: GITOPS_ENTITY_ANNOTATIONS.map(annotation => ({
      [`metadata.annotations.${annotation}`]: exists,
      ...narrowing,
    })),
    fields: [
      'kind',
      'metadata.namespace',
      'metadata.name',
      'metadata.title',
      'metadata.annotations',
      'spec.owner',
      'spec.system',
    ],
  };
}

/** The fleet filter as a predicate on entities: refs compared in full, case-insensitively. */
export function fleetFilterMatcher(filter: FleetFilter): (entity: Entity) => boolean {
  const owner = normalizeRef(filter.owner, 'group', 'default');
  const system = normalizeRef(filter.system, 'system', 'default');
  const kind = filter.kind?.toLowerCase();
  return entity => {
    if (kind && entity.kind.toLowerCase() !== kind) return false;
    const namespace = entity.metadata.namespace ?? 'default';
    if (owner && normalizeRef(specString(entity, 'owner'), 'group', namespace) !== owner) {
      return false;
    }
    if (system && normalizeRef(specString(entity, 'system'), 'system', namespace) !== system) {
      return false;
    }
    return true;
  };
}

/** The entity's owner and system as full, lower-case refs (how the fleet groups and filters). */
export function ownerAndSystemOf(entity: Entity): { owner?: string; system?: string } {
  const namespace = entity.metadata.namespace ?? 'default';
  return {
    owner: normalizeRef(specString(entity, 'owner'), 'group', namespace),
    system: normalizeRef(specString(entity, 'system'), 'system', namespace),
  };
}

function describeEntity(entity: Entity): FleetItem {
  const namespace = entity.metadata.namespace ?? 'default';
  return {
    entityRef: stringifyEntityRef(entity),
    kind: entity.kind,
    namespace,
    name: entity.metadata.name,
    title: entity.metadata.title,
    ...ownerAndSystemOf(entity),
    environments: {},
    drift: false,
    risk: 'none',
    riskReasons: [],
  };
}

/** Statuses per environment and drift of one entity's applications. */
function placeEntity(apps: EntityApplications, environments: GitopsConfig['environments']): Placement {
  const statuses: Record<string, FleetEnvironmentStatus> = {};
  for (const env of environments) {
    const inEnvironment = apps.byEnvironment.get(env.name);
    if (inEnvironment) statuses[env.name] = environmentStatus(inEnvironment);
  }
  let drift = false;
  for (const env of environments) {
    const status = statuses[env.name];
    const source = env.promotesFrom ? statuses[env.promotesFrom] : undefined;
    if (status?.version && source?.version) {
      status.behindSource = source.version.image !== status.version.image;
      drift ||= status.behindSource;
    }
  }
  return { apps, statuses, drift };
}

function environmentStatus(apps: IndexedApplication[]): FleetEnvironmentStatus {
  let sync: SyncStatus = 'Synced';
  let health: HealthStatus = 'Healthy';
  let rolloutPhase: string | undefined;
  let abortedRollout = false;
  for (const app of apps) {
    const { sync: appSync, health: appHealth } = app.summary;
    if (SYNC_ORDER.indexOf(appSync.status) > SYNC_ORDER.indexOf(sync)) sync = appSync.status;
    if (HEALTH_ORDER.indexOf(appHealth.status) > HEALTH_ORDER.indexOf(health)) health = appHealth.status;
    const phases = [...app.rollouts, ...app.unknownRollouts.map(() => ({ phase: 'Unknown', aborted: false }))];
    for (const rollout of phases) {
      abortedRollout ||= rollout.aborted;
      if (
        rolloutPhase === undefined ||
        ROLLOUT_PHASE_ORDER.indexOf(rollout.phase) > ROLLOUT_PHASE_ORDER.indexOf(rolloutPhase)
      ) {
        rolloutPhase = rollout.phase;
      }
    }
  }
  // As the Deployments view: the first rollout's first image, else the first app's.
  const version = versionOf(apps.find(a => a.rollouts.length)?.rollouts[0].images[0] ?? apps[0].summary.images[0]);
  return {
    version,
    sync,
    health,
    rolloutPhase: abortedRollout ? 'Aborted' : rolloutPhase,
    applications: apps.length,
  };
}

function versionOf(image?: string): FleetEnvironmentStatus['version'] {
  return image ? { image, tag: parseImageRef(image).tag } : undefined;
}

function normalizeRef(
  ref: string | undefined,
  defaultKind: string,
  defaultNamespace: string,
): string | undefined {
  if (!ref?.trim()) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(ref.trim(), { defaultKind, defaultNamespace }),
    ).toLowerCase();
  } catch {
    return ref.trim().toLowerCase();
  }
}

function specString(entity: Entity, key: string): string | undefined {
  const value = (entity.spec as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value : undefined;
}

function capErrors(errors: SourceError[]): SourceError[] {
  if (errors.length <= MAX_ERRORS) return errors;
  return [
    ...errors.slice(0, MAX_ERRORS),
    {
      source: 'fleet',
      message: `${errors.length - MAX_ERRORS} more errors not shown`,
    },
  ];
}
