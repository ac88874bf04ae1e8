import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_NAMESPACE,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ANNOTATION_ARGOCD_INSTANCE_NAME,
  ANNOTATION_ARGOCD_PROJECT_NAME,
  ANNOTATION_KUBERNETES_ID,
  GITOPS_ENTITY_ANNOTATIONS,
  hasGitopsAnnotations,
  parseImageRef,
  type HealthStatus,
  type RolloutSummary,
  type SourceError,
  type SyncStatus,
} from '@gitops-suite/backstage-plugin-gitops-common';
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
const RISK_RANK: Record<FleetRisk, number> = { none: 0, low: 1, high: 2 };

/** One application of the snapshot, placed and summarised once per snapshot. */
type IndexedApp = {
  position: number;
  app: InventoryApplication;
  environment?: string;
  /** The first image of its first rollout, and its own first image. */
  rolloutVersion?: FleetEnvironmentStatus['version'];
  appVersion?: FleetEnvironmentStatus['version'];
  sync: SyncStatus;
  health: HealthStatus;
  rollouts: RolloutSummary[];
  workloads?: Workload[];
};

/** Where an entity's apps are, by environment, and what that sums up to. */
type Placement =
  | { error: string }
  | {
      apps: Map<string, IndexedApp[]>;
      statuses: Record<string, FleetEnvironmentStatus>;
      drift: boolean;
    };

/** What `entityApplicationFilter` reads: entities equal on these have the same apps. */
const SELECTING_ANNOTATIONS = [
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ANNOTATION_ARGOCD_INSTANCE_NAME,
  ANNOTATION_ARGOCD_PROJECT_NAME,
  ANNOTATION_ARGOCD_APP_NAMESPACE,
  ANNOTATION_KUBERNETES_ID,
];

/**
 * The snapshot indexed for fleet queries: every app placed in its environment and
 * summarised once, looked up by name and by label value, so finding an entity's
 * apps costs a map lookup plus checking a few candidates, not a scan of the fleet.
 * Placements are kept per set of selecting annotations for the life of the index.
 */
class SnapshotIndex {
  readonly all: IndexedApp[];
  private readonly byName = new Map<string, IndexedApp[]>();
  private readonly byLabel = new Map<string, Map<string, IndexedApp[]>>();
  private readonly placements = new Map<string, Placement>();

