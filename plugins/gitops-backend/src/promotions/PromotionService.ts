import type {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult, type ResourcePermission } from '@backstage/plugin-permission-common';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  gitopsApprovePermission,
  gitopsGateOverridePermission,
  gitopsPromotePermission,
  isTerminalPromotionStatus,
  parseImageRef,
  type CreatePromotionRequest,
  type GateResult,
  type Promotion,
  type PromotionPreview,
  type PromotionVersion,
  type EnvironmentDeployment,
} from '@gitops-suite/backstage-plugin-gitops-common';
import crypto from 'crypto';
import type { EnvironmentConfig, GitopsConfig } from '../config/gitopsConfig';
import type { PromotionStore, StoredPromotion } from '../database/PromotionStore';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import { evaluateGates } from './gates';
import type { PromotionEvidence } from './PromotionEvidence';
import type { SourceChangesReader } from './SourceChangesReader';
import { approverOf, isService, requesterOf } from './requester';
import { resolvePromotionTarget } from './resolveTarget';

/** Raised when gates fail: the router answers 409 with the gate results. */
export class GatesFailedError extends ConflictError {
  constructor(readonly gates: GateResult[]) {
    super(
      `Promotion blocked by ${gates.filter(g => !g.passed).map(g => `${g.gate} (${g.evidence})`).join('; ')}`,
    );
  }
}

