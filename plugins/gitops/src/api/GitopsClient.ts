import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  DeploymentsResponse,
  EnvironmentsResponse,
  RolloutAction,
  RolloutSummary,
  CreatePromotionRequest,
  GateResult,
  Promotion,
  PromotionPreview,
  PoliciesResponse,
  VulnerabilitiesResponse,
  CreateRollbackRequest,
  RollbackCandidate,
  FleetFilter,
  FleetResponse,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsApi } from './GitopsApi';

/** A promotion was refused because gates failed; carries each gate's evidence. @public */
export class GatesFailedError extends Error {
  constructor(
    message: string,
    readonly gates: GateResult[],
  ) {
    super(message);
    this.name = 'GatesFailedError';
  }
}

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

  getVulnerabilities(entity: CompoundEntityRef, environment: string): Promise<VulnerabilitiesResponse> {
    return this.get(`${entityPath(entity)}/vulnerabilities?${new URLSearchParams({ environment })}`);
  }

  getPolicies(entity: CompoundEntityRef, environment: string): Promise<PoliciesResponse> {
    return this.get(`${entityPath(entity)}/policies?${new URLSearchParams({ environment })}`);
  }

  getFleet(filter: FleetFilter): Promise<FleetResponse> {
    const query = new URLSearchParams(
      Object.entries(filter).filter((entry): entry is [string, string] => Boolean(entry[1])),
    );
    return this.get(`/v1/fleet${query.size ? `?${query}` : ''}`);
  }

  argoCdRollback(
    entity: CompoundEntityRef,
    request: { environment: string; application: string; historyId: number },
  ): Promise<{ application: string; historyId: number; revision?: string }> {
    return this.send('POST', `${entityPath(entity)}/argocd-rollback`, request);
  }

  async getRollbackCandidates(entity: CompoundEntityRef, environment: string): Promise<RollbackCandidate[]> {
    const { items } = await this.get<{ items: RollbackCandidate[] }>(
      `${entityPath(entity)}/rollback-candidates?${new URLSearchParams({ environment })}`,
    );
    return items;
  }

  createRollback(request: CreateRollbackRequest): Promise<Promotion> {
    return this.send('POST', '/v1/rollbacks', request);
  }

  previewPromotion(request: CreatePromotionRequest): Promise<PromotionPreview> {
    return this.send('POST', '/v1/promotions/preview', request);
  }

  async createPromotion(request: CreatePromotionRequest): Promise<Promotion> {
    const response = await this.fetch('POST', '/v1/promotions', request);
    if (response.status === 409) {
      const body = await response.clone().json().catch(() => undefined);
      if (body?.gates) throw new GatesFailedError(body.error.message, body.gates);
    }
    return this.parse(response);
  }

  async listPromotions(filter: { entityRef?: string; awaitingMyApproval?: boolean }): Promise<Promotion[]> {
    const query = new URLSearchParams();
    if (filter.entityRef) query.set('entityRef', filter.entityRef);
    if (filter.awaitingMyApproval) query.set('awaitingMyApproval', 'true');
    const { items } = await this.get<{ items: Promotion[] }>(`/v1/promotions?${query}`);
    return items;
  }

  getPromotion(id: string): Promise<Promotion> {
    return this.get(`/v1/promotions/${encodeURIComponent(id)}`);
  }

  decidePromotion(id: string, decision: 'approve' | 'reject' | 'cancel', comment?: string): Promise<Promotion> {
    return this.send('POST', `/v1/promotions/${encodeURIComponent(id)}/${decision}`, comment ? { comment } : {});
  }

  private get<T>(path: string): Promise<T> {
    return this.send('GET', path);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.parse(await this.fetch(method, path, body));
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('gitops');
    return this.options.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
  }

  private async parse<T>(response: Response): Promise<T> {
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}

function entityPath(entity: CompoundEntityRef): string {
  const parts = [entity.kind, entity.namespace, entity.name].map(encodeURIComponent);
  return `/v1/entities/${parts.join('/')}`;
}
