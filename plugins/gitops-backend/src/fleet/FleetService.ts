import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ANNOTATION_KUBERNETES_ID,
  GITOPS_ENTITY_ANNOTATIONS,
  hasGitopsAnnotations,
  parseImageRef,
  type HealthStatus,
  type RolloutSummary,
  type SourceError,
  type SyncStatus,
} from '@internal/backstage-plugin-gitops-common';
import pLimit from 'p-limit';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { InventoryApplication } from '../database/InventoryStore';
import { entityApplicationFilter } from '../deployments/entityApplications';
import { EnvironmentPlacer } from '../deployments/environments';
import { summarizeApplication } from '../deployments/summarizeApplication';
import type { FindingsService } from '../findings/FindingsService';
import type { Workload } from '../findings/types';
import type { Inventory, InventorySnapshot } from '../inventory/Inventory';
import { summarizeRollout } from '../rollouts/summarizeRollout';
import type {
  FleetEnvironmentStatus,
  FleetFilter,
  FleetItem,
  FleetResponse,
  FleetRisk,
} from './types';

/**
 * What the fleet needs of findings: summaries for a set of workloads. The
 * `FindingsService` itself (not `EntityFindings`, which re-scans the whole snapshot
 * for every entity and environment): the fleet already knows each entity's
 * workloads per environment from its index.
 */
export type FleetFindings = Pick<
  FindingsService,
  'hasClusters' | 'vulnerabilities' | 'policies'
>;

