import { kubeTime } from '../clock';
import type { SyncHook, SyncHookType } from '../findings/scenario';
import type { KubeObject } from '../kubeTypes';
import type { HealthStatusCode } from '../rollouts/rolloutHealth';
import {
  RolloutSimulation,
  RolloutSimulationParams,
  RolloutTiming,
} from '../rollouts/rolloutSimulation';
import {
  LiveObjects,
  resourceStatuses,
  resourceTree,
  worstHealth,
} from './applicationResources';
import type { ApplicationManifest } from './applicationManifest';
import { hasMultipleSources, sourceFields } from './applicationSources';
import type {
  Application,
  ApplicationCondition,
  OperationInitiator,
  OperationRevisions,
  OperationState,
  ResourceNode,
  RevisionHistory,
} from './argoTypes';
import type { DesiredApplication } from './desiredState';
import { RESOURCES_FINALIZER } from './applicationSets';
import { applicationMetadata } from './applicationMetadata';
import { HookRuns } from './hookRuns';
import {
  chartLabels,
  destinationNamespace,
  renderAnalysisTemplates,
  renderRolloutSpec,
  serviceName,
} from './renderRollout';

export interface SyncTiming extends RolloutTiming {
  /** How long an automated Application stays OutOfSync before its sync starts. */
  syncDelayMs: number;
  /** How long a sync operation runs (scaled by the time scale). */
  operationMs: number;
}

/** A sync was requested while another operation is running (Argo CD: FailedPrecondition). */
export class OperationInProgressError extends Error {}

/** A terminate was requested while no operation runs (Argo CD: InvalidArgument). */
export class NoOperationError extends Error {}

/** What the scenario scripts for one Application. */
export interface ScriptedBehaviour {
  /** Images whose pods crash in a namespace (scenario `podFailures`). */
  podFailure?: RolloutSimulationParams['podFailure'];
  /** The resource hooks in the Application's manifests (scenario `syncHooks`). */
  syncHooks?: SyncHook[];
  /** The measurements of the Rollout's AnalysisRuns (scenario `analysisRuns`). */
  analysisScript?: RolloutSimulationParams['analysisScript'];
}

/** gitops-engine's operation messages. */
const SUCCEEDED = 'successfully synced (all tasks run)';
const TASKS_FAILED =
  'one or more synchronization tasks completed unsuccessfully';
const TERMINATED = 'Operation terminated';

/** Argo CD keeps this many history entries by default (`revisionHistoryLimit`). */
const HISTORY_LIMIT = 10;

/**
 * How long the cascading delete of an Application with the resources finalizer takes
 * (scaled by the time scale): the controller deletes its resources, waits for them to
 * go, then removes the finalizer (controller/appcontroller.go `finalizeApplicationDeletion`).
 */
export const CASCADE_DELETE_MS = 3000;

/** The latest comparison failed: what Argo CD reports as a `ComparisonError` condition. */
interface ComparisonFailure {
  manifest: ApplicationManifest;
  message: string;
  since: number;
}

interface RunningOperation {
  target: DesiredApplication;
  startedAt: number;
  initiatedBy: OperationInitiator;
  hooks: HookRuns;
  /** When the manifests were applied (after the PreSync hooks finished). */
  appliedAt?: number;
  /** A terminate was asked: the next tick ends the operation. */
  terminating?: boolean;
}

/**
 * One Argo CD Application: compares the desired state from git with what it last
 * deployed, syncs automatically after a delay (OutOfSync, operation Running,
 * Succeeded, history entry) and reports the health of its Rollout. A sync runs the
 * Application's resource hooks the way gitops-engine does: PreSync before the apply,
 * Sync with it, PostSync once the applied resources are Healthy; a failed hook (or a
 * resource turning Degraded while PostSync waits) fails the operation, which then
 * adds no history entry, and auto-sync does not retry that revision.
 */
export class ApplicationSimulation {
  private desired: DesiredApplication;
  private deployed: DesiredApplication;
  private outOfSyncSince?: number;
  private running?: RunningOperation;
  private operationState!: OperationState;
  private readonly history: RevisionHistory[] = [];
  private reconciledAt: number;
  private readonly createdAt: number;
  private health: { status: HealthStatusCode; since: number };
  private failure?: ComparisonFailure;
  private deletingSince?: number;
  readonly rollout: RolloutSimulation;

