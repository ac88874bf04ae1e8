import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  DeploymentsResponse,
  EnvironmentsResponse,
} from '@internal/backstage-plugin-gitops-common';
import type { GitopsApi } from './GitopsApi';

/** Talks to `/api/gitops` through the app's discovery and (authenticated) fetch. @public */
export class GitopsClient implements GitopsApi {
  constructor(
    private readonly options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  getEnvironments(): Promise<EnvironmentsResponse> {
    return this.get('/v1/environments');
  }

  getDeployments(entity: CompoundEntityRef): Promise<DeploymentsResponse> {
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    return this.get(`/v1/entities/${path}/deployments`);
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('gitops');
    const response = await this.options.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
