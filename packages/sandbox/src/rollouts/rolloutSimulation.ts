import { kubeTime } from '../clock';
import { nameSuffix, stableUid } from '../ids';
import type { KubeObject, Pod, ReplicaSet, Service } from '../kubeTypes';
import { isPlainObject, mergePatch } from '../mergePatch';
import type { ControllerContext, ControllerState } from './controllerState';
import type { AnalysisTemplate, MetricScript } from './analysis';
import { analysisRunObject } from './analysisRuns';
import { applyRolloutAction } from './rolloutActions';
import { reconcileRollout } from './rolloutController';
import {
  canarySteps,
  REVISION_ANNOTATION,
  Rollout,
  RolloutSpec,
} from './rolloutTypes';
import { podObject, replicaSetObject, serviceObjects } from './workloadObjects';

export interface RolloutTiming {
  /** Time from pod creation to readiness. */
  podStartupMs: number;
  /** Multiplies pod startup and pause step durations. */
  timeScale: number;
}

export interface RolloutSimulationParams {
  name: string;
  namespace: string;
  /** The Argo CD Application that manages the Rollout (its tracking label). */
  instance: string;
  /** The labels the chart renders on the Rollout and its Services. */
  labels?: Record<string, string>;
  spec: RolloutSpec;
  now: number;
  timing: RolloutTiming;
  log(line: string): void;
  /** The scripted failure of an image in a namespace (scenario `podFailures`). */
  podFailure?(
    image: string,
    namespace: string,
  ): { exitCode?: number } | undefined;
  /** The AnalysisTemplates the Application's manifests render in the namespace. */
  analysisTemplates?: AnalysisTemplate[];
  /** The scripted measurements of a metric for canary pods running `images` (scenario `analysisRuns`). */
  analysisScript?(images: string[], metric: string): MetricScript | undefined;
}

/** A spec or status edit that a real API server would reject (HTTP 422). */
export class InvalidRolloutError extends Error {}

/**
 * One Argo Rollouts `Rollout` with its simulated controller. Its spec and status can
 * be edited the three ways a cluster allows (an Argo CD sync, an Argo CD resource
 * action, a Kubernetes merge patch); each edit is followed by a reconcile.
 */
export class RolloutSimulation {
  private readonly state: ControllerState;
  private podSerial = 0;
  private lastLogged = '';
  private lastSeen: number;
  private analysisTemplates: AnalysisTemplate[];

  constructor(private readonly params: RolloutSimulationParams) {
    this.lastSeen = params.now;
    this.analysisTemplates = params.analysisTemplates ?? [];
    this.state = {
      rollout: newRollout(params),
      replicaSets: [],
      revision: 0,
      analysisRuns: [],
    };
    // First sight adopts a Rollout that already runs: its pods are up.
    reconcileRollout(this.state, {
      ...this.context(params.now),
      podStartupMs: 0,
    });
    this.logTransition();
  }

  get name(): string {
    return this.params.name;
  }

  get namespace(): string {
    return this.params.namespace;
  }

  /** The live Rollout object (a copy). */
  get object(): Rollout {
    return structuredClone(this.state.rollout);
  }

  replicaSets(): ReplicaSet[] {
    return this.state.replicaSets.map(rs =>
      replicaSetObject(this.state.rollout, rs),
    );
  }

  pods(): Pod[] {
    return this.state.replicaSets.flatMap(rs =>
      rs.pods.map(pod =>
        podObject(this.state.rollout, rs, pod, {
          now: this.lastSeen,
          startupMs: this.context(this.lastSeen).podStartupMs,
        }),
      ),
    );
  }

  /** The AnalysisRuns the controller created for this Rollout, oldest first. */
  analysisRuns(): KubeObject[] {
    return this.state.analysisRuns.map(run =>
      analysisRunObject(this.state.rollout, run),
    );
  }

  services(): Service[] {
    return serviceObjects(
      this.state.rollout,
      this.params.instance,
      this.params.labels,
    );
  }

  /**
   * An Argo CD sync applying the manifest rendered from git. Only fields git owns are
   * replaced; `paused` and `restartAt`, set by people through actions, survive.
   */
  applySpec(
    spec: RolloutSpec,
    now: number,
    analysisTemplates?: AnalysisTemplate[],
  ): void {
    if (analysisTemplates) {
      this.analysisTemplates = structuredClone(analysisTemplates);
    }
    this.edit(rollout => {
      const { paused, restartAt } = rollout.spec;
      rollout.spec = {
        ...structuredClone(spec),
        ...(paused !== undefined ? { paused } : {}),
        ...(restartAt !== undefined ? { restartAt } : {}),
      };
    }, now);
  }

  /**
   * A Kubernetes merge patch. As for any CRD with a status subresource, the main
   * resource takes spec changes only and `/status` takes status changes only.
   */
  patch(patch: unknown, subresource: 'main' | 'status', now: number): void {
    if (!isPlainObject(patch)) {
      throw new InvalidRolloutError('a merge patch must be a JSON object');
    }
    this.edit(rollout => {
      const patched = mergePatch(rollout, patch) as Rollout;
      if (subresource === 'status') {
        rollout.status = patched.status;
      } else {
        rollout.spec = patched.spec;
      }
    }, now);
  }