  constructor(
    desired: DesiredApplication,
    now: number,
    private readonly timing: SyncTiming,
    private readonly log: (line: string) => void,
    private readonly scripted: ScriptedBehaviour = {},
  ) {
    this.desired = desired;
    this.deployed = desired;
    this.createdAt = now;
    this.reconciledAt = now;
    this.rollout = new RolloutSimulation({
      name: serviceName(desired),
      namespace: destinationNamespace(desired),
      instance: this.name,
      labels: chartLabels(desired),
      spec: renderRolloutSpec(desired),
      now,
      timing,
      log,
      podFailure: scripted.podFailure,
      analysisTemplates: renderAnalysisTemplates(desired),
      analysisScript: scripted.analysisScript,
    });
    // Argo CD adopting what already runs: first sight is a finished automated sync.
    this.beginOperation({ automated: true }, now, false);
    this.apply(now);
    this.succeed(now, false);
    this.health = { status: this.healthStatus(), since: now };
  }

  get name(): string {
    return this.desired.manifest.metadata.name;
  }

  get synced(): boolean {
    return (
      JSON.stringify(renderRolloutSpec(this.deployed)) ===
      JSON.stringify(renderRolloutSpec(this.desired))
    );
  }

  /** A poll found a new revision of the repository. */
  setDesired(desired: DesiredApplication, now: number): void {
    this.desired = desired;
    this.failure = undefined;
    this.reconciledAt = now;
  }

  /** A poll could not generate the manifests: sync Unknown, the last deployed state runs on. */
  setComparisonError(
    manifest: ApplicationManifest,
    message: string,
    now: number,
  ): void {
    if (this.failure?.message !== message) {
      this.log(`application ${this.name} ComparisonError: ${message}`);
    }
    this.failure = { manifest, message, since: this.failure?.since ?? now };
    this.reconciledAt = now;
  }

  /**
   * The Application was deleted (its ApplicationSet no longer generates it). With the
   * resources finalizer it gets a `deletionTimestamp` and stays while its resources
   * are deleted; returns whether it is gone.
   */
  delete(now: number): boolean {
    if (!this.manifest.metadata.finalizers?.includes(RESOURCES_FINALIZER))
      return true;
    if (this.deletingSince === undefined) {
      this.deletingSince = now;
      this.log(`application ${this.name} deleting (cascade)`);
    }
    return (
      now - this.deletingSince >= CASCADE_DELETE_MS * this.timing.timeScale
    );
  }

  get deleting(): boolean {
    return this.deletingSince !== undefined;
  }

  /** The manifest as last read, even when its manifests could not be generated. */
  private get manifest(): ApplicationManifest {
    return this.failure?.manifest ?? this.desired.manifest;
  }

  /** A manual sync (`POST /api/v1/applications/{name}/sync`). */
  sync(initiatedBy: OperationInitiator, now: number): void {
    if (this.running) {
      throw new OperationInProgressError(
        'another operation is already in progress',
      );
    }
    this.beginOperation(initiatedBy, now);
  }

  /** `DELETE /api/v1/applications/{name}/operation`: Terminating, ended by the next tick. */
  terminate(): void {
    if (!this.running) {
      throw new NoOperationError(
        'Unable to terminate operation. No operation is in progress',
      );
    }
    this.running.terminating = true;
    this.operationState = { ...this.operationState, phase: 'Terminating' };
    this.log(`application ${this.name} operation Terminating`);
  }

  tick(now: number): void {
    if (this.running) {
      this.advanceOperation(now);
    }
    if (!this.running) {
      this.autoSync(now);
    }
    this.rollout.reconcile(now);
    this.trackHealth(now);
  }

  liveObjects(): LiveObjects {
    return {
      rollout: this.rollout.object,
      services: this.rollout.services(),
      replicaSets: this.rollout.replicaSets(),
      pods: this.rollout.pods(),
      analysisRuns: this.rollout.analysisRuns(),
    };
  }

  resourceTree(stamp: <T extends KubeObject>(object: T) => T): {
    nodes: ResourceNode[];
  } {
    const live = this.liveObjects();
    return resourceTree({
      rollout: stamp(live.rollout),
      services: live.services.map(stamp),
      replicaSets: live.replicaSets.map(stamp),
      pods: live.pods.map(stamp),
      analysisRuns: live.analysisRuns.map(stamp),
    });
  }

  /** The `v1alpha1Application` Argo CD would serve. */
  toApplication(): Application {
    const { metadata, spec } = this.manifest;
    const live = this.liveObjects();
    return {
      metadata: applicationMetadata(
        metadata,
        this.createdAt,
        this.deletingSince,
      ),
      spec,
      ...(this.running ? { operation: this.operationState.operation } : {}),
      status: {
        sync: this.syncStatus(),
        ...(this.failure ? { conditions: this.conditions() } : {}),
        health: {
          status: this.health.status,
          lastTransitionTime: kubeTime(this.health.since),
        },
        history: [...this.history],
        operationState: this.operationState,
        reconciledAt: kubeTime(this.reconciledAt),
        resources: resourceStatuses(live, this.synced),
        summary: summary(live, this.deployed),
        sourceType: 'Helm',
        controllerNamespace: 'argocd',
      },
    };
  }