export type FleetOptions = {
  /**
   * Add critical/high vulnerability counts and policy failures per environment
   * (default false). Only when findings are enabled (clusters configured); the
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
const ROLLOUT_PHASE_ORDER = ['Healthy', 'Progressing', 'Paused', 'Degraded'];
const WORKLOAD_KINDS = new Set<string>(['Rollout', 'Deployment', 'StatefulSet']);
/** Findings requests in flight at once (the findings service limits upstream lists itself). */
const FINDINGS_CONCURRENCY = 16;
/** A fleet of unscanned images must not become thousands of error entries. */
const MAX_ERRORS = 50;

/** One application of the snapshot, placed and summarised once per snapshot. */
type IndexedApp = {
  position: number;
  app: InventoryApplication;
  environment?: string;
  image?: string;
  sync: SyncStatus;
  health: HealthStatus;
  rollouts: RolloutSummary[];
  workloads?: Workload[];
};

/**
 * The snapshot indexed for fleet queries: every app placed in its environment and
 * summarised once, looked up by name and by label value, so finding an entity's
 * apps costs a map lookup plus checking a few candidates, not a scan of the fleet.
 */
class SnapshotIndex {
  readonly all: IndexedApp[];
  private readonly byName = new Map<string, IndexedApp[]>();
  private readonly byLabel = new Map<string, Map<string, IndexedApp[]>>();

  constructor(snapshot: InventorySnapshot, placer: EnvironmentPlacer) {
    this.all = snapshot.applications.map((app, position) => {
      const summary = summarizeApplication(app);
      const rollouts = app.rollouts.map(r => summarizeRollout(r as never));
      return {
        position,
        app,
        environment: placer.place(app.application),
        image: rollouts[0]?.images[0] ?? summary.images[0],
        sync: summary.sync.status,
        health: summary.health.status,
        rollouts,
      };
    });
    for (const indexed of this.all) {
      const { metadata } = indexed.app.application;
      push(this.byName, metadata.name, indexed);
      for (const [key, value] of Object.entries(metadata.labels ?? {})) {
        let values = this.byLabel.get(key);
        if (!values) this.byLabel.set(key, (values = new Map()));
        push(values, value, indexed);
      }
    }
  }

  /**
   * A superset of the entity's apps, in snapshot order: the exact test is
   * `entityApplicationFilter`, so narrowing here only has to be conservative.
   */
  candidates(annotations: Record<string, string>): IndexedApp[] {
    const names = splitList(annotations[ANNOTATION_ARGOCD_APP_NAME]);
    if (names.length) {
      const found = [...new Set(names)].flatMap(name => this.byName.get(name) ?? []);
      return names.length > 1 ? inOrder(found) : found;
    }
    const selector = annotations[ANNOTATION_ARGOCD_APP_SELECTOR];
    if (selector) {
      let best: IndexedApp[] | undefined;
      for (const { key, values } of equalityRequirements(selector)) {
        const labelValues = this.byLabel.get(key);
        const found =
          values.length === 1
            ? labelValues?.get(values[0]) ?? []
            : inOrder(values.flatMap(v => labelValues?.get(v) ?? []));
        if (!best || found.length < best.length) best = found;
      }
      return best ?? this.all;
    }
    const kubernetesId = annotations[ANNOTATION_KUBERNETES_ID];
    if (kubernetesId) {
      return this.byLabel.get(ANNOTATION_KUBERNETES_ID)?.get(kubernetesId) ?? [];
    }
    return [];
  }
}

/**
 * The fleet view: every annotated entity across every environment (version, sync,
 * health, rollout phase, drift, risk and optionally finding counts), built from
 * the inventory snapshot with zero upstream Argo CD calls. The snapshot is indexed
 * once (and reused while the inventory serves the same snapshot), so a fleet of
 * 2,000 services over thousands of applications costs one pass over the apps plus
 * a lookup per entity.
 */
export class FleetService {
  private readonly placer: EnvironmentPlacer;
  private cachedIndex?: { applications: InventoryApplication[]; index: SnapshotIndex };

  constructor(
    private readonly config: GitopsConfig,
    private readonly inventory: Pick<Inventory, 'snapshot'>,
    private readonly findings?: FleetFindings,
  ) {
    this.placer = new EnvironmentPlacer(config.environments);
  }

  async getFleet(
    entities: Entity[],
    filter: FleetFilter = {},
    options: FleetOptions = {},
  ): Promise<FleetResponse> {
    const snapshot = await this.inventory.snapshot();
    const index = this.indexOf(snapshot);
    const matches = fleetFilterMatcher(filter);
    const errors: SourceError[] = [...snapshot.errors];
    const items: FleetItem[] = [];
    const cells: { entity: Entity; env: string; apps: IndexedApp[]; status: FleetEnvironmentStatus }[] = [];

    for (const entity of entities) {
      if (!hasGitopsAnnotations(entity) || !matches(entity)) continue;
      const item = describeEntity(entity);
      let belongs: (app: InventoryApplication) => boolean;
      try {
        belongs = entityApplicationFilter(entity);
      } catch (error) {
        errors.push({ source: `entity:${item.entityRef}`, message: (error as Error).message });
        items.push(item);
        continue;
      }
      const byEnvironment = new Map<string, IndexedApp[]>();
      for (const candidate of index.candidates(entity.metadata.annotations ?? {})) {
        if (candidate.environment && belongs(candidate.app)) {
          push(byEnvironment, candidate.environment, candidate);
        }
      }
      for (const env of this.config.environments) {
        const apps = byEnvironment.get(env.name);
        if (!apps) continue;
        const status = environmentStatus(apps);
        item.environments[env.name] = status;
        cells.push({ entity, env: env.name, apps, status });
      }
      this.markDrift(item);
      items.push(item);
    }

    if (options.includeFindings && this.findings?.hasClusters) {
      errors.push(...(await this.addFindings(cells)));
    }
    for (const item of items) {
      const { risk, reasons } = assessRisk(item);
      item.risk = risk;
      item.riskReasons = reasons;
    }
    items.sort(
      (a, b) =>
        RISK_RANK[b.risk] - RISK_RANK[a.risk] ||
        (a.entityRef < b.entityRef ? -1 : a.entityRef > b.entityRef ? 1 : 0),
    );
    return {
      environments: this.config.environments.map(env => ({
        name: env.name,
        title: env.title ?? env.name,
        promotesFrom: env.promotesFrom,
      })),
      items,
      errors: capErrors(errors),
      observedAt: snapshot.observedAt?.toISOString(),
    };
  }

  /** One index per snapshot: the inventory hands out the same snapshot while it is fresh. */
  private indexOf(snapshot: InventorySnapshot): SnapshotIndex {
    if (this.cachedIndex?.applications !== snapshot.applications) {
      this.cachedIndex = {
        applications: snapshot.applications,
        index: new SnapshotIndex(snapshot, this.placer),
      };
    }
    return this.cachedIndex.index;
  }

  private markDrift(item: FleetItem) {
    for (const env of this.config.environments) {
      const status = item.environments[env.name];
      const source = env.promotesFrom ? item.environments[env.promotesFrom] : undefined;
      if (status?.version && source?.version) {
        status.behindSource = source.version.image !== status.version.image;
        if (status.behindSource) item.drift = true;
      }
    }
  }

  private async addFindings(
    cells: { entity: Entity; env: string; apps: IndexedApp[]; status: FleetEnvironmentStatus }[],
  ): Promise<SourceError[]> {
    const findings = this.findings!;
    const errors = new Map<string, SourceError>();
    const limit = pLimit(FINDINGS_CONCURRENCY);
    await Promise.all(
      cells.map(cell =>
        limit(async () => {
          const workloads = cell.apps.flatMap(workloadsOf);
          if (!workloads.length) return;
          try {
            const [vulnerabilities, policies] = await Promise.all([
              findings.vulnerabilities(workloads),
              findings.policies(workloads),
            ]);
            // Counts from a partial read would look cleaner than they are: omit them.
            if (!vulnerabilities.errors.length) {
              const { critical, high } = vulnerabilities.summary.counts;
              cell.status.vulnerabilities = { critical, high };
            }
            if (!policies.errors.length) cell.status.policyFailures = policies.summary.fail;
            for (const error of [...vulnerabilities.errors, ...policies.errors]) {
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
  const kind = filter.kind?.toLocaleLowerCase('en-US');
  return entity => {
    if (kind && entity.kind.toLocaleLowerCase('en-US') !== kind) return false;
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

const RISK_RANK: Record<FleetRisk, number> = { none: 0, low: 1, high: 2 };

function describeEntity(entity: Entity): FleetItem {
  const namespace = entity.metadata.namespace ?? 'default';
  return {
    entityRef: stringifyEntityRef(entity),
    kind: entity.kind,
    namespace,
    name: entity.metadata.name,
    title: entity.metadata.title,
    owner: normalizeRef(specString(entity, 'owner'), 'group', namespace),
    system: normalizeRef(specString(entity, 'system'), 'system', namespace),
    environments: {},
    drift: false,
    risk: 'none',
    riskReasons: [],
  };
}

function environmentStatus(apps: IndexedApp[]): FleetEnvironmentStatus {
  let sync: SyncStatus = 'Synced';
  let health: HealthStatus = 'Healthy';
  let rolloutPhase: string | undefined;
  let rolloutImage: string | undefined;
  let abortedRollout = false;
  for (const app of apps) {
    if (SYNC_ORDER.indexOf(app.sync) > SYNC_ORDER.indexOf(sync)) sync = app.sync;
    if (HEALTH_ORDER.indexOf(app.health) > HEALTH_ORDER.indexOf(health)) health = app.health;
    for (const rollout of app.rollouts) {
      rolloutImage ??= rollout.images[0];
      abortedRollout ||= rollout.aborted;
      if (
        rolloutPhase === undefined ||
        ROLLOUT_PHASE_ORDER.indexOf(rollout.phase) > ROLLOUT_PHASE_ORDER.indexOf(rolloutPhase)
      ) {
        rolloutPhase = rollout.phase;
      }
    }
  }
  // As the Deployments view: the first rollout's image, else the first app's.
  const image = rolloutImage ?? apps[0].image;
  return {
    version: image ? { image, tag: parseImageRef(image).tag } : undefined,
    sync,
    health,
    rolloutPhase: abortedRollout ? 'Aborted' : rolloutPhase,
    applications: apps.length,
  };
}

function assessRisk(item: FleetItem): { risk: FleetRisk; reasons: string[] } {
  const high: string[] = [];
  const low: string[] = [];
  for (const [env, status] of Object.entries(item.environments)) {
    if (status.health === 'Degraded' || status.health === 'Missing') {
      high.push(`${env}: ${status.health}`);
    } else if (status.health && status.health !== 'Healthy') {
      low.push(`${env}: ${status.health}`);
    }
    if (status.rolloutPhase === 'Aborted' || status.rolloutPhase === 'Degraded') {
      high.push(`${env}: rollout ${status.rolloutPhase}`);
    } else if (status.rolloutPhase === 'Paused') {
      low.push(`${env}: rollout Paused`);
    }
    if (status.sync === 'OutOfSync') low.push(`${env}: OutOfSync`);
    if (status.vulnerabilities?.critical) {
      high.push(`${env}: ${status.vulnerabilities.critical} critical vulnerabilities`);
    } else if (status.vulnerabilities?.high) {
      low.push(`${env}: ${status.vulnerabilities.high} high vulnerabilities`);
    }
    if (status.policyFailures) low.push(`${env}: ${status.policyFailures} policy failures`);
  }
  if (high.length) return { risk: 'high', reasons: [...high, ...low] };
  return { risk: low.length ? 'low' : 'none', reasons: low };
}

/** The app's workloads, as `EntityFindings` derives them; computed once per snapshot. */
function workloadsOf(indexed: IndexedApp): Workload[] {
  if (indexed.workloads) return indexed.workloads;
  const { application } = indexed.app;
  const rolloutImages = new Map(
    indexed.rollouts.map(r => [`${r.namespace}/${r.name}`, r.images]),
  );
  indexed.workloads = (application.status?.resources ?? [])
    .filter(r => WORKLOAD_KINDS.has(r.kind ?? '') && r.name)
    .map(r => ({
      namespace: r.namespace ?? application.spec?.destination?.namespace ?? '',
      kind: r.kind as Workload['kind'],
      name: r.name!,
      images:
        rolloutImages.get(`${r.namespace}/${r.name}`) ??
        application.status?.summary?.images ??
        [],
    }));
  return indexed.workloads;
}

/**
 * The `key=value`, `key==value` and `key in (a,b)` requirements of a label
 * selector: every matching app has one of those values. Anything unparsed is
 * ignored (the exact filter decides), so this never drops a match.
 */
function equalityRequirements(selector: string): { key: string; values: string[] }[] {
  const requirements: { key: string; values: string[] }[] = [];
  for (const part of splitTopLevel(selector)) {
    const equality = /^\s*([^\s!=(),]+)\s*==?\s*([^\s!=(),]*)\s*$/.exec(part);
    if (equality) {
      requirements.push({ key: equality[1], values: [equality[2]] });
      continue;
    }
    const set = /^\s*([^\s!=(),]+)\s+in\s*\(([^)]*)\)\s*$/.exec(part);
    if (set) {
      requirements.push({ key: set[1], values: [...new Set(set[2].split(',').map(v => v.trim()))] });
    }
  }
  return requirements;
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const char = selector[i];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.filter(p => p.trim());
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
    ).toLocaleLowerCase('en-US');
  } catch {
    return ref.trim().toLocaleLowerCase('en-US');
  }
}

function specString(entity: Entity, key: string): string | undefined {
  const value = (entity.spec as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value : undefined;
}

function splitList(value?: string): string[] {
  return (value ?? '')
    .split(',')
    .map(v => v.trim())
    .filter(Boolean);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function inOrder(apps: IndexedApp[]): IndexedApp[] {
  return apps.sort((a, b) => a.position - b.position);
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