  /** An Argo CD resource action (resume, abort, ...). */
  runAction(action: string, now: number): void {
    this.edit(rollout => applyRolloutAction(rollout, action, now), now);
  }

  reconcile(now: number): void {
    this.lastSeen = Math.max(this.lastSeen, now);
    reconcileRollout(this.state, this.context(now));
    this.logTransition();
  }

  private edit(change: (rollout: Rollout) => void, now: number): void {
    const draft = structuredClone(this.state.rollout);
    change(draft);
    validate(draft);
    draft.status.canary ??= {};
    draft.status.blueGreen ??= {};
    if (
      JSON.stringify(draft.spec) !== JSON.stringify(this.state.rollout.spec)
    ) {
      draft.metadata.generation += 1;
    }
    this.state.rollout = draft;
    this.reconcile(now);
  }

  private context(now: number): ControllerContext {
    const { podStartupMs, timeScale } = this.params.timing;
    return {
      now,
      podStartupMs: podStartupMs * timeScale,
      timeScale,
      podFailure: image =>
        this.params.podFailure?.(image, this.params.namespace),
      analysisTemplate: name =>
        this.analysisTemplates.find(t => t.metadata.name === name),
      analysisScript: (images, metric) =>
        this.params.analysisScript?.(images, metric),
      nextPodName: replicaSet => {
        this.podSerial += 1;
        return `${replicaSet.name}-${nameSuffix(
          `${replicaSet.name}/${this.podSerial}`,
        )}`;
      },
    };
  }

  /** One log line whenever revision, step, phase or message change. */
  private logTransition(): void {
    const { metadata, spec, status } = this.state.rollout;
    const steps = canarySteps(this.state.rollout);
    const step =
      status.currentStepIndex !== undefined
        ? ` step ${status.currentStepIndex}/${steps.length}`
        : '';
    const line =
      `rollout ${metadata.namespace}/${metadata.name} revision ${metadata.annotations[REVISION_ANNOTATION]}` +
      ` image=${spec.template.spec.containers[0]?.image}${step}` +
      ` ${status.phase}${status.message ? ` (${status.message})` : ''}`;
    if (line !== this.lastLogged) {
      this.lastLogged = line;
      this.params.log(line);
    }
  }
}

function newRollout(params: RolloutSimulationParams): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: params.name,
      namespace: params.namespace,
      uid: stableUid('Rollout', params.namespace, params.name),
      generation: 1,
      creationTimestamp: kubeTime(params.now),
      labels: {
        'app.kubernetes.io/name': params.name,
        ...params.labels,
        // The label Argo CD tracks its resources by.
        'app.kubernetes.io/instance': params.instance,
      },
      annotations: {},
    },
    spec: structuredClone(params.spec),
    status: { canary: {}, blueGreen: {} },
  };
}

/** The checks the Rollout CRD's OpenAPI schema would apply to an edit. */
function validate(rollout: Rollout): void {
  const { spec, status } = rollout;
  const problems: string[] = [];
  const expect = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  const optional = (value: unknown, type: string) =>
    value === undefined || typeof value === type;
  expect(isPlainObject(spec), 'spec must be an object');
  expect(isPlainObject(status), 'status must be an object');
  if (problems.length === 0) {
    expect(
      Number.isInteger(spec.replicas) && spec.replicas >= 0,
      'spec.replicas must be a non-negative integer',
    );
    expect(
      Array.isArray(spec.template?.spec?.containers) &&
        spec.template.spec.containers.length > 0,
      'spec.template.spec.containers must not be empty',
    );
    expect(
      Boolean(spec.strategy?.canary || spec.strategy?.blueGreen),
      'spec.strategy needs canary or blueGreen',
    );
    expect(optional(spec.paused, 'boolean'), 'spec.paused must be a boolean');
    expect(
      spec.restartAt === undefined || !Number.isNaN(Date.parse(spec.restartAt)),
      'spec.restartAt must be a timestamp',
    );
    expect(optional(status.abort, 'boolean'), 'status.abort must be a boolean');
    expect(
      optional(status.promoteFull, 'boolean'),
      'status.promoteFull must be a boolean',
    );
    expect(
      status.currentStepIndex === undefined ||
        (Number.isInteger(status.currentStepIndex) &&
          status.currentStepIndex >= 0),
      'status.currentStepIndex must be a non-negative integer',
    );
    expect(
      status.pauseConditions === undefined ||
        (Array.isArray(status.pauseConditions) &&
          status.pauseConditions.every(
            c =>
              typeof c?.reason === 'string' && typeof c?.startTime === 'string',
          )),
      'status.pauseConditions must be a list of {reason, startTime}',
    );
  }
  if (problems.length) {
    throw new InvalidRolloutError(problems.join('; '));
  }
}
