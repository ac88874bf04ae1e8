import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  DeploymentsResponse,
  EnvironmentsResponse,
  RolloutAction,
  RolloutSummary,
} from '@internal/backstage-plugin-gitops-common';

/** Client of the `gitops` backend plugin. @public */
export interface GitopsApi {
  getEnvironments(): Promise<EnvironmentsResponse>;
  getDeployments(entity: CompoundEntityRef): Promise<DeploymentsResponse>;
  runRolloutAction(
    entity: CompoundEntityRef,
    action: RolloutAction,
    target: { environment: string; namespace: string; name: string },
  ): Promise<RolloutSummary>;
}

/** @public */
export const gitopsApiRef = createApiRef<GitopsApi>({ id: 'plugin.gitops.api' });