export interface PromotionServiceOptions {
  config: GitopsConfig;
  deployments: DeploymentsService;
  store: PromotionStore;
  evidence: PromotionEvidence;
  /** Lists the source commits a promotion ships, for the preview. */
  sourceChanges?: SourceChangesReader;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  notifications?: NotificationService;
  logger: LoggerService;
  now?: () => Date;
}

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
    const version = versionOf(source);
    const previousVersion = versionOf(target);
    const [gates, changes] = await Promise.all([
      this.gates(entity, environment, source),
      this.options.sourceChanges?.between(entity, previousVersion, version),
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
      blockedBy: blockedBy(version, versionOf(target), active?.id, from, to),
    };
  }

  async create(
    entity: Entity,
    request: Omit<CreatePromotionRequest, 'entityRef'>,
    credentials: BackstageCredentials,
  ): Promise<Promotion> {
    this.targetEnvironment(request.from, request.to);
    await this.authorize(gitopsPromotePermission, entity, credentials, `promote ${stringifyEntityRef(entity)}`);
    const mayOverride = async () => {
      await this.authorize(gitopsGateOverridePermission, entity, credentials, `override the gates of ${stringifyEntityRef(entity)}`);
      return true;
    };
    const requestedBy = await requesterOf(credentials, this.options.userInfo);
    return this.start(entity, { ...request, requestedBy, mayOverride });
  }

  /**
   * A promotion the suite starts itself (continuous deployment): same gates,
   * approvals and engine, recorded as requested by the system; never overrides.
   */
  async createAutomatic(entity: Entity, from: string, to: string, requestedBy: string): Promise<Promotion> {
    return this.start(entity, { from, to, requestedBy, comment: `Continuous deployment from ${from}` });
  }

  private async start(
    entity: Entity,
    request: Omit<CreatePromotionRequest, 'entityRef'> & { requestedBy: string; mayOverride?: () => Promise<boolean> },
  ): Promise<Promotion> {
    const { from, to } = request;
    const environment = this.targetEnvironment(from, to);
    const { source, target } = await this.environments(entity, from, to);
    const version = versionOf(source);
    const previousVersion = versionOf(target);
    const problem = blockedBy(version, previousVersion, undefined, from, to);
    if (problem) throw new ConflictError(problem);
    const promotionTarget = resolvePromotionTarget(entity, environment, target);

    let gates = await this.gates(entity, environment, source);
    const failed = gates.filter(g => !g.passed);
    if (failed.length) {
      if (!request.overrideGates || !request.mayOverride) throw new GatesFailedError(gates);
      await request.mayOverride();
      gates = gates.map(g => (g.passed ? g : { ...g, overridden: true }));
    }

    const required = environment.promotion.approvals.required;
    const id = crypto.randomUUID();
    await this.options.store.create(
      {
        id,
        entityRef: stringifyEntityRef(entity),
        from,
        to,
        version: version!,
        previousVersion,
        requestedBy: request.requestedBy,
        comment: request.comment,
        status: required > 0 ? 'awaiting-approval' : 'approved',
        gates,
        requiredApprovals: required,
        target: promotionTarget,
      },
      this.now(),
      // Recorded with the promotion itself: no promotion past a failed gate without it.
      failed.length ? [overrideEvent(request.requestedBy, failed)] : [],
    );
    const promotion = (await this.options.store.get(id))!;
    if (required > 0) await this.notifyApprovers(promotion, environment);
    return toApi(promotion);
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
    return promotions
      .filter(p => this.mayApprove(p, user.userEntityRef, user.ownershipEntityRefs) === undefined)
      .map(toApi);
  }

  async approve(entity: Entity, id: string, credentials: BackstageCredentials, comment?: string) {
    return this.decide(entity, id, credentials, 'approved', comment);
  }

  async reject(entity: Entity, id: string, credentials: BackstageCredentials, comment?: string) {
    return this.decide(entity, id, credentials, 'rejected', comment);
  }

  async cancel(entity: Entity, id: string, credentials: BackstageCredentials) {
    const promotion = await this.find(id);
    await this.authorize(gitopsPromotePermission, entity, credentials, `cancel promotions of ${promotion.entityRef}`);
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
    await this.authorize(gitopsApprovePermission, entity, credentials, `approve promotions of ${promotion.entityRef}`);
    if (promotion.status !== 'awaiting-approval') {
      throw new ConflictError(`Promotion ${id} is ${promotion.status}, not awaiting approval`);
    }
    const user = await approverOf(credentials, this.options.userInfo);
    const refusal = this.mayApprove(promotion, user.userEntityRef, user.ownershipEntityRefs);
    if (refusal) throw new NotAllowedError(refusal);

    await this.options.store.addApproval(id, { approver: user.userEntityRef, decision, comment }, this.now());
    if (decision === 'rejected') {
      await this.options.store.transition(id, ['awaiting-approval'], 'rejected', {
        type: 'rejected', message: `Rejected by ${user.userEntityRef}${comment ? `: ${comment}` : ''}`, actor: user.userEntityRef,
      }, {}, this.now());
    } else {
      const approvals = (await this.find(id)).approvals.filter(a => a.decision === 'approved').length;
      await this.options.store.addEvent(id, {
        type: 'approval', message: `Approved by ${user.userEntityRef} (${approvals}/${promotion.requiredApprovals})`, actor: user.userEntityRef,
      }, this.now());
      if (approvals >= promotion.requiredApprovals) {
        await this.options.store.transition(id, ['awaiting-approval'], 'approved', {
          type: 'approved', message: 'All required approvals given',
        }, {}, this.now());
      }
    }
    return this.get(id);
  }

  /** Why this user may not decide on the promotion, or undefined when they may. */
  private mayApprove(promotion: StoredPromotion, user: string, ownership: string[]): string | undefined {
    const rule = this.environment(promotion.to)?.promotion.approvals;
    if (!rule) return `environment ${promotion.to} is no longer configured`;
    if (promotion.requestedBy === user && !rule.allowSelfApproval) {
      return 'You requested this promotion: another person must approve it';
    }
    if (promotion.approvals.some(a => a.approver === user)) return 'You have already decided on this promotion';
    if (rule.groups.length && !rule.groups.some(group => ownership.includes(group))) {
      return `Only members of ${rule.groups.join(', ')} may approve promotions to ${promotion.to}`;
    }
    return undefined;
  }

  private async gates(entity: Entity, environment: EnvironmentConfig, source: EnvironmentDeployment) {
    const { gates } = environment.promotion;
    const needsFindings = gates.maxCritical !== undefined || gates.maxHigh !== undefined;
    const needsPolicies = gates.maxPolicyFailures !== undefined;
    const needsSecrets = gates.maxExposedSecrets !== undefined;
    const [vulnerabilities, policies, exposedSecrets] = await Promise.all([
      needsFindings ? this.options.evidence.vulnerabilities(entity, source.name) : undefined,
      needsPolicies ? this.options.evidence.policies(entity, source.name) : undefined,
      needsSecrets ? this.options.evidence.exposedSecrets(entity, source.name) : undefined,
    ]);
    const results = evaluateGates(gates, { source, vulnerabilities, policies, exposedSecrets, now: this.now() });
    const tag = versionOf(source)?.tag;
    const bad = (await this.options.store.badVersions(stringifyEntityRef(entity), environment.name)).find(b => b.tag === tag);
    if (bad) {
      results.push({
        gate: 'known-bad',
        passed: false,
        evidence: `${tag} failed in ${environment.name} before (promotion ${bad.promotionId}${bad.reason ? `: ${bad.reason}` : ''})`,
      });
    }
    return results;
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

  private async authorize(
    permission: ResourcePermission<'catalog-entity'>,
    entity: Entity,
    credentials: BackstageCredentials,
    what: string,
  ) {
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: stringifyEntityRef(entity) }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) throw new NotAllowedError(`Not allowed to ${what}`);
  }

  private async notifyApprovers(promotion: StoredPromotion, environment: EnvironmentConfig) {
    const groups = environment.promotion.approvals.groups;
    if (!this.options.notifications || !groups.length) return;
    try {
      await this.options.notifications.send({
        recipients: {
          type: 'entity',
          entityRef: groups,
          // A service or the system requester is no entity to leave out.
          ...(promotion.requestedBy.startsWith('user:') ? { excludeEntityRef: promotion.requestedBy } : {}),
        },
        payload: {
          title: `Approve ${promotion.entityRef} ${promotion.version.tag} to ${promotion.to}?`,
          description: `${promotion.requestedBy} asks to promote ${promotion.version.tag} from ${promotion.from} to ${promotion.to}.`,
          link: `/catalog/${promotion.entityRef.replace(/^(\w+):(.+)\/(.+)$/, '$2/$1/$3')}/deployments`,
          severity: 'high',
          topic: 'gitops-promotion-approval',
        },
      });
    } catch (error) {
      this.options.logger.warn(`Could not notify approvers of promotion ${promotion.id}: ${error}`);
    }
  }
}