  /** `status.sync`: Unknown without a revision while the comparison fails (controller/state.go). */
  private syncStatus(): Application['status']['sync'] {
    const { spec } = this.manifest;
    const sources = hasMultipleSources(spec)
      ? { sources: spec.sources! }
      : { source: spec.source! };
    const comparedTo = { ...sources, destination: spec.destination };
    if (this.failure) return { status: 'Unknown', comparedTo };
    const { revisions } = this.desired;
    return {
      status: this.synced ? 'Synced' : 'OutOfSync',
      ...(hasMultipleSources(spec)
        ? { revisions }
        : { revision: revisions[0] }),
      comparedTo,
    };
  }

  private conditions(): ApplicationCondition[] {
    const { message, since } = this.failure!;
    return [
      { type: 'ComparisonError', message, lastTransitionTime: kubeTime(since) },
    ];
  }

  private autoSync(now: number): void {
    if (this.failure) return;
    if (this.synced) {
      this.outOfSyncSince = undefined;
      return;
    }
    if (this.outOfSyncSince === undefined) {
      this.outOfSyncSince = now;
      this.reconciledAt = now;
      this.log(
        `application ${this.name} OutOfSync revision=${short(this.desired)} ` +
          `image=${image(this.desired)}`,
      );
    }
    const automated =
      this.desired.manifest.spec.syncPolicy?.automated !== undefined;
    // Argo CD: "Skipping auto-sync: failed previous sync attempt to <revision>".
    const failedBefore =
      this.operationState.phase === 'Failed' &&
      JSON.stringify(this.operationState.operation.sync) ===
        JSON.stringify(operationRevisions(this.desired));
    if (
      automated &&
      !failedBefore &&
      now - this.outOfSyncSince >= this.timing.syncDelayMs
    ) {
      this.beginOperation({ automated: true }, now);
    }
  }

  private beginOperation(
    initiatedBy: OperationInitiator,
    now: number,
    log = true,
  ): void {
    const target = this.desired;
    const hooks = new HookRuns(
      this.scripted.syncHooks ?? [],
      image(target),
      destinationNamespace(target),
      this.timing.timeScale,
    );
    this.running = { target, startedAt: now, initiatedBy, hooks };
    const retry = target.manifest.spec.syncPolicy?.retry;
    this.operationState = {
      operation: {
        sync: operationRevisions(target),
        initiatedBy,
        ...(retry ? { retry } : {}),
      },
      phase: 'Running',
      message: 'one or more tasks are running',
      startedAt: kubeTime(now),
    };
    hooks.start('PreSync', now);
    if (log) {
      this.log(
        `application ${this.name} sync Running revision=${short(target)}`,
      );
    }
  }

  /** One step of the running operation: hooks, apply, waiting for health, the end. */
  private advanceOperation(now: number): void {
    const op = this.running!;
    if (op.terminating) {
      op.hooks.terminate();
      this.endOperation(now, 'Failed', TERMINATED);
      return;
    }
    if (!this.hookPhaseDone('PreSync', now)) return;
    if (op.appliedAt === undefined) {
      if (now < op.startedAt + this.operationMs()) return;
      this.apply(now);
      op.hooks.start('Sync', now);
    }
    if (!this.hookPhaseDone('Sync', now)) return;
    const postSyncDue =
      op.hooks.has('PostSync') && !op.hooks.started('PostSync');
    if (postSyncDue && !this.startPostSync(now)) return;
    if (!this.hookPhaseDone('PostSync', now)) return;
    this.succeed(now);
  }

  /** Advances a phase's hooks: true once all succeeded; else waits, or fails the operation. */
  private hookPhaseDone(type: SyncHookType, now: number): boolean {
    const { hooks } = this.running!;
    hooks.advance(type, now);
    if (!hooks.done(type)) {
      this.waiting(hooks.waitingMessage(type));
      return false;
    }
    if (hooks.failed(type)) {
      this.endOperation(now, 'Failed', TASKS_FAILED);
      return false;
    }
    return true;
  }

  /** PostSync runs once every applied resource is Healthy; a Degraded one fails the sync. */
  private startPostSync(now: number): boolean {
    const health = this.healthStatus();
    if (health === 'Degraded') {
      this.endOperation(now, 'Failed', TASKS_FAILED);
      return false;
    }
    if (health !== 'Healthy') {
      this.waiting(
        `waiting for healthy state of argoproj.io/Rollout/${this.rollout.name}`,
      );
      return false;
    }
    this.running!.hooks.start('PostSync', now);
    return true;
  }

  private waiting(message: string | undefined): void {
    this.operationState = {
      ...this.operationState,
      message: message ?? this.operationState.message,
      ...this.syncResult(),
    };
  }

