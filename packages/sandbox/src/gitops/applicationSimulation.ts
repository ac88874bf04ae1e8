import { kubeTime } from '../clock';
import { stableUid } from '../ids';
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
import type {
  Application,
  OperationInitiator,
  OperationState,
  ResourceNode,
  RevisionHistory,
} from './argoTypes';
import type { DesiredApplication } from './desiredState';
import {
  chartLabels,
  destinationNamespace,
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

/** Argo CD keeps this many history entries by default (`revisionHistoryLimit`). */
const HISTORY_LIMIT = 10;

interface RunningOperation {
  target: DesiredApplication;
  startedAt: number;
  initiatedBy: OperationInitiator;
}

/**
 * One Argo CD Application: compares the desired state from git with what it last
 * deployed, syncs automatically after a delay (OutOfSync, operation Running,
 * Succeeded, history entry) and reports the health of its Rollout.
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
  readonly rollout: RolloutSimulation;

  constructor(
    desired: DesiredApplication,
    now: number,
    private readonly timing: SyncTiming,
    private readonly log: (line: string) => void,
    podFailure?: RolloutSimulationParams['podFailure'],
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
      podFailure,
    });
    // Argo CD adopting what already runs: first sight is a finished automated sync.
    this.beginOperation({ automated: true }, now, false);
    this.finishOperation(now, false);
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
    this.reconciledAt = now;
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

  tick(now: number): void {
    if (this.running && now >= this.running.startedAt + this.operationMs()) {
      this.finishOperation(now);
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
    });
  }

  /** The `v1alpha1Application` Argo CD would serve. */
  toApplication(): Application {
    const { manifest, revision } = this.desired;
    const { metadata, spec } = manifest;
    const live = this.liveObjects();
    return {
      metadata: {
        name: metadata.name,
        namespace: metadata.namespace ?? 'argocd',
        uid: stableUid(
          'Application',
          metadata.namespace ?? 'argocd',
          metadata.name,
        ),
        creationTimestamp: kubeTime(this.createdAt),
        ...(metadata.labels ? { labels: metadata.labels } : {}),
        ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
        ...(metadata.finalizers ? { finalizers: metadata.finalizers } : {}),
      },
      spec,
      ...(this.running ? { operation: this.operationState.operation } : {}),
      status: {
        sync: {
          status: this.synced ? 'Synced' : 'OutOfSync',
          revision,
          comparedTo: { source: spec.source!, destination: spec.destination },
        },
        health: {
          status: this.health.status,
          lastTransitionTime: kubeTime(this.health.since),
        },
        history: [...this.history],
        operationState: this.operationState,
        reconciledAt: kubeTime(this.reconciledAt),
        resources: resourceStatuses(live, this.synced),
        summary: { images: images(live) },
        sourceType: 'Helm',
        controllerNamespace: 'argocd',
      },
    };
  }

  private autoSync(now: number): void {
    if (this.synced) {
      this.outOfSyncSince = undefined;
      return;
    }
    if (this.outOfSyncSince === undefined) {
      this.outOfSyncSince = now;
      this.reconciledAt = now;
      this.log(
        `application ${this.name} OutOfSync revision=${short(
          this.desired.revision,
        )} ` + `image=${image(this.desired)}`,
      );
    }
    const automated =
      this.desired.manifest.spec.syncPolicy?.automated !== undefined;
    if (automated && now - this.outOfSyncSince >= this.timing.syncDelayMs) {
      this.beginOperation({ automated: true }, now);
    }
  }

  private beginOperation(
    initiatedBy: OperationInitiator,
    now: number,
    log = true,
  ): void {
    const target = this.desired;
    this.running = { target, startedAt: now, initiatedBy };
    this.operationState = {
      operation: {
        sync: { revision: target.revision },
        initiatedBy,
        retry: { limit: 5 },
      },
      phase: 'Running',
      message: 'one or more tasks are running',
      startedAt: kubeTime(now),
    };
    if (log) {
      this.log(
        `application ${this.name} sync Running revision=${short(
          target.revision,
        )}`,
      );
    }
  }

  private finishOperation(now: number, log = true): void {
    const { target, startedAt, initiatedBy } = this.running!;
    const source = target.manifest.spec.source!;
    this.running = undefined;
    this.deployed = target;
    this.outOfSyncSince = undefined;
    this.reconciledAt = now;
    this.operationState = {
      ...this.operationState,
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      finishedAt: kubeTime(now),
      syncResult: {
        revision: target.revision,
        source,
        resources: this.syncedResources(),
      },
    };
    const id = (this.history.at(-1)?.id ?? -1) + 1;
    this.history.push({
      id,
      revision: target.revision,
      deployStartedAt: kubeTime(startedAt),
      deployedAt: kubeTime(now),
      source,
      initiatedBy,
    });
    this.history.splice(0, Math.max(0, this.history.length - HISTORY_LIMIT));
    if (log) {
      this.log(
        `application ${this.name} sync Succeeded, Synced revision=${short(
          target.revision,
        )} ` + `image=${image(target)} history=${id}`,
      );
    }
    // Applying the manifests is what hands the new version to the Rollouts controller.
    this.rollout.applySpec(renderRolloutSpec(target), now);
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

function images(live: LiveObjects): string[] {
  const all = [
    ...live.rollout.spec.template.spec.containers,
    ...live.pods.flatMap(pod => pod.spec.containers),
  ].map(container => container.image);
  return [...new Set(all)].sort();
}

function image(application: DesiredApplication): string {
  return `${application.values.image.repository}:${application.values.image.tag}`;
}

function short(revision: string): string {
  return revision.slice(0, 7);
}