  constructor(
    snapshot: InventorySnapshot,
    placer: EnvironmentPlacer,
    private readonly environments: GitopsConfig['environments'],
  ) {
    this.all = snapshot.applications.map((app, position) => {
      const summary = summarizeApplication(app);
      const rollouts = app.rollouts.map(r => summarizeRollout(r as never));
      return {
        position,
        app,
        environment: placer.place(app.application),
        rolloutVersion: versionOf(rollouts[0]?.images[0]),
        appVersion: versionOf(summary.images[0]),
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

  placementOf(entity: Entity): Placement {
    const annotations = entity.metadata.annotations ?? {};
    const key = SELECTING_ANNOTATIONS.map(a => annotations[a] ?? '').join('\u0000');
    let placement = this.placements.get(key);
    if (!placement) {
      placement = this.place(entity, annotations);
      this.placements.set(key, placement);
    }
    return placement;
  }

  private place(entity: Entity, annotations: Record<string, string>): Placement {
    let belongs: (app: InventoryApplication) => boolean;
    try {
      belongs = entityApplicationFilter(entity);
    } catch (error) {
      return { error: (error as Error).message };
    }
    const apps = new Map<string, IndexedApp[]>();
    for (const candidate of this.candidates(annotations)) {
      if (candidate.environment && belongs(candidate.app)) {
        push(apps, candidate.environment, candidate);
      }
    }
    const statuses: Record<string, FleetEnvironmentStatus> = {};
    for (const env of this.environments) {
      const inEnvironment = apps.get(env.name);
      if (inEnvironment) statuses[env.name] = environmentStatus(inEnvironment);
    }
    let drift = false;
    for (const env of this.environments) {
      const status = statuses[env.name];
      const source = env.promotesFrom ? statuses[env.promotesFrom] : undefined;
      if (status?.version && source?.version) {
        status.behindSource = source.version.image !== status.version.image;
        drift ||= status.behindSource;
      }
    }
    return { apps, statuses, drift };
  }

  /**
   * A superset of the entity's apps, in snapshot order: the exact test is
   * `entityApplicationFilter`, so narrowing here only has to be conservative.
   */
  private candidates(annotations: Record<string, string>): IndexedApp[] {
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

type Cell = { apps: IndexedApp[]; status: FleetEnvironmentStatus };

/**
 * The fleet view: every annotated entity across every environment (version, sync,
 * health, rollout phase, drift, risk and optionally finding counts), built from
 * the inventory snapshot with zero upstream Argo CD calls. The snapshot is indexed
 * once and the index kept until the inventory's content changes (a refresh), so a
 * fleet of 2,000 services over thousands of applications costs one pass over the
 * apps per refresh plus a lookup per entity per read.
 */
export class FleetService {
  private readonly placer: EnvironmentPlacer;
  private cachedIndex?: {
    applications: InventoryApplication[];
    fingerprint: string;
    index: SnapshotIndex;
  };

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
    const withFindings = Boolean(options.includeFindings && (await this.findings?.hasClusters()));
    const errors: SourceError[] = [...snapshot.errors];
    const items: FleetItem[] = [];
    const cells: Cell[] = [];

    for (const entity of entities) {
      if (!hasGitopsAnnotations(entity) || !matches(entity)) continue;
      const item = describeEntity(entity);
      items.push(item);
      const placement = index.placementOf(entity);
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
        if (withFindings) cells.push({ apps: placement.apps.get(env.name)!, status });
      }
      item.drift = placement.drift;
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
      observedAt: snapshot.observedAt?.toISOString(),
    };
  }

  /**
   * The index of the snapshot's content. The inventory reloads its snapshot every
   * few seconds, but its content only changes when an instance is refreshed, which
   * replaces all of that instance's apps with one new `refreshedAt`: so the apps'
   * instances, refresh times and counts identify the content.
   */
  private indexOf(snapshot: InventorySnapshot): SnapshotIndex {
    const cached = this.cachedIndex;
    if (cached?.applications === snapshot.applications) return cached.index;
    const fingerprint = fingerprintOf(snapshot.applications);
    if (cached?.fingerprint === fingerprint) {
      cached.applications = snapshot.applications;
      return cached.index;
    }
    const index = new SnapshotIndex(snapshot, this.placer, this.config.environments);
    this.cachedIndex = { applications: snapshot.applications, fingerprint, index };
    return index;
  }

  private async addFindings(cells: Cell[]): Promise<SourceError[]> {
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

/** Per instance: how many apps, refreshed when (one time per refresh). */
function fingerprintOf(applications: InventoryApplication[]): string {
  const perInstance = new Map<string, { count: number; times: Set<number> }>();
  for (const { instance, refreshedAt } of applications) {
    let entry = perInstance.get(instance);
    if (!entry) perInstance.set(instance, (entry = { count: 0, times: new Set() }));
    entry.count++;
    entry.times.add(new Date(refreshedAt).getTime());
  }
  return [...perInstance]
    .map(([instance, { count, times }]) => `${instance}#${count}@${[...times].sort().join(',')}`)
    .sort()
    .join('|');
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
  let abortedRollout = false;
  for (const app of apps) {
    if (SYNC_ORDER.indexOf(app.sync) > SYNC_ORDER.indexOf(sync)) sync = app.sync;
    if (HEALTH_ORDER.indexOf(app.health) > HEALTH_ORDER.indexOf(health)) health = app.health;
    for (const rollout of app.rollouts) {
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
  const version = apps.find(a => a.rollouts.length)?.rolloutVersion ?? apps[0].appVersion;
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
    ).toLowerCase();
  } catch {
    return ref.trim().toLowerCase();
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
