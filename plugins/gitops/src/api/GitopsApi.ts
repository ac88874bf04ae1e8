import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  DeploymentsResponse,
  EnvironmentsResponse,
} from '@internal/backstage-plugin-gitops-common';

/** Client of the `gitops` backend plugin. @public */
export interface GitopsApi {
  getEnvironments(): Promise<EnvironmentsResponse>;
  getDeployments(entity: CompoundEntityRef): Promise<DeploymentsResponse>;
}

/** @public */
export const gitopsApiRef = createApiRef<GitopsApi>({ id: 'plugin.gitops.api' });
