import type {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  gitopsRollbackPermission,
  parseImageRef,
  type EnvironmentDeployment,
  type GateResult,
  type Promotion,
  type RollbackCandidate,
} from '@gitops-suite/backstage-plugin-gitops-common';
import crypto from 'crypto';
import type { EnvironmentConfig, GitopsConfig } from '../config/gitopsConfig';
import type { PromotionStore, PromotionTarget } from '../database/PromotionStore';
import type { DeploymentsService } from '../deployments/DeploymentsService';
import type { GitopsRepositoryWriter } from '@gitops-suite/backstage-plugin-gitops-node';
import { evaluateGates } from './gates';
import type { PromotionEvidence } from './PromotionEvidence';
import { toApi, versionOf } from './PromotionService';
import { versionReader } from './repositoryEdit';
import { requesterOf } from './requester';
import { resolvePromotionTarget } from './resolveTarget';

/** Recorded for each gate a rollback skips, as the evidence of that gate. */
const SKIPPED_BY_CONFIG = 'skipped: a rollback restores a version that ran here before (promotion.rollback.skipGates)';
const NOT_APPLICABLE = 'skipped: a rollback has no source environment, it restores a version that ran here before';

export interface RollbackServiceOptions {
  config: GitopsConfig;
  deployments: DeploymentsService;
  store: PromotionStore;
  writer: GitopsRepositoryWriter;
  /** Findings of the environments, for the gates a rollback does not skip. */
  evidence: PromotionEvidence;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  now?: () => Date;
}

/**
 * GitOps-native rollbacks: an environment goes back to a version it ran before, read
 * from its values file's history in the GitOps repository, written and followed like
 * any promotion (kind `rollback`), under the environment's approval rule.
 */
export class RollbackService {
  private readonly now: () => Date;

