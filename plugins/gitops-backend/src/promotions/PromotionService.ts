import type {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  gitopsApprovePermission,
  gitopsGateOverridePermission,
  gitopsPromotePermission,
  isTerminalPromotionStatus,
  type CreatePromotionRequest,
  type EnvironmentDeployment,
  type Promotion,
  type PromotionPreview,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { EnvironmentConfig, GitopsConfig } from '../config/gitopsConfig';
import type { PromotionStore, StoredPromotion } from '../database/PromotionStore';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import { approvalRefusal, approvalsGiven } from './approvals';
import { authorizeOnEntity } from './authorizeOnEntity';
import { passGates } from './gateOverride';
import { assembleGates, type PromotionGatesSources } from './promotionGates';
import { promotionBlockedBy, toApi } from './promotionModel';
import type { PromotionStarter } from './PromotionStarter';
import { heldMessage, type LineStops } from './LineStops';
import type { SourceChangesReader } from './SourceChangesReader';
import { approverOf, isService, requesterOf } from './requester';
import type { PromotionPlanner } from './targets/PromotionPlanner';
import { imageVersion } from './targets/targetVersions';

export interface PromotionServiceOptions {
  config: GitopsConfig;
  deployments: DeploymentsService;
  store: PromotionStore;
  /** Where gates read evidence and known-bad versions from. */
  gates: PromotionGatesSources;
  starter: PromotionStarter;
  /** Stops of the line: no promotion starts into a stopped environment. */
  lineStops?: Pick<LineStops, 'holding'>;
  /** Where promotions write and the versions they move, by the target's layout. */
  planner: PromotionPlanner;
  /** Lists the source commits a promotion ships, for the preview. */
  sourceChanges?: SourceChangesReader;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  now?: () => Date;
}

type StartRequest = Omit<CreatePromotionRequest, 'entityRef'> & {
  requestedBy: string;
  authorizeOverride?: () => Promise<void>;
};

/**
 * The request side of promotions: preview, create (gates, approvals needed), approve,
 * reject and cancel. The engine moves approved promotions on in the background.
 */
export class PromotionService {
  private readonly now: () => Date;

  constructor(private readonly options: PromotionServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async preview(entity: Entity, from: string, to: string): Promise<PromotionPreview> {
    const environment = this.targetEnvironment(from, to);
    const { source, target } = await this.environments(entity, from, to);
    const planned = await this.options.planner.plan(entity, environment, source, target).then(
      plan => ({ plan }),
      (error: Error) => {
        // Where the write would go cannot be told: the dialog says why, nothing starts.
        if (error instanceof ConflictError || error instanceof InputError) return { refusal: error.message };
        throw error;
      },
    );
    const plan = 'plan' in planned ? planned.plan : undefined;
    const version = plan ? plan.version : imageVersion(source);
    const previousVersion = plan ? plan.previousVersion : imageVersion(target);
    const [gates, changes, stop] = await Promise.all([
      this.gates(entity, environment, source, version?.tag),
      // Source commits are found by the image tags, whatever the promotion moves.
      this.options.sourceChanges?.between(entity, imageVersion(target), imageVersion(source)),
      this.options.lineStops?.holding(to, 'promotion'),
    ]);
    const entityRef = stringifyEntityRef(entity);
    const active = (await this.options.store.list({ entityRef, limit: 50 })).find(
      p => p.to === to && !isTerminalPromotionStatus(p.status),
    );
    return {
      entityRef,
      from,
      to,
      version,
      previousVersion,
      gates,
      requiredApprovals: environment.promotion.approvals.required,
      approverGroups: environment.promotion.approvals.groups,
      changes,
      ...(plan ? { write: plan.write } : {}),
      ...(plan?.diff ? { diff: plan.diff } : {}),
      blockedBy: stop
        ? heldMessage(stop, to)
        : ('refusal' in planned ? planned.refusal : undefined) ??
          promotionBlockedBy(version, previousVersion, active?.id, from, to, plan),
    };
  }

  async create(
    entity: Entity,
    request: Omit<CreatePromotionRequest, 'entityRef'>,
    credentials: BackstageCredentials,
  ): Promise<Promotion> {
    this.targetEnvironment(request.from, request.to);
    const entityRef = stringifyEntityRef(entity);
    await authorizeOnEntity(this.options.permissions, gitopsPromotePermission, entity, credentials, `promote ${entityRef}`);
    const authorizeOverride = () =>
      authorizeOnEntity(this.options.permissions, gitopsGateOverridePermission, entity, credentials, `override the gates of ${entityRef}`);
    const requestedBy = await requesterOf(credentials, this.options.userInfo);
    return this.start(entity, { ...request, requestedBy, authorizeOverride });
  }

  /**
   * A promotion the suite starts itself (continuous deployment): same gates,
   * approvals and engine, recorded as requested by the system; never overrides.
   */
  async createAutomatic(entity: Entity, from: string, to: string, requestedBy: string): Promise<Promotion> {
    return this.start(entity, { from, to, requestedBy, comment: `Continuous deployment from ${from}` });
  }

  private async start(entity: Entity, request: StartRequest): Promise<Promotion> {
    const { from, to } = request;
    const environment = this.targetEnvironment(from, to);
    const { source, target } = await this.environments(entity, from, to);
    const plan = await this.options.planner.plan(entity, environment, source, target);
    const { version, previousVersion } = plan;
    const problem = promotionBlockedBy(version, previousVersion, undefined, from, to, plan);
    if (problem) throw new ConflictError(problem);
    const stop = await this.options.lineStops?.holding(to, 'promotion');
    if (stop) throw new ConflictError(heldMessage(stop, to));
    const { gates, overridden } = await passGates(await this.gates(entity, environment, source, version?.tag), request);
    return this.options.starter.start({
      entityRef: stringifyEntityRef(entity),
      from,
      to,
      version: version!,
      previousVersion,
      requestedBy: request.requestedBy,
      comment: request.comment,
      gates,
      overridden,
      requiredApprovals: environment.promotion.approvals.required,
      approverGroups: environment.promotion.approvals.groups,
      target: plan.target,
    });
  }

  async get(id: string): Promise<Promotion> {
    return toApi(await this.find(id));
  }

  async list(filter: { entityRef?: string; awaitingApprovalBy?: BackstageCredentials }) {
    const promotions = await this.options.store.list({
      entityRef: filter.entityRef,
      statuses: filter.awaitingApprovalBy ? ['awaiting-approval'] : undefined,
    });
    if (!filter.awaitingApprovalBy) return promotions.map(toApi);
    // A service approves nothing, so nothing awaits its approval.
    if (isService(filter.awaitingApprovalBy)) return [];
    const user = await this.options.userInfo.getUserInfo(filter.awaitingApprovalBy);
    return promotions.filter(p => this.refusal(p, user) === undefined).map(toApi);
  }

  async approve(entity: Entity, id: string, credentials: BackstageCredentials, comment?: string) {
    return this.decide(entity, id, credentials, 'approved', comment);
  }

  async reject(entity: Entity, id: string, credentials: BackstageCredentials, comment?: string) {
    return this.decide(entity, id, credentials, 'rejected', comment);
  }

  async cancel(entity: Entity, id: string, credentials: BackstageCredentials) {
    const promotion = await this.find(id);
    await authorizeOnEntity(this.options.permissions, gitopsPromotePermission, entity, credentials, `cancel promotions of ${promotion.entityRef}`);
    const cancelledBy = await requesterOf(credentials, this.options.userInfo);
    const moved = await this.options.store.transition(
      id,
      ['awaiting-approval', 'approved'],
      'cancelled',
      { type: 'cancelled', message: `Cancelled by ${cancelledBy}`, actor: cancelledBy },
      {},
      this.now(),
    );
    if (!moved) {
      throw new ConflictError(`Promotion ${id} is ${promotion.status}: only promotions not yet written can be cancelled`);
    }
    return this.get(id);
  }

  /** The entity of a promotion, for permission checks on it. */
  async entityRefOf(id: string): Promise<string> {
    return (await this.find(id)).entityRef;
  }

  private async decide(
    entity: Entity,
    id: string,
    credentials: BackstageCredentials,
    decision: 'approved' | 'rejected',
    comment?: string,
  ) {
    const promotion = await this.find(id);
    await authorizeOnEntity(this.options.permissions, gitopsApprovePermission, entity, credentials, `approve promotions of ${promotion.entityRef}`);
    if (promotion.status !== 'awaiting-approval') {
      throw new ConflictError(`Promotion ${id} is ${promotion.status}, not awaiting approval`);
    }
    const user = await approverOf(credentials, this.options.userInfo);
    const refusal = this.refusal(promotion, user);
    if (refusal) throw new NotAllowedError(refusal);

    const { store } = this.options;
    const approver = user.userEntityRef;
    await store.addApproval(id, { approver, decision, comment }, this.now());
    if (decision === 'rejected') {
      const message = `Rejected by ${approver}${comment ? `: ${comment}` : ''}`;
      await store.transition(id, ['awaiting-approval'], 'rejected', { type: 'rejected', message, actor: approver }, {}, this.now());
      return this.get(id);
    }
    const approvals = approvalsGiven(await this.find(id));
    const message = `Approved by ${approver} (${approvals}/${promotion.requiredApprovals})`;
    await store.addEvent(id, { type: 'approval', message, actor: approver }, this.now());
    if (approvals >= promotion.requiredApprovals) {
      await store.transition(id, ['awaiting-approval'], 'approved', { type: 'approved', message: 'All required approvals given' }, {}, this.now());
    }
    return this.get(id);
  }

  private refusal(promotion: StoredPromotion, user: { userEntityRef: string; ownershipEntityRefs: string[] }) {
    return approvalRefusal(this.environment(promotion.to)?.promotion.approvals, promotion, user);
  }

  private gates(entity: Entity, environment: EnvironmentConfig, source: EnvironmentDeployment, tag?: string) {
    return assembleGates(this.options.gates, {
      entity,
      target: environment.name,
      gates: environment.promotion.gates,
      source,
      tag,
    });
  }

  private async environments(entity: Entity, from: string, to: string) {
    const view = await this.options.deployments.getDeployments(entity);
    const source = view.environments.find(e => e.name === from)!;
    const target = view.environments.find(e => e.name === to)!;
    return { source, target };
  }

  private targetEnvironment(from: string, to: string): EnvironmentConfig {
    const target = this.environment(to);
    if (!target) throw new InputError(`to: environment '${to}' is not configured`);
    if (!this.environment(from)) throw new InputError(`from: environment '${from}' is not configured`);
    if (target.promotesFrom !== from) {
      throw new InputError(
        target.promotesFrom
          ? `to: ${to} is promoted from ${target.promotesFrom}, not from ${from}`
          : `to: ${to} is not promoted from another environment`,
      );
    }
    return target;
  }

  private environment(name: string) {
    return this.options.config.environments.find(e => e.name === name);
  }

  private async find(id: string): Promise<StoredPromotion> {
    const promotion = await this.options.store.get(id);
    if (!promotion) throw new NotFoundError(`No promotion ${id}`);
    return promotion;
  }
}
