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
import { EnvironmentPlacer } from './EnvironmentPlacer';
import { entityApplicationFilter, equalityRequirementsOf, splitList } from './entityApplications';
import { entryKey, type InventoryEntry } from './InventoryEntry';

const WORKLOAD_KINDS = new Set<string>(['Rollout', 'Deployment', 'StatefulSet']);

/** One application of the inventory, placed and summarised once per change of it. */
export type IndexedApplication = {
  /** Position in the index, so candidate lists merge back into a stable order. */
  position: number;
  key: string;
  instance: string;
  application: ArgoApplication;
  entry: InventoryEntry;
  /** The configured environment it is placed in, if any rule matches. */
  environment?: string;
  summary: ApplicationSummary;
  rollouts: RolloutSummary[];
  unknownRollouts: UnknownRollout[];
  /** The Rollouts, Deployments and StatefulSets it manages, with where they run. */
  workloads: Workload[];
};

/** An entity's applications: by environment, and those no environment matched. */
export type EntityApplications = {
  all: IndexedApplication[];
  byEnvironment: Map<string, IndexedApplication[]>;
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
 * derived, once per change of that application (derived data of unchanged entries is
 * carried over from the previous index); looked up by name, by label value and by
 * entity, so an entity's applications cost a map lookup and a check of a few
 * candidates, not a scan. This is the only place applications are placed or filtered.
 */
export class InventoryIndex {
  readonly applications: IndexedApplication[];
  private readonly derived = new WeakMap<InventoryEntry, Omit<IndexedApplication, 'position'>>();
  private readonly byKey = new Map<string, IndexedApplication>();
  private readonly byName = new Map<string, IndexedApplication[]>();
  private readonly byLabel = new Map<string, Map<string, IndexedApplication[]>>();
  private readonly entities = new Map<string, EntityApplications | { error: string }>();

  constructor(
    private readonly config: GitopsConfig,
    entries: Iterable<InventoryEntry>,
    readonly version: number,
    private readonly sources: InventorySources,
    previous?: InventoryIndex,
  ) {
    const placer = new EnvironmentPlacer(config.environments);
    const sorted = [...entries].sort((a, b) => compare(entryKey(a.instance, a.application), entryKey(b.instance, b.application)));
    this.applications = sorted.map((entry, position) => {
      const derived = previous?.derived.get(entry) ?? this.derive(entry, placer);
      this.derived.set(entry, derived);
      return { ...derived, position };
    });
    for (const app of this.applications) {
      this.byKey.set(app.key, app);
      push(this.byName, app.application.metadata.name, app);
      for (const [key, value] of Object.entries(app.application.metadata.labels ?? {})) {
        let values = this.byLabel.get(key);
        if (!values) this.byLabel.set(key, (values = new Map()));
        push(values, value, app);
      }
    }
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
    return this.byName.get(name)?.find(app => app.instance === instance);
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
    const unassigned: IndexedApplication[] = [];
    for (const app of all) {
      if (app.environment) push(byEnvironment, app.environment, app);
      else unassigned.push(app);
    }
    return { all, byEnvironment, unassigned };
  }

  /**
   * A superset of the entity's apps, in index order: the exact test is
   * `entityApplicationFilter`, so narrowing here only has to be conservative.
   */
  private candidates(annotations: Record<string, string>): IndexedApplication[] {
    const names = splitList(annotations[ANNOTATION_ARGOCD_APP_NAME]);
    if (names.length) {
      return inOrder([...new Set(names)].flatMap(name => this.byName.get(name) ?? []));
    }
    const selector = annotations[ANNOTATION_ARGOCD_APP_SELECTOR];
    if (selector) {
      let best: IndexedApplication[] | undefined;
      for (const { key, values } of equalityRequirementsOf(selector)) {
        const labelValues = this.byLabel.get(key);
        const found = inOrder(values.flatMap(v => labelValues?.get(v) ?? []));
        if (!best || found.length < best.length) best = found;
      }
      return best ?? this.applications;
    }
    const kubernetesId = annotations[ANNOTATION_KUBERNETES_ID];
    if (kubernetesId) {
      return this.byLabel.get(ANNOTATION_KUBERNETES_ID)?.get(kubernetesId) ?? [];
    }
    return [];
  }

  private derive(entry: InventoryEntry, placer: EnvironmentPlacer): Omit<IndexedApplication, 'position'> {
    const { instance, application } = entry;
    const environment = placer.place(application);
    const instanceConfig = this.config.argocd.instances.find(i => i.name === instance);
    const rollouts = entry.rollouts.map(summarizeRollout);
    return {
      key: entryKey(instance, application),
      instance,
      application,
      entry,
      environment,
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
  return [...new Set(apps)].sort((a, b) => a.position - b.position);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