  constructor(private readonly options: RollbackServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async candidates(entity: Entity, environment: string): Promise<RollbackCandidate[]> {
    const { target, current, repository } = await this.locate(entity, environment);
    const history = await this.options.writer.history(target, versionReader(target, repository));
    const bad = new Set(
      (await this.options.store.badVersions(stringifyEntityRef(entity), environment)).map(b => b.tag),
    );
    const seen = new Set<string>([current ?? '']);
    const candidates: RollbackCandidate[] = [];
    for (const entry of history) {
      if (seen.has(entry.value)) continue;
      seen.add(entry.value);
      candidates.push({
        tag: entry.value,
        revision: entry.revision,
        committedAt: entry.committedAt,
        message: entry.message,
        ...(bad.has(entry.value) ? { bad: true } : {}),
      });
    }
    return candidates;
  }

  async create(
    entity: Entity,
    request: { environment: string; tag: string; comment?: string },
    credentials: BackstageCredentials,
  ): Promise<Promotion> {
    const entityRef = stringifyEntityRef(entity);
    const [decision] = await this.options.permissions.authorize(
      [{ permission: gitopsRollbackPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed to roll back ${entityRef}`);
    }
    const candidates = await this.candidates(entity, request.environment);
    if (!candidates.some(c => c.tag === request.tag)) {
      throw new InputError(
        `tag: ${request.tag} is not a version ${request.environment} ran before (candidates: ${candidates.map(c => c.tag).join(', ') || 'none'})`,
      );
    }
    return this.start(entity, request.environment, request.tag, {
      requestedBy: await requesterOf(credentials, this.options.userInfo),
      comment: request.comment,
    });
  }

  /**
   * Starts a rollback; `automatic` ones (after a failed promotion) need no approval,
   * since they restore what ran before the failure.
   */
  async start(
    entity: Entity,
    environment: string,
    tag: string,
    by: { requestedBy: string; comment?: string; rollbackOf?: string },
  ): Promise<Promotion> {
    const env = this.environment(environment);
    const { target, source, environments } = await this.locate(entity, environment);
    const gates = await this.gates(entity, env, tag, environments);
    const blocked = gates.find(g => !g.passed);
    if (blocked) throw new ConflictError(`Rollback blocked by ${blocked.gate} (${blocked.evidence})`);
    const current = versionOf(source);
    const required = by.rollbackOf ? 0 : env.promotion.approvals.required;
    const id = crypto.randomUUID();
    await this.options.store.create(
      {
        id,
        kind: 'rollback',
        rollbackOf: by.rollbackOf,
        entityRef: stringifyEntityRef(entity),
        from: environment,
        to: environment,
        version: { tag, repository: current?.repository, image: current?.repository ? `${current.repository}:${tag}` : undefined },
        previousVersion: current,
        requestedBy: by.requestedBy,
        comment: by.comment,
        status: required > 0 ? 'awaiting-approval' : 'approved',
        gates,
        requiredApprovals: required,
        target,
      },
      this.now(),
    );
    return toApi((await this.options.store.get(id))!);
  }

  /**
   * The target environment's gates for going back to `tag`: the configured evidence
   * gates are skipped and recorded as such; the rest are evaluated on an environment
   * that runs `tag` now (failing closed when none does); freeze windows always apply.
   */
  private async gates(
    entity: Entity,
    env: EnvironmentConfig,
    tag: string,
    environments: EnvironmentDeployment[],
  ): Promise<GateResult[]> {
    const { gates, rollback } = env.promotion;
    const skips = new Set<string>(rollback.skipGates);
    const runsTag = environments.find(e => versionOf(e)?.tag === tag);
    const source = runsTag ?? { name: `no environment running ${tag}`, title: '', applications: [], rollouts: [] };
    const evaluatedGates = {
      ...gates,
      requireSourceHealthy: false,
      soakMinutes: skips.has('soak-time') ? undefined : gates.soakMinutes,
      maxCritical: skips.has('vulnerabilities') ? undefined : gates.maxCritical,
      maxHigh: skips.has('vulnerabilities') ? undefined : gates.maxHigh,
      maxPolicyFailures: skips.has('policies') ? undefined : gates.maxPolicyFailures,
      maxExposedSecrets: skips.has('exposed-secrets') ? undefined : gates.maxExposedSecrets,
    };
    const needsFindings = evaluatedGates.maxCritical !== undefined || evaluatedGates.maxHigh !== undefined;
    const needsPolicies = evaluatedGates.maxPolicyFailures !== undefined;
    const needsSecrets = evaluatedGates.maxExposedSecrets !== undefined;
    const [vulnerabilities, policies, exposedSecrets] = await Promise.all([
      runsTag && needsFindings ? this.options.evidence.vulnerabilities(entity, runsTag.name) : undefined,
      runsTag && needsPolicies ? this.options.evidence.policies(entity, runsTag.name) : undefined,
      runsTag && needsSecrets ? this.options.evidence.exposedSecrets(entity, runsTag.name) : undefined,
    ]);
    const evaluated = evaluateGates(evaluatedGates, { source, vulnerabilities, policies, exposedSecrets, now: this.now() });
    const skipped: GateResult[] = [
      gates.requireSourceHealthy ? { gate: 'source-healthy', reason: NOT_APPLICABLE } : undefined,
      gates.soakMinutes !== undefined && skips.has('soak-time') ? { gate: 'soak-time', reason: SKIPPED_BY_CONFIG } : undefined,
      (gates.maxCritical !== undefined || gates.maxHigh !== undefined) && skips.has('vulnerabilities')
        ? { gate: 'vulnerabilities', reason: SKIPPED_BY_CONFIG }
        : undefined,
      gates.maxPolicyFailures !== undefined && skips.has('policies') ? { gate: 'policies', reason: SKIPPED_BY_CONFIG } : undefined,
      gates.maxExposedSecrets !== undefined && skips.has('exposed-secrets')
        ? { gate: 'exposed-secrets', reason: SKIPPED_BY_CONFIG }
        : undefined,
    ]
      .filter((g): g is { gate: string; reason: string } => Boolean(g))
      .map(({ gate, reason }) => ({ gate, passed: true, evidence: reason }));
    return [...skipped, ...evaluated];
  }

  private async locate(entity: Entity, environment: string): Promise<{
    target: PromotionTarget;
    source: EnvironmentDeployment;
    /** Every environment of the entity, for the gates. */
    environments: EnvironmentDeployment[];
    current?: string;
    repository?: string;
  }> {
    const env = this.environment(environment);
    const view = await this.options.deployments.getDeployments(entity);
    const source = view.environments.find(e => e.name === environment)!;
    const target = resolvePromotionTarget(entity, env, source);
    const image = source.version?.image;
    const ref = image ? parseImageRef(image) : undefined;
    return { target, source, environments: view.environments, current: ref?.tag, repository: ref?.repository };
  }

  private environment(name: string) {
    const env = this.options.config.environments.find(e => e.name === name);
    if (!env) throw new InputError(`environment: '${name}' is not configured`);
    return env;
  }
}
