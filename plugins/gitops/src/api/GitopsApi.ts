import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  DeploymentsResponse,
  EnvironmentsResponse,
  RolloutAction,
  RolloutSummary,
  CreatePromotionRequest,
  Promotion,
  PromotionPreview,
  PoliciesResponse,
  VulnerabilitiesResponse,
  CreateRollbackRequest,
  RollbackCandidate,
  FleetFilter,
  FleetResponse,
} from '@gitops-suite/backstage-plugin-gitops-common';

/** Client of the `gitops` backend plugin. @public */
export interface GitopsApi {
  getEnvironments(): Promise<EnvironmentsResponse>;
  getDeployments(entity: CompoundEntityRef): Promise<DeploymentsResponse>;
  runRolloutAction(
    entity: CompoundEntityRef,
    action: RolloutAction,
    target: { environment: string; namespace: string; name: string },
  ): Promise<RolloutSummary>;
  getVulnerabilities(entity: CompoundEntityRef, environment: string): Promise<VulnerabilitiesResponse>;
  getPolicies(entity: CompoundEntityRef, environment: string): Promise<PoliciesResponse>;
  getFleet(filter: FleetFilter): Promise<FleetResponse>;
  argoCdRollback(
    entity: CompoundEntityRef,
    request: { environment: string; application: string; historyId: number },
  ): Promise<{ application: string; historyId: number; revision?: string }>;
  getRollbackCandidates(entity: CompoundEntityRef, environment: string): Promise<RollbackCandidate[]>;
  createRollback(request: CreateRollbackRequest): Promise<Promotion>;
  previewPromotion(request: CreatePromotionRequest): Promise<PromotionPreview>;
  /** Rejects with a {@link GatesFailedError} when gates block it. */
  createPromotion(request: CreatePromotionRequest): Promise<Promotion>;
  listPromotions(filter: { entityRef?: string; awaitingMyApproval?: boolean }): Promise<Promotion[]>;
  getPromotion(id: string): Promise<Promotion>;
  decidePromotion(id: string, decision: 'approve' | 'reject' | 'cancel', comment?: string): Promise<Promotion>;
}

/** @public */
export const gitopsApiRef = createApiRef<GitopsApi>({ id: 'plugin.gitops.api' });
