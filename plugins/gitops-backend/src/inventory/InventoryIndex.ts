import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_NAMESPACE,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ANNOTATION_ARGOCD_INSTANCE_NAME,
  ANNOTATION_ARGOCD_PROJECT_NAME,
  ANNOTATION_KUBERNETES_ID,
  type ApplicationSummary,
  type RolloutSummary,
  type SourceError,
  type UnknownRollout,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { ArgoApplication } from '../argocd/types';
import type { EnvironmentConfig, GitopsConfig } from '../config/gitopsConfig';
import { summarizeApplication } from '../deployments/summarizeApplication';
import type { Workload } from '../findings/types';
import { summarizeRollout } from '../rollouts/summarizeRollout';
import { previewOf, type PreviewPullRequest } from '../previews/previewOf';
import { EnvironmentPlacer } from './EnvironmentPlacer';
import { entityApplicationFilter, equalityRequirementsOf, splitList } from './entityApplications';
import { entryKey, type InventoryEntry } from './InventoryEntry';

const WORKLOAD_KINDS = new Set<string>(['Rollout', 'Deployment', 'StatefulSet']);

/** One application of the inventory, placed and summarised once per change of it. */
export type IndexedApplication = {
  /** `instance/appNamespace/name`: also the order applications are listed in. */
  key: string;
  instance: string;
  application: ArgoApplication;
  entry: InventoryEntry;
  /** The configured environment it is placed in, if any rule matches (never a preview's). */
  environment?: string;
  /** The pull request it previews, when it is a preview application. */
  preview?: PreviewPullRequest;
  summary: ApplicationSummary;
  rollouts: RolloutSummary[];
  unknownRollouts: UnknownRollout[];
  /** The Rollouts, Deployments and StatefulSets it manages, with where they run. */
  workloads: Workload[];
};

/** An entity's applications: by environment, its previews, and those no environment matched. */
export type EntityApplications = {
  all: IndexedApplication[];
  byEnvironment: Map<string, IndexedApplication[]>;
  previews: IndexedApplication[];
  unassigned: IndexedApplication[];
};

/** What tells the freshness of the inventory: per-instance errors and the oldest read. */
export type InventorySources = () => { errors: SourceError[]; observedAt?: Date };

/** The annotations `entityApplicationFilter` reads: entities equal on them share apps. */
const SELECTING_ANNOTATIONS = [
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ANNOTATION_ARGOCD_INSTANCE_NAME,
  ANNOTATION_ARGOCD_PROJECT_NAME,
  ANNOTATION_ARGOCD_APP_NAMESPACE,
  ANNOTATION_KUBERNETES_ID,
];

/**
 * The read model every consumer uses (deployments, findings, rollout controls, Argo CD
 * rollback, the promotion engine, continuous deployment, the fleet): each application
 * placed into its environment and summarised, its Rollouts typed and its workloads
 * derived, once per change of that application; looked up by name, by label value and
 * by entity, so an entity's applications cost a map lookup and a check of a few
 * candidates, not a scan. It is kept up to date one application at a time (`apply`), so
 * a change costs the work of that application, not a rebuild of thousands. This is the
 * only place applications are placed or filtered.
 */
export class InventoryIndex {
  private readonly placer: EnvironmentPlacer;
  private readonly byKey = new Map<string, IndexedApplication>();
  private readonly byName = new Map<string, Map<string, IndexedApplication>>();
  private readonly byLabel = new Map<string, Map<string, Map<string, IndexedApplication>>>();
  /** Entity lookups of the current version, keyed by their selecting annotations. */
  private entities = new Map<string, EntityApplications | { error: string }>();
  private sorted?: IndexedApplication[];
  private currentVersion = 0;

  constructor(
    private readonly config: GitopsConfig,
    private readonly sources: InventorySources,
    entries: Iterable<InventoryEntry> = [],
  ) {
    this.placer = new EnvironmentPlacer(config.environments);
    this.apply([...entries].map(entry => ({ key: entryKey(entry.instance, entry.application), entry })));
  }

  /** Bumped by every change: what a cache of answers derived from the index is keyed by. */
  get version(): number {
    return this.currentVersion;
  }

  /** Every application, in key order. */
  get applications(): IndexedApplication[] {
    this.sorted ??= [...this.byKey.values()].sort((a, b) => compare(a.key, b.key));
    return this.sorted;
  }

  /** Applies changed applications: the new entry, or none where the application is gone. */
  apply(changes: { key: string; entry?: InventoryEntry }[]) {
    for (const { key, entry } of changes) {
      const held = this.byKey.get(key);
      if (held) this.unindex(held);
      if (entry) this.index(this.derive(entry));
    }
    this.currentVersion += 1;
    this.sorted = undefined;
    this.entities = new Map();
  }

  /** Per-instance errors (a failed list, a broken stream) while last good data is shown. */
  get errors(): SourceError[] {
    return this.sources().errors;
  }

  /** When the oldest instance was last read. */
  get observedAt(): Date | undefined {
    return this.sources().observedAt;
  }

  /** The application of an instance by name. */
  find(instance: string, name: string, appNamespace?: string): IndexedApplication | undefined {
    if (appNamespace !== undefined) {
      return this.byKey.get(`${instance}/${appNamespace}/${name}`);
    }
    return [...(this.byName.get(name)?.values() ?? [])].find(app => app.instance === instance);
  }

  /**
   * The entity's applications, from the annotations users already have for the Argo CD
   * plugins (see entityApplicationFilter). An invalid selector is the caller's input.
   */
  ofEntity(entity: Entity): EntityApplications {
    const found = this.lookUp(entity);
    if ('error' in found) throw new InputError(found.error);
    return found;
  }