  /** Applying the manifests is what hands the new version to the Rollouts controller. */
  private apply(now: number): void {
    const op = this.running!;
    op.appliedAt = now;
    this.deployed = op.target;
    this.outOfSyncSince = undefined;
    this.reconciledAt = now;
    this.rollout.applySpec(
      renderRolloutSpec(op.target),
      now,
      renderAnalysisTemplates(op.target),
    );
  }

  private succeed(now: number, log = true): void {
    const { target, startedAt, initiatedBy } = this.running!;
    this.endOperation(now, 'Succeeded', SUCCEEDED, false);
    const id = (this.history.at(-1)?.id ?? -1) + 1;
    this.history.push({
      id,
      ...sourceFields(target.manifest.spec, target.revisions),
      deployStartedAt: kubeTime(startedAt),
      deployedAt: kubeTime(now),
      initiatedBy,
    });
    this.history.splice(0, Math.max(0, this.history.length - HISTORY_LIMIT));
    if (log) {
      this.log(
        `application ${this.name} sync Succeeded, Synced revision=${short(
          target,
        )} ` + `image=${image(target)} history=${id}`,
      );
    }
  }

  /** Ends the operation; only a successful one adds a history entry (see `succeed`). */
  private endOperation(
    now: number,
    phase: 'Succeeded' | 'Failed',
    message: string,
    log = true,
  ): void {
    this.operationState = {
      ...this.operationState,
      phase,
      message,
      finishedAt: kubeTime(now),
      ...this.syncResult(),
    };
    this.running = undefined;
    this.reconciledAt = now;
    if (log) {
      this.log(`application ${this.name} sync ${phase}: ${message}`);
    }
  }

  /** `syncResult` of the running operation: what was applied and the hooks started so far. */
  private syncResult(): Pick<OperationState, 'syncResult'> {
    const op = this.running!;
    const resources = [
      ...(op.appliedAt !== undefined ? this.syncedResources() : []),
      ...op.hooks.results(),
    ];
    if (!resources.length) return {};
    return {
      syncResult: {
        ...sourceFields(op.target.manifest.spec, op.target.revisions),
        resources,
      },
    };
  }

  private syncedResources(): Array<Record<string, string>> {
    const { rollout } = this;
    return [
      ...rollout.services().map(service => ({
        group: '',
        version: 'v1',
        kind: 'Service',
        namespace: rollout.namespace,
        name: service.metadata.name,
        status: 'Synced',
        message: `service/${service.metadata.name} unchanged`,
        hookPhase: 'Running',
        syncPhase: 'Sync',
      })),
      {
        group: 'argoproj.io',
        version: 'v1alpha1',
        kind: 'Rollout',
        namespace: rollout.namespace,
        name: rollout.name,
        status: 'Synced',
        message: `rollout.argoproj.io/${rollout.name} configured`,
        hookPhase: 'Running',
        syncPhase: 'Sync',
      },
    ];
  }

  private operationMs(): number {
    return this.timing.operationMs * this.timing.timeScale;
  }

  private healthStatus(): HealthStatusCode {
    return worstHealth(
      resourceStatuses(this.liveObjects(), true).map(r => r.health),
    );
  }

  private trackHealth(now: number): void {
    const status = this.healthStatus();
    if (status !== this.health.status) {
      this.log(
        `application ${this.name} health ${this.health.status} -> ${status}`,
      );
      this.health = { status, since: now };
    }
  }
}

/**
 * `status.summary`: the images running, and the URLs of the Ingress the chart renders
 * (controller/cache/info.go `populateIngressInfo`: `http(s)://<host>` plus the path,
 * https when TLS covers the host).
 */
function summary(
  live: LiveObjects,
  deployed: DesiredApplication,
): Application['status']['summary'] {
  const all = [
    ...live.rollout.spec.template.spec.containers,
    ...live.pods.flatMap(pod => pod.spec.containers),
  ].map(container => container.image);
  const ingress = deployed.values.ingress;
  return {
    images: [...new Set(all)].sort(),
    ...(ingress
      ? {
          externalURLs: [
            `${ingress.tls ? 'https' : 'http'}://${ingress.host}/`,
          ],
        }
      : {}),
  };
}

/** `operation.sync`'s revision fields for the target. */
function operationRevisions(target: DesiredApplication): OperationRevisions {
  return hasMultipleSources(target.manifest.spec)
    ? { revisions: target.revisions }
    : { revision: target.revisions[0] };
}

function image(application: DesiredApplication): string {
  return `${application.values.image.repository}:${application.values.image.tag}`;
}

function short(target: DesiredApplication): string {
  return target.revisions.map(revision => revision.slice(0, 7)).join(',');
}
