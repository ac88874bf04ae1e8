import type { IAnalysisRun } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisRun';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { summarizeAnalysis, type AnalysisRunReadError } from './analysisRuns';
import type {
  RolloutStep,
  RolloutSummary,
} from '@gitops-suite/backstage-plugin-gitops-common';

type Spec = IRollout['spec'];
type Status = NonNullable<IRollout['status']>;
type CanaryStep = NonNullable<
  NonNullable<NonNullable<Spec['strategy']>['canary']>['steps']
>[number];

/**
 * Summarises a live Rollout the way the Argo Rollouts controller and its kubectl
 * plugin present it: phase and message (`rolloututil.GetRolloutPhase`), step n/m,
 * the weight the current step sets (`GetCurrentSetWeight`) or the traffic router reports,
 * pause reasons, abort, and the current analysis with its metrics (from its AnalysisRun,
 * when read).
 */
export function summarizeRollout(
  rollout: IRollout,
  analysisRuns?: IAnalysisRun[],
  analysisRunErrors?: AnalysisRunReadError[],
): RolloutSummary {
  const status: Status = rollout.status ?? {};
  const canary = rollout.spec.strategy?.canary;
  const blueGreen = rollout.spec.strategy?.blueGreen;
  const steps = canary?.steps ?? [];
  const { phase, message } = rolloutPhase(rollout);
  return {
    name: rollout.metadata?.name ?? '',
    namespace: rollout.metadata?.namespace ?? '',
    strategy: strategyOf(rollout),
    phase,
    message: message || undefined,
    paused: Boolean(rollout.spec.paused) || (status.pauseConditions ?? []).length > 0,
    pauseReasons: (status.pauseConditions ?? []).map(c => ({
      reason: c.reason,
      startTime: c.startTime,
    })),
    aborted: Boolean(status.abort),
    completed: Boolean(status.stableRS) && status.stableRS === status.currentPodHash,
    step:
      canary && steps.length
        ? { index: Math.min(status.currentStepIndex ?? 0, steps.length), count: steps.length }
        : undefined,
    steps: steps.map(describeStep),
    weights: canary ? canaryWeights(rollout) : undefined,
    blueGreen: blueGreen
      ? {
          activeSelector: status.blueGreen?.activeSelector,
          previewSelector: status.blueGreen?.previewSelector,
        }
      : undefined,
    images: (rollout.spec.template?.spec?.containers ?? [])
      .map(c => c.image)
      .filter((image): image is string => Boolean(image)),
    analysis: summarizeAnalysis(rollout, analysisRuns, analysisRunErrors),
  };
}

function strategyOf(rollout: IRollout): RolloutSummary['strategy'] {
  if (rollout.spec.strategy?.canary) return 'canary';
  if (rollout.spec.strategy?.blueGreen) return 'blueGreen';
  return 'unknown';
}

/** `rolloututil.GetRolloutPhase`: the controller's phase, or computed like it. */
export function rolloutPhase(rollout: IRollout): { phase: string; message: string } {
  const status: Status = rollout.status ?? {};
  if (!isGenerationObserved(rollout)) {
    return { phase: 'Progressing', message: 'waiting for rollout spec update to be observed' };
  }
  if (isUnpausing(rollout)) {
    return { phase: 'Progressing', message: 'waiting for rollout to unpause' };
  }
  if (status.phase) {
    return { phase: status.phase, message: status.message ?? '' };
  }
  return calculateRolloutPhase(rollout);
}