  /** Like `ofEntity`, with an invalid annotation reported rather than thrown (the fleet). */
  lookUp(entity: Entity): EntityApplications | { error: string } {
    const annotations = entity.metadata.annotations ?? {};
    const key = SELECTING_ANNOTATIONS.map(a => annotations[a] ?? '').join('\u0000');
    let found = this.entities.get(key);
    if (!found) {
      found = this.place(entity, annotations);
      this.entities.set(key, found);
    }
    return found;
  }

  /** The entity's applications in one configured environment. */
  inEnvironment(entity: Entity, environment: string): IndexedApplication[] {
    this.environment(environment);
    return this.ofEntity(entity).byEnvironment.get(environment) ?? [];
  }

  /** The configured environment, or an InputError naming it. */
  environment(name: string): EnvironmentConfig {
    const environment = this.config.environments.find(e => e.name === name);
    if (!environment) throw new InputError(`environment: '${name}' is not configured`);
    return environment;
  }

  private place(entity: Entity, annotations: Record<string, string>): EntityApplications | { error: string } {
    let belongs: ReturnType<typeof entityApplicationFilter>;
    try {
      belongs = entityApplicationFilter(entity);
    } catch (error) {
      return { error: (error as Error).message };
    }
    const all = this.candidates(annotations).filter(belongs);
    const byEnvironment = new Map<string, IndexedApplication[]>();
    const previews: IndexedApplication[] = [];
    const unassigned: IndexedApplication[] = [];
    for (const app of all) {
      if (app.environment) push(byEnvironment, app.environment, app);
      else if (app.preview) previews.push(app);
      else unassigned.push(app);
    }
    return { all, byEnvironment, previews, unassigned };
  }

  /**
   * A superset of the entity's apps, in index order: the exact test is
   * `entityApplicationFilter`, so narrowing here only has to be conservative.
   */
  private candidates(annotations: Record<string, string>): IndexedApplication[] {
    const names = splitList(annotations[ANNOTATION_ARGOCD_APP_NAME]);
    if (names.length) {
      return inOrder([...new Set(names)].flatMap(name => [...(this.byName.get(name)?.values() ?? [])]));
    }
    const selector = annotations[ANNOTATION_ARGOCD_APP_SELECTOR];
    if (selector) {
      let best: IndexedApplication[] | undefined;
      for (const { key, values } of equalityRequirementsOf(selector)) {
        const labelValues = this.byLabel.get(key);
        const found = values.flatMap(v => [...(labelValues?.get(v)?.values() ?? [])]);
        if (!best || found.length < best.length) best = found;
      }
      return best ? inOrder(best) : this.applications;
    }
    const kubernetesId = annotations[ANNOTATION_KUBERNETES_ID];
    if (kubernetesId) {
      return inOrder([...(this.byLabel.get(ANNOTATION_KUBERNETES_ID)?.get(kubernetesId)?.values() ?? [])]);
    }
    return [];
  }

  private index(app: IndexedApplication) {
    this.byKey.set(app.key, app);
    nested(this.byName, app.application.metadata.name).set(app.key, app);
    for (const [label, value] of Object.entries(app.application.metadata.labels ?? {})) {
      let values = this.byLabel.get(label);
      if (!values) this.byLabel.set(label, (values = new Map()));
      nested(values, value).set(app.key, app);
    }
  }

  private unindex(app: IndexedApplication) {
    this.byKey.delete(app.key);
    this.byName.get(app.application.metadata.name)?.delete(app.key);
    for (const [label, value] of Object.entries(app.application.metadata.labels ?? {})) {
      this.byLabel.get(label)?.get(value)?.delete(app.key);
    }
  }

  private derive(entry: InventoryEntry): IndexedApplication {
    const { instance, application } = entry;
    const preview = previewOf(application, this.config.previews);
    // A preview is outside the promotion chain, whatever labels its template copied.
    const environment = preview ? undefined : this.placer.place(application);
    const instanceConfig = this.config.argocd.instances.find(i => i.name === instance);
    const rollouts = entry.rollouts.map(rollout => summarizeRollout(rollout, entry.analysisRuns, entry.analysisRunErrors));
    return {
      key: entryKey(instance, application),
      instance,
      application,
      entry,
      environment,
      ...(preview ? { preview } : {}),
      summary: summarizeApplication(entry, instanceConfig),
      rollouts,
      unknownRollouts: entry.rolloutErrors.map(e => ({ application: application.metadata.name, ...e })),
      workloads: workloadsOf(application, rollouts, this.config.environments.find(e => e.name === environment)),
    };
  }
}

/** The app's workloads, with the cluster hint findings and rollout controls resolve. */
function workloadsOf(
  application: ArgoApplication,
  rollouts: RolloutSummary[],
  environment?: EnvironmentConfig,
): Workload[] {
  const rolloutImages = new Map(rollouts.map(r => [`${r.namespace}/${r.name}`, r.images]));
  return (application.status?.resources ?? [])
    .filter(r => WORKLOAD_KINDS.has(r.kind ?? '') && r.name)
    .map(r => ({
      cluster: environment?.kubernetesCluster,
      destination: application.spec?.destination,
      environment: environment?.name,
      namespace: r.namespace ?? application.spec?.destination?.namespace ?? '',
      kind: r.kind as Workload['kind'],
      name: r.name!,
      images: rolloutImages.get(`${r.namespace}/${r.name}`) ?? application.status?.summary?.images ?? [],
    }));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function inOrder(apps: IndexedApplication[]): IndexedApplication[] {
  return [...new Set(apps)].sort((a, b) => compare(a.key, b.key));
}

function nested<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
