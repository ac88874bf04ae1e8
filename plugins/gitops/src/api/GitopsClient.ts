import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  DeploymentsResponse,
  EnvironmentsResponse,
  RolloutAction,
  RolloutSummary,
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
    return this.get(`${entityPath(entity)}/deployments`);
  }

  runRolloutAction(
    entity: CompoundEntityRef,
    action: RolloutAction,
    target: { environment: string; namespace: string; name: string },
  ): Promise<RolloutSummary> {
    return this.send(
      'POST',
      `${entityPath(entity)}/rollouts/${encodeURIComponent(action)}`,
      target,
    );
  }

  private get<T>(path: string): Promise<T> {
    return this.send('GET', path);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('gitops');
    const response = await this.options.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}

function entityPath(entity: CompoundEntityRef): string {
  const parts = [entity.kind, entity.namespace, entity.name].map(encodeURIComponent);
  return `/v1/entities/${parts.join('/')}`;
}
