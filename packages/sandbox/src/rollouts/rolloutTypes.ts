import type { KubeObject, PodTemplate } from '../kubeTypes';
import type { AnalysisPhase, RolloutAnalysis } from './analysis';

/** Argo Rollouts `argoproj.io/v1alpha1` Rollout, as far as the sandbox simulates it. */

export type CanaryStep =
  | { setWeight: number }
  | { pause: { duration?: string | number } }
  | { analysis: RolloutAnalysis }
  | Record<string, unknown>;

export interface CanaryStrategy {
  steps?: CanaryStep[];
  /** Background analysis, from `startingStep` (default the first) until promotion. */
  analysis?: RolloutAnalysis;
  canaryService?: string;
  stableService?: string;
  /** A traffic router (nginx, istio, ...): weights are set on it, not by pod counts. */
  trafficRouting?: Record<string, unknown>;
}

export interface RolloutStrategy {
  canary?: CanaryStrategy;
  blueGreen?: {
    activeService: string;
    previewService: string;
    autoPromotionEnabled?: boolean;
  };
}

export interface RolloutSpec {
  replicas: number;
  revisionHistoryLimit: number;
  selector: { matchLabels: Record<string, string> };
  strategy: RolloutStrategy;
  template: PodTemplate;
  paused?: boolean;
  restartAt?: string;
  /** Seconds an update may make no progress before it is Degraded. Default 600. */
  progressDeadlineSeconds?: number;
  /** Abort the update (back to stable) when the progress deadline is exceeded. */
  progressDeadlineAbort?: boolean;
}

export interface PauseCondition {
  reason: string;
  startTime: string;
}

export interface RolloutCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  lastUpdateTime: string;
}

export interface TrafficWeight {
  weight: number;
  podTemplateHash: string;
  serviceName?: string;
}

/** `v1alpha1.RolloutAnalysisRunStatus`. */
export interface RolloutAnalysisRunStatus {
  name: string;
  status: AnalysisPhase;
  message?: string;
}

export interface RolloutStatus {
  abort?: boolean;
  abortedAt?: string;
  pauseConditions?: PauseCondition[];
  controllerPause?: boolean;
  promoteFull?: boolean;
  currentPodHash?: string;
  stableRS?: string;
  currentStepIndex?: number;
  restartedAt?: string;
  observedGeneration?: string;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  selector?: string;
  phase?: 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';
  message?: string;
  conditions?: RolloutCondition[];
  canary: {
    weights?: { canary: TrafficWeight; stable: TrafficWeight };
    currentStepAnalysisRunStatus?: RolloutAnalysisRunStatus;
    currentBackgroundAnalysisRunStatus?: RolloutAnalysisRunStatus;
  };
  blueGreen: { activeSelector?: string; previewSelector?: string };
}

export interface Rollout extends KubeObject {
  metadata: KubeObject['metadata'] & {
    generation: number;
    annotations: Record<string, string>;
  };
  spec: RolloutSpec;
  status: RolloutStatus;
}

export const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';
export const CANARY_PAUSE_STEP = 'CanaryPauseStep';
export const BLUE_GREEN_PAUSE = 'BlueGreenPause';
export const INCONCLUSIVE_ANALYSIS_PAUSE = 'InconclusiveAnalysis';
/** Argo Rollouts' default `spec.progressDeadlineSeconds`. */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

export function isSetWeightStep(
  step: CanaryStep,
): step is { setWeight: number } {
  return typeof (step as { setWeight?: unknown }).setWeight === 'number';
}

export function isPauseStep(
  step: CanaryStep,
): step is { pause: { duration?: string | number } } {
  return typeof (step as { pause?: unknown }).pause === 'object';
}

export function isAnalysisStep(
  step: CanaryStep,
): step is { analysis: RolloutAnalysis } {
  return typeof (step as { analysis?: unknown }).analysis === 'object';
}

export function canarySteps(rollout: Rollout): CanaryStep[] {
  return rollout.spec.strategy.canary?.steps ?? [];
}

/** True once the current pod template is also the stable one: nothing left to roll out. */
export function isFullyPromoted(rollout: Rollout): boolean {
  return rollout.status.currentPodHash === rollout.status.stableRS;
}
