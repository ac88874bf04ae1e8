import { Clock, kubeTime } from './clock';
import { configAuditReports } from './findings/configAuditReports';
import { exposedSecretReports } from './findings/exposedSecretReports';
import { admittedPod } from './findings/imageVerification';
import { policyReports } from './findings/policyReports';
import {
  analysisScriptFor,
  podFailureFor,
  syncHooksOf,
  type Scenario,
} from './findings/scenario';
import { vulnerabilityReports } from './findings/vulnerabilityReports';
import type { GitRepo } from './git/gitRepo';
import { RepoSnapshot } from './git/repoSnapshot';
import { refsFingerprint } from './git/revisions';
import { allObjects } from './gitops/applicationResources';
import {
  servedApplicationSet,
  type ServedApplicationSet,
} from './gitops/applicationSetStatus';
import {
  ApplicationSimulation,
  SyncTiming,
} from './gitops/applicationSimulation';
import type {
  Application,
  OperationInitiator,
  ResourceRef,
} from './gitops/argoTypes';
import {
  readDesiredState,
  type DesiredApplication,
  type DesiredApplicationSet,
  type DesiredState,
  type FailedApplication,
} from './gitops/desiredState';
import { listPullRequests } from './gitops/pullRequests';
import { UnloadedApplication } from './gitops/unloadedApplication';
import { ChartRepository } from './helm/chartRepository';
import { listSourceRepositories, pullRequestRefs } from './git/sourceRepos';
import { stableUid } from './ids';
import { groupVersion, KubeObject } from './kubeTypes';
import { ResourceVersions } from './resourceVersions';
import {
  discoverRolloutActions,
  ResourceAction,
} from './rollouts/rolloutActions';
import type { RolloutSimulation } from './rollouts/rolloutSimulation';
import type { Rollout } from './rollouts/rolloutTypes';

export type ApplicationEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ApplicationEvent {
  type: ApplicationEventType;
  application: Application;
}

export interface SandboxDeps {
  repo: GitRepo;
  /** The Helm charts folder (helm/chartRepository.ts); re-read on every poll. */
  helmChartsDir?: string;
  /** Where the Helm repository is served; known once the Argo CD server listens. */
  helmRepoUrl(): string;
  /** The source repositories (`<name>.git`) the pull request generator reads. */
  reposDir?: string;
  clock: Clock;
  timing: SyncTiming;
  scenario: Scenario;
  log(line: string): void;
}

/** A resource action was asked of a resource that has none (Argo CD: InvalidArgument). */
export class ResourceActionError extends Error {}

interface ServedAppSet {
  desired: DesiredApplicationSet;
  createdAt: number;
  conditionsSince: number;
  conditionsKey: string;
}

/**
 * The simulated world: the Applications found in the repository and their Rollouts.
 * `poll` plays Argo CD's repository refresh, `tick` lets time act (sync delays,
 * pauses, pods becoming ready); both servers read from and act on this object.
 */
export class Sandbox {
  private readonly apps = new Map<string, ApplicationSimulation>();
  private readonly versions = new ResourceVersions();
  private readonly published = new Map<string, Application>();
  private readonly listeners = new Set<(event: ApplicationEvent) => void>();
  private readonly unloaded = new Map<string, UnloadedApplication>();
  private readonly appSets = new Map<string, ServedAppSet>();
  private readonly startedAt: number;
  private fingerprint?: string;
  private polling?: Promise<void>;
  private charts = ChartRepository.empty();

  constructor(private readonly deps: SandboxDeps) {
    this.startedAt = deps.clock.now();
  }