/** `rolloututil.CalculateRolloutPhase`, for controllers that predate `status.phase`. */
function calculateRolloutPhase(rollout: IRollout): { phase: string; message: string } {
  const status: Status = rollout.status ?? {};
  for (const condition of status.conditions ?? []) {
    if (condition.type === 'InvalidSpec') {
      return { phase: 'Degraded', message: `InvalidSpec: ${condition.message}` };
    }
    if (condition.reason === 'RolloutAborted' || condition.reason === 'ProgressDeadlineExceeded') {
      return { phase: 'Degraded', message: `${condition.reason}: ${condition.message}` };
    }
  }
  if (rollout.spec.paused) return { phase: 'Paused', message: 'manually paused' };
  const pause = status.pauseConditions?.[0];
  if (pause) return { phase: 'Paused', message: pause.reason };
  const desired = rollout.spec.replicas ?? 1;
  if ((status.updatedReplicas ?? 0) < desired) {
    return { phase: 'Progressing', message: 'more replicas need to be updated' };
  }
  if ((status.availableReplicas ?? 0) < (status.updatedReplicas ?? 0)) {
    return { phase: 'Progressing', message: 'updated replicas are still becoming available' };
  }
  const isStable = Boolean(status.stableRS) && status.stableRS === status.currentPodHash;
  if (rollout.spec.strategy?.blueGreen) {
    const active = status.blueGreen?.activeSelector;
    if (!active || active !== status.currentPodHash) {
      return { phase: 'Progressing', message: 'active service cutover pending' };
    }
    if (!isStable) return { phase: 'Progressing', message: 'waiting for analysis to complete' };
  } else if (rollout.spec.strategy?.canary) {
    const trafficRouted = Boolean(
      (rollout.spec.strategy.canary as { trafficRouting?: unknown }).trafficRouting,
    );
    if (!trafficRouted && (status.replicas ?? 0) > (status.updatedReplicas ?? 0)) {
      return { phase: 'Progressing', message: 'old replicas are pending termination' };
    }
    if (!isStable) return { phase: 'Progressing', message: 'waiting for all steps to complete' };
  }
  return { phase: 'Healthy', message: '' };
}

function isGenerationObserved(rollout: IRollout): boolean {
  const observed = Number.parseInt(rollout.status?.observedGeneration ?? '', 10);
  // Older controllers wrote a hash here rather than a number: treat as observed.
  if (Number.isNaN(observed)) return true;
  return observed >= (rollout.metadata?.generation ?? 0);
}

function isUnpausing(rollout: IRollout): boolean {
  const status = rollout.status ?? {};
  return Boolean(status.controllerPause) && !rollout.spec.paused && !(status.pauseConditions ?? []).length;
}

/**
 * `replicasetutil.GetCurrentSetWeight`: 0 when aborted, 100 past the last step,
 * else the last `setWeight` at or before the current step. Traffic-routed rollouts
 * report the weights the controller observed in `status.canary.weights`.
 */
function canaryWeights(rollout: IRollout): NonNullable<RolloutSummary['weights']> {
  const status: Status = rollout.status ?? {};
  // What the traffic router (mesh, gateway) applied, when the Rollout routes traffic.
  const observed = status.canary?.weights;
  if (observed) {
    return {
      stable: observed.stable.weight,
      canary: observed.canary.weight,
      source: 'traffic-router',
      ...(observed.verified !== undefined ? { verified: observed.verified } : {}),
    };
  }
  return { ...stepWeights(rollout), source: 'step' };
}

/** The weight the current step sets (`GetCurrentSetWeight`): replicas only, no router. */
function stepWeights(rollout: IRollout): { stable: number; canary: number } {
  const status: Status = rollout.status ?? {};
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  let canary: number;
  if (status.abort) canary = 0;
  else if (!steps.length || (status.currentStepIndex ?? 0) >= steps.length) canary = 100;
  else canary = lastSetWeight(steps, status.currentStepIndex ?? 0);
  // A finished rollout has promoted the canary to stable: all traffic is stable.
  if (canary === 100 && status.stableRS && status.stableRS === status.currentPodHash) {
    return { stable: 100, canary: 0 };
  }
  return { stable: 100 - canary, canary };
}

function lastSetWeight(steps: CanaryStep[], index: number): number {
  for (let i = index; i >= 0; i--) {
    const weight = steps[i].setWeight;
    if (weight !== undefined) return weight;
  }
  return 0;
}

function describeStep(step: CanaryStep): RolloutStep {
  if (step.setWeight !== undefined) return { kind: 'setWeight', value: step.setWeight };
  if (step.pause) {
    const duration = step.pause.duration;
    return duration === undefined ? { kind: 'pause' } : { kind: 'pause', value: duration };
  }
  if (step.analysis) return { kind: 'analysis' };
  if (step.experiment) return { kind: 'experiment' };
  return { kind: 'other' };
}

