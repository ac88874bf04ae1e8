import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  CreateLineStopRequest,
  LineStop,
  ApplicationAction,
  ApplicationActionRequest,
  ApplicationSummary,
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
  ExposedSecretsResponse,
  ConfigAuditsResponse,
  CreateRollbackRequest,
  RollbackCandidate,
  FleetFilter,
  FleetResponse,
  InsightsResponse,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsApi } from './GitopsApi';

/**
 * A promotion was refused because gates failed (a 409 from `POST /v1/promotions`
 * with the gate results); carries each gate's result and evidence.
 *
 * @internal
 */
export class GatesFailedError extends Error {
  constructor(
    message: string,
    readonly gates: GateResult[],
  ) {
    super(message);
    this.name = 'GatesFailedError';
  }
}

/**
 * The {@link GitopsApi} over HTTP: talks to the `gitops` backend (`/api/gitops`)
 * through the app's discovery and (authenticated) fetch.
 *
 * @public
 */
export class GitopsClient implements GitopsApi {
  /**
   * @param options - `discoveryApi` resolves the backend's base URL (plugin id
   * `gitops`); `fetchApi` sends the requests with the user's credentials.
   */
  constructor(
    private readonly options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  /** {@inheritDoc GitopsApi.getEnvironments} */
  getEnvironments(): Promise<EnvironmentsResponse> {
    return this.get('/v1/environments');
  }

  /** {@inheritDoc GitopsApi.getDeployments} */
  getDeployments(entity: CompoundEntityRef): Promise<DeploymentsResponse> {
    return this.get(`${entityPath(entity)}/deployments`);
  }

  /** {@inheritDoc GitopsApi.runApplicationAction} */
  runApplicationAction(
    entity: CompoundEntityRef,
    action: ApplicationAction,
    request: ApplicationActionRequest,
  ): Promise<ApplicationSummary> {
    return this.send('POST', `${entityPath(entity)}/applications/${encodeURIComponent(action)}`, request);
  }

  /** {@inheritDoc GitopsApi.listLineStops} */
  listLineStops(): Promise<{ active: LineStop[]; recent: LineStop[] }> {
    return this.get('/v1/line-stops');
  }

  /** {@inheritDoc GitopsApi.stopLine} */
  stopLine(request: CreateLineStopRequest): Promise<LineStop> {
    return this.send('POST', '/v1/line-stops', request);
  }

  /** {@inheritDoc GitopsApi.liftLineStop} */
  liftLineStop(id: string): Promise<LineStop> {
    return this.send('POST', `/v1/line-stops/${encodeURIComponent(id)}/lift`);
  }

  /** {@inheritDoc GitopsApi.runRolloutAction} */
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

  /** {@inheritDoc GitopsApi.getVulnerabilities} */
  getVulnerabilities(entity: CompoundEntityRef, environment: string): Promise<VulnerabilitiesResponse> {
    return this.get(`${entityPath(entity)}/vulnerabilities?${new URLSearchParams({ environment })}`);
  }

  /** {@inheritDoc GitopsApi.getPolicies} */
  getPolicies(entity: CompoundEntityRef, environment: string): Promise<PoliciesResponse> {
    return this.get(`${entityPath(entity)}/policies?${new URLSearchParams({ environment })}`);
  }

  /** {@inheritDoc GitopsApi.getExposedSecrets} */
  getExposedSecrets(entity: CompoundEntityRef, environment: string): Promise<ExposedSecretsResponse> {
    return this.get(`${entityPath(entity)}/exposed-secrets?${new URLSearchParams({ environment })}`);
  }

  /** {@inheritDoc GitopsApi.getConfigAudits} */
  getConfigAudits(entity: CompoundEntityRef, environment: string): Promise<ConfigAuditsResponse> {
    return this.get(`${entityPath(entity)}/config-audits?${new URLSearchParams({ environment })}`);
  }

  /** {@inheritDoc GitopsApi.getFleet} */
  getFleet(filter: FleetFilter, options: { findings?: boolean } = {}): Promise<FleetResponse> {
    const query = new URLSearchParams(
      Object.entries(filter).filter((entry): entry is [string, string] => Boolean(entry[1])),
    );
    if (options.findings) query.set('findings', 'true');
    return this.get(`/v1/fleet${query.size ? `?${query}` : ''}`);
  }

  /** {@inheritDoc GitopsApi.getInsights} */
  getInsights(query: { entityRef?: string; environment?: string; days?: 7 | 30 | 90 }): Promise<InsightsResponse> {
    const params = new URLSearchParams();
    if (query.entityRef) params.set('entityRef', query.entityRef);
    if (query.environment) params.set('environment', query.environment);
    if (query.days) params.set('days', String(query.days));
    return this.get(`/v1/insights${params.size ? `?${params}` : ''}`);
  }

  /** {@inheritDoc GitopsApi.argoCdRollback} */
  argoCdRollback(
    entity: CompoundEntityRef,
    request: { environment: string; application: string; historyId: number },
  ): Promise<{ application: string; historyId: number; revision?: string }> {
    return this.send('POST', `${entityPath(entity)}/argocd-rollback`, request);
  }

  /** {@inheritDoc GitopsApi.getRollbackCandidates} */
  async getRollbackCandidates(entity: CompoundEntityRef, environment: string): Promise<RollbackCandidate[]> {
    const { items } = await this.get<{ items: RollbackCandidate[] }>(
      `${entityPath(entity)}/rollback-candidates?${new URLSearchParams({ environment })}`,
    );
    return items;
  }

  /** {@inheritDoc GitopsApi.createRollback} */
  async createRollback(request: CreateRollbackRequest): Promise<Promotion> {
    return this.createdOrGatesFailed(await this.fetch('POST', '/v1/rollbacks', request));
  }

  /** {@inheritDoc GitopsApi.previewPromotion} */
  previewPromotion(request: CreatePromotionRequest): Promise<PromotionPreview> {
    return this.send('POST', '/v1/promotions/preview', request);
  }

  /** {@inheritDoc GitopsApi.createPromotion} */
  async createPromotion(request: CreatePromotionRequest): Promise<Promotion> {
    return this.createdOrGatesFailed(await this.fetch('POST', '/v1/promotions', request));
  }

  /** A 409 with gate results is a GatesFailedError (the dialogs show each gate); else as usual. */
  private async createdOrGatesFailed(response: Response): Promise<Promotion> {
    if (response.status === 409) {
      const body = await response.clone().json().catch(() => undefined);
      if (body?.gates) throw new GatesFailedError(body.error.message, body.gates);
    }
    return this.parse(response);
  }

  /** {@inheritDoc GitopsApi.listPromotions} */
  async listPromotions(filter: { entityRef?: string; awaitingMyApproval?: boolean }): Promise<Promotion[]> {
    const query = new URLSearchParams();
    if (filter.entityRef) query.set('entityRef', filter.entityRef);
    if (filter.awaitingMyApproval) query.set('awaitingMyApproval', 'true');
    const { items } = await this.get<{ items: Promotion[] }>(`/v1/promotions?${query}`);
    return items;
  }

  /** {@inheritDoc GitopsApi.getPromotion} */
  getPromotion(id: string): Promise<Promotion> {
    return this.get(`/v1/promotions/${encodeURIComponent(id)}`);
  }

  /** {@inheritDoc GitopsApi.decidePromotion} */
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