  /** Reads the branch head; on a new revision, creates, updates and removes Applications. */
  poll(): Promise<void> {
    // One poll at a time: the timer and `?refresh=` requests may ask concurrently.
    this.polling ??= this.readRepository().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async readRepository(): Promise<void> {
    const gitops = await RepoSnapshot.take(this.deps.repo);
    this.charts = this.deps.helmChartsDir
      ? await ChartRepository.load(this.deps.helmChartsDir)
      : ChartRepository.empty();
    const fingerprint = [
      refsFingerprint(gitops.refs.refs),
      this.charts.fingerprint(),
      await this.pullRequestsFingerprint(),
    ].join('\n--\n');
    if (fingerprint === this.fingerprint) {
      return;
    }
    const desired = await readDesiredState({
      gitops,
      charts: this.charts,
      helmRepoUrl: this.deps.helmRepoUrl(),
      pullRequests: generator =>
        listPullRequests(this.deps.reposDir ?? '/nonexistent', generator ?? {}),
    });
    desired.problems.forEach(problem => this.deps.log(problem));
    const now = this.deps.clock.now();
    const seen = new Set<string>();
    desired.applications.forEach(app =>
      this.applyDesired(app, seen, now, desired.revision),
    );
    desired.failures.forEach(failure => this.applyFailure(failure, seen, now));
    // A failed generation applies nothing: the ApplicationSet's Applications stay.
    desired.applicationSets
      .filter(appSet => appSet.generation.error)
      .forEach(appSet => this.ownedBy(appSet).forEach(name => seen.add(name)));
    this.removeUnseen(seen, now, desired.revision);
    this.updateApplicationSets(desired, now);
    this.fingerprint = fingerprint;
    this.publishChanges();
  }

  private applyDesired(
    application: DesiredApplication,
    seen: Set<string>,
    now: number,
    revision: string,
  ): void {
    const name = application.manifest.metadata.name;
    seen.add(name);
    this.unloaded.delete(name);
    const existing = this.apps.get(name);
    if (existing) {
      // Kubernetes cannot take back a deletion: a deleting Application is recreated after.
      if (!existing.deleting) existing.setDesired(application, now);
      return;
    }
    this.deps.log(
      `application ${name} created at revision ${revision.slice(0, 7)}`,
    );
    this.apps.set(
      name,
      new ApplicationSimulation(
        application,
        now,
        this.deps.timing,
        this.deps.log,
        {
          podFailure: (image, namespace) =>
            podFailureFor(this.deps.scenario, image, namespace),
          syncHooks: syncHooksOf(this.deps.scenario, name),
          analysisScript: (images, metric) =>
            analysisScriptFor(this.deps.scenario, images, metric),
        },
      ),
    );
  }

  private applyFailure(
    failure: FailedApplication,
    seen: Set<string>,
    now: number,
  ): void {
    const name = failure.manifest.metadata.name;
    seen.add(name);
    const existing = this.apps.get(name);
    if (existing) {
      existing.setComparisonError(failure.manifest, failure.message, now);
      return;
    }
    const unloaded = this.unloaded.get(name);
    if (unloaded) {
      unloaded.setComparisonError(failure.manifest, failure.message, now);
    } else {
      this.deps.log(
        `application ${name} created with ComparisonError: ${failure.message}`,
      );
      this.unloaded.set(
        name,
        new UnloadedApplication(failure.manifest, failure.message, now),
      );
    }
  }

  /** Applications gone from the desired state; those with the resources finalizer go in steps. */
  private removeUnseen(seen: Set<string>, now: number, revision: string): void {
    for (const name of [...this.apps.keys()].filter(n => !seen.has(n))) {
      if (this.apps.get(name)!.delete(now)) {
        this.deps.log(
          `application ${name} removed at revision ${revision.slice(0, 7)}`,
        );
        this.apps.delete(name);
      }
    }
    for (const name of [...this.unloaded.keys()].filter(n => !seen.has(n))) {
      this.unloaded.delete(name);
    }
  }

  /** Cascading deletes that finished; the next poll reads again (the set may recreate it). */
  private finishDeletions(now: number): void {
    for (const [name, app] of this.apps) {
      if (app.deleting && app.delete(now)) {
        this.deps.log(`application ${name} deleted`);
        this.apps.delete(name);
        this.fingerprint = undefined;
      }
    }
  }

  private updateApplicationSets(desired: DesiredState, now: number): void {
    const names = new Set(
      desired.applicationSets.map(a => a.manifest.metadata.name),
    );
    for (const name of [...this.appSets.keys()].filter(n => !names.has(n))) {
      this.appSets.delete(name);
    }
    for (const appSet of desired.applicationSets) {
      const name = appSet.manifest.metadata.name;
      const previous = this.appSets.get(name);
      const conditionsKey = JSON.stringify(appSet.generation.error ?? null);
      this.appSets.set(name, {
        desired: appSet,
        createdAt: previous?.createdAt ?? now,
        conditionsKey,
        conditionsSince:
          previous?.conditionsKey === conditionsKey
            ? previous.conditionsSince
            : now,
      });
    }
  }

  /** Names of the Applications an ApplicationSet controls (by owner reference uid). */
  private ownedBy(appSet: DesiredApplicationSet): string[] {
    return this.applications()
      .filter(app =>
        app.metadata.ownerReferences?.some(ref => ref.uid === appSet.uid),
      )
      .map(app => app.metadata.name);
  }

  /** The pull request refs of every source repository: a PR opened or closed changes it. */
  private async pullRequestsFingerprint(): Promise<string> {
    if (!this.deps.reposDir) return '';
    const lines: string[] = [];
    for (const repo of await listSourceRepositories(this.deps.reposDir)) {
      lines.push(
        repo,
        refsFingerprint(await pullRequestRefs(this.deps.reposDir, repo)),
      );
    }
    return lines.join('\n');
  }

  tick(): void {
    const now = this.deps.clock.now();
    this.finishDeletions(now);
    this.apps.forEach(app => app.tick(now));
    this.publishChanges();
  }

  async refresh(): Promise<void> {
    await this.poll();
    this.tick();
  }

  /** Listens for Application changes (the watch stream); returns the unsubscribe function. */
  subscribe(listener: (event: ApplicationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  resourceVersion(): string {
    return this.versions.current();
  }

  stamp = <T extends { metadata: { uid?: string; resourceVersion?: string } }>(
    object: T,
  ): T => this.versions.stamp(object);

  // --- Argo CD view ------------------------------------------------------------

  applications(): Application[] {
    return [...this.apps.values(), ...this.unloaded.values()]
      .map(app => this.stamp(app.toApplication()))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  application(name: string): ApplicationSimulation | undefined {
    return this.apps.get(name);
  }

  /** Any Application by name, including one whose manifests never loaded. */
  applicationView(name: string): { toApplication(): Application } | undefined {
    return this.apps.get(name) ?? this.unloaded.get(name);
  }

  /** The ApplicationSets, as the API serves them (sorted by name). */
  applicationSets(): ServedApplicationSet[] {
    return [...this.appSets.keys()]
      .sort()
      .map(name => this.applicationSet(name)!);
  }

  applicationSet(name: string): ServedApplicationSet | undefined {
    const served = this.appSets.get(name);
    if (!served) return undefined;
    const owned = this.applications().filter(app =>
      app.metadata.ownerReferences?.some(ref => ref.uid === served.desired.uid),
    );
    return this.stamp(
      servedApplicationSet(
        served.desired,
        served.createdAt,
        served.conditionsSince,
        owned,
      ),
    );
  }

  /** The Helm repository's charts as of the last poll. */
  chartRepository(): ChartRepository {
    return this.charts;
  }

  /** The live object of `ref` among the Application's resources, stamped. */
  liveObject(
    app: ApplicationSimulation,
    ref: ResourceRef,
  ): KubeObject | undefined {
    const object = allObjects(app.liveObjects()).find(candidate => {
      const { group, version } = groupVersion(candidate.apiVersion);
      return (
        candidate.kind === ref.kind &&
        candidate.metadata.name === ref.name &&
        (candidate.metadata.namespace ?? '') === ref.namespace &&
        group === ref.group &&
        (!ref.version || version === ref.version)
      );
    });
    return object && this.stamp(object);
  }

  /** Metadata of a commit of the GitOps repository, every Application's source. */
  commitMetadata(revision: string) {
    return this.deps.repo.commitMetadata(revision);
  }

  resourceActions(object: KubeObject): ResourceAction[] {
    return object.kind === 'Rollout' &&
      object.apiVersion.startsWith('argoproj.io/')
      ? discoverRolloutActions(object as Rollout)
      : [];
  }

  runResourceAction(
    app: ApplicationSimulation,
    object: KubeObject,
    action: string,
  ): void {
    if (object.kind !== 'Rollout') {
      throw new ResourceActionError(
        `${object.kind} ${object.metadata.name} has no actions`,
      );
    }
    app.rollout.runAction(action, this.deps.clock.now());
    this.publishChanges();
  }

  sync(app: ApplicationSimulation, initiatedBy: OperationInitiator): void {
    app.sync(initiatedBy, this.deps.clock.now());
    this.publishChanges();
  }

  terminate(app: ApplicationSimulation): void {
    app.terminate();
    this.publishChanges();
  }

  // --- Kubernetes view ---------------------------------------------------------

  namespaces(): KubeObject[] {
    const names = new Set(['default', 'argocd']);
    this.apps.forEach(app => names.add(app.rollout.namespace));
    return [...names].sort().map(name =>
      this.stamp({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name,
          uid: stableUid('Namespace', name),
          creationTimestamp: kubeTime(this.startedAt),
          labels: { 'kubernetes.io/metadata.name': name },
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      } as KubeObject),
    );
  }

  rollouts(): KubeObject[] {
    return this.rolloutSimulations().map(rollout => this.stamp(rollout.object));
  }

  replicaSets(): KubeObject[] {
    return this.rolloutSimulations()
      .flatMap(r => r.replicaSets())
      .map(this.stamp);
  }

  pods(): KubeObject[] {
    return this.rolloutSimulations()
      .flatMap(r => r.pods())
      .map(pod => admittedPod(pod, this.deps.scenario))
      .map(this.stamp);
  }

  analysisRuns(): KubeObject[] {
    return this.rolloutSimulations()
      .flatMap(r => r.analysisRuns())
      .map(this.stamp);
  }

  services(): KubeObject[] {
    return this.rolloutSimulations()
      .flatMap(r => r.services())
      .map(this.stamp);
  }

  vulnerabilityReports(): KubeObject[] {
    const replicaSets = this.rolloutSimulations().flatMap(r => r.replicaSets());
    return vulnerabilityReports(replicaSets, this.deps.scenario).map(
      this.stamp,
    );
  }

  exposedSecretReports(): KubeObject[] {
    const replicaSets = this.rolloutSimulations().flatMap(r => r.replicaSets());
    return exposedSecretReports(replicaSets, this.deps.scenario).map(
      this.stamp,
    );
  }

  configAuditReports(): KubeObject[] {
    const replicaSets = this.rolloutSimulations().flatMap(r => r.replicaSets());
    return configAuditReports(replicaSets, this.deps.scenario).map(this.stamp);
  }

  policyReports(): KubeObject[] {
    const resources = this.rolloutSimulations().flatMap(r => [
      r.object,
      ...r.replicaSets().filter(rs => rs.spec.replicas > 0),
      ...r.pods(),
    ]);
    return policyReports(resources, this.deps.scenario).map(this.stamp);
  }

  clusterPolicies(): KubeObject[] {
    return this.deps.scenario.clusterPolicies.map(policy =>
      this.stamp({
        ...structuredClone(policy),
        metadata: {
          ...structuredClone(policy.metadata),
          uid: stableUid('ClusterPolicy', policy.metadata.name),
          creationTimestamp: kubeTime(this.startedAt),
          generation: 1,
        },
      }),
    );
  }

  rolloutSimulation(
    namespace: string,
    name: string,
  ): RolloutSimulation | undefined {
    return this.rolloutSimulations().find(
      r => r.namespace === namespace && r.name === name,
    );
  }

  patchRollout(
    rollout: RolloutSimulation,
    patch: unknown,
    subresource: 'main' | 'status',
  ): KubeObject {
    rollout.patch(patch, subresource, this.deps.clock.now());
    this.publishChanges();
    return this.stamp(rollout.object);
  }

  private rolloutSimulations(): RolloutSimulation[] {
    return [...this.apps.values()].map(app => app.rollout);
  }

  /** Emits watch events for Applications whose served form changed since last time. */
  private publishChanges(): void {
    const current = new Map(
      this.applications().map(app => [app.metadata.name, app]),
    );
    for (const [name, application] of current) {
      const previous = this.published.get(name);
      if (
        previous?.metadata.resourceVersion !==
        application.metadata.resourceVersion
      ) {
        this.published.set(name, application);
        this.emit({ type: previous ? 'MODIFIED' : 'ADDED', application });
      }
    }
    for (const [name, application] of this.published) {
      if (!current.has(name)) {
        this.published.delete(name);
        this.emit({
          type: 'DELETED',
          application: this.versions.deleted(application),
        });
      }
    }
  }

  private emit(event: ApplicationEvent): void {
    this.listeners.forEach(listener => listener(event));
  }
}