export function versionOf(env?: EnvironmentDeployment): PromotionVersion | undefined {
  const image = env?.version?.image;
  if (!image) return undefined;
  const parsed = parseImageRef(image);
  if (!parsed.tag) return undefined;
  return {
    image,
    repository: parsed.repository,
    tag: parsed.tag,
    digest: parsed.digest ?? env?.version?.digest,
    revision: env?.version?.revision,
  };
}

function blockedBy(
  version: PromotionVersion | undefined,
  previous: PromotionVersion | undefined,
  activeId: string | undefined,
  from: string,
  to: string,
): string | undefined {
  if (!version) return `${from} runs no tagged version to promote`;
  if (previous?.tag === version.tag) return `${to} already runs ${version.tag}`;
  if (activeId) return `Promotion ${activeId} to ${to} is still active`;
  return undefined;
}

/** The event that records who let a promotion past which failed gates. */
function overrideEvent(requestedBy: string, failed: GateResult[]) {
  return {
    type: 'gates-overridden',
    message: `${requestedBy} overrode the failed gates: ${failed.map(g => `${g.gate} (${g.evidence})`).join('; ')}`,
    actor: requestedBy,
  };
}

/** The API view of a stored promotion. */
export function toApi(promotion: StoredPromotion): Promotion {
  const { target: _target, ...rest } = promotion;
  return rest;
}
