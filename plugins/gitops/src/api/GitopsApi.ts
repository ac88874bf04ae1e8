import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
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

/**
 * Client of the `gitops` backend plugin (`/api/gitops`).
 *
 * @remarks
 * Every call rejects with a `ResponseError` (from `@backstage/errors`) when the
 * backend answers with a non-2xx status: 400 for invalid input, 403 when the
 * permission framework denies it, 404 for an unknown entity or promotion, 409 for a
 * conflicting state. Routes are relative to the plugin's base URL, and `{kind}`,
 * `{namespace}` and `{name}` are the parts of the entity's reference.
 *
 * @public
 */
export interface GitopsApi {
  /**
   * The configured environments, in promotion order.
   *
   * `GET /v1/environments`
   */
  getEnvironments(): Promise<EnvironmentsResponse>;

  /**
   * Every environment of the entity side by side: its Argo CD applications, the
   * version running, rollouts in flight and findings counts, with the errors of any
   * source that could not be read.
   *
   * `GET /v1/entities/{kind}/{namespace}/{name}/deployments`. Rejects with 403
   * when the caller may not read the entity's deployments, 404 when the entity is
   * not in the catalog.
   */
  getDeployments(entity: CompoundEntityRef): Promise<DeploymentsResponse>;

  /**
   * Runs a rollout control (promote, promote-full, abort, retry, pause, restart)
   * on one of the entity's Argo Rollouts and resolves to the rollout after it.
   *
   * `POST /v1/entities/{kind}/{namespace}/{name}/rollouts/{action}` with the
   * target as body. Rejects with 403 without the rollout-control permission, 404
   * when the rollout is not the entity's, 409 when the action does not apply to
   * the rollout's current state.
   */
  runRolloutAction(
    entity: CompoundEntityRef,
    action: RolloutAction,
    target: { environment: string; namespace: string; name: string },
  ): Promise<RolloutSummary>;

  /**
   * Syncs (with prune, dry run or a revision), refreshes, hard-refreshes, or terminates
   * the running operation of one of the entity's Argo CD applications, through Argo CD,
   * and resolves to the application as Argo CD answered.
   *
   * `POST /v1/entities/{kind}/{namespace}/{name}/applications/{action}`. Rejects with
   * 403 without the sync permission (or when Argo CD's RBAC refuses), 404 when the
   * application is not the entity's in that environment, 409 when an operation runs
   * already or a sync to another revision than git's would fight an active promotion.
   */
  runApplicationAction(
    entity: CompoundEntityRef,
    action: ApplicationAction,
    request: ApplicationActionRequest,
  ): Promise<ApplicationSummary>;

  /**
   * The stops of the line that hold now (oldest first) and the latest ones, lifted
   * ones included (newest first).
   *
   * `GET /v1/line-stops`
   */
  listLineStops(): Promise<{ active: LineStop[]; recent: LineStop[] }>;

  /**
   * Stops the line into an environment (or `*`, all): no promotion starts or is written
   * there until the stop is lifted.
   *
   * `POST /v1/line-stops` (201). Rejects with 400 for an environment not configured, 403
   * without `gitops.line.stop`, 409 when that environment is stopped already.
   */
  stopLine(request: CreateLineStopRequest): Promise<LineStop>;

  /**
   * Lifts a stop of the line. `POST /v1/line-stops/{id}/lift`. Rejects with 403 without
   * `gitops.line.stop`, 404 for an unknown stop, 409 for one lifted already.
   */
  liftLineStop(id: string): Promise<LineStop>;

  /**
   * Trivy findings of the entity's workloads in one environment (from the Trivy
   * Operator, else from scans uploaded by CI).
   *
   * `GET /v1/entities/{kind}/{namespace}/{name}/vulnerabilities?environment=`
   */
  getVulnerabilities(entity: CompoundEntityRef, environment: string): Promise<VulnerabilitiesResponse>;

  /**
   * Kyverno policy results of the entity's workloads in one environment, each
   * with whether its policy enforces or audits.
   *
   * `GET /v1/entities/{kind}/{namespace}/{name}/policies?environment=`
   */
  getPolicies(entity: CompoundEntityRef, environment: string): Promise<PoliciesResponse>;

  /**
   * Secrets Trivy Operator found in the images of the entity's workloads in one
   * environment, each with the workloads and containers running the image.
   *
   * `GET /v1/entities/{kind}/{namespace}/{name}/exposed-secrets?environment=`
   */
  getExposedSecrets(entity: CompoundEntityRef, environment: string): Promise<ExposedSecretsResponse>;

  /**
   * Trivy Operator's failing configuration checks of the entity's workloads in one
   * environment.
   *
   * `GET /v1/entities/{kind}/{namespace}/{name}/config-audits?environment=`
   */
  getConfigAudits(entity: CompoundEntityRef, environment: string): Promise<ConfigAuditsResponse>;

  /**
   * Every annotated entity the caller may read, across every environment
   * (version, sync, health, drift, risk), optionally narrowed by owner, system or
   * kind; empty filter values are not sent. With `findings`, each environment also
   * carries its critical/high vulnerabilities, policy failures and exposed secrets,
   * and the risk counts them.
   *
   * `GET /v1/fleet?owner=&system=&kind=&findings=`
   */
  getFleet(filter: FleetFilter, options?: { findings?: boolean }): Promise<FleetResponse>;

  /**
   * Delivery insights (the four DORA measures) over the last 7, 30 or 90 days (default
   * 30): with `entityRef`, that entity per environment (`items`); without it, the
   * readable fleet pooled, by owner and by system.
   *
   * `GET /v1/insights?entityRef=&environment=&days=`
   */
  getInsights(query: { entityRef?: string; environment?: string; days?: 7 | 30 | 90 }): Promise<InsightsResponse>;

  /**
   * Argo CD's own rollback of one of the entity's applications to an entry of its
   * `status.history`.
   *
   * `POST /v1/entities/{kind}/{namespace}/{name}/argocd-rollback`. Rejects with
   * 403 without the rollback permission, 409 when the application syncs
   * automatically (Argo CD would undo the rollback).
   */
  argoCdRollback(
    entity: CompoundEntityRef,
    request: { environment: string; application: string; historyId: number },
  ): Promise<{ application: string; historyId: number; revision?: string }>;

  /**
   * Versions the environment ran before, newest first, from the history of its
   * values file in the GitOps repository.
   *
   * `GET /v1/entities/{kind}/{namespace}/{name}/rollback-candidates?environment=`
   * (resolves to the response's `items`).
   */
  getRollbackCandidates(entity: CompoundEntityRef, environment: string): Promise<RollbackCandidate[]>;

  /**
   * Rolls an environment back to a version it ran before: a promotion of kind
   * `rollback`, with the same approvals and history as a promotion.
   *
   * `POST /v1/rollbacks` (201). Rejects with 400 when `tag` is not a version the
   * environment ran before, 403 without the rollback permission (or without the
   * override permission when `overrideGates` is set), a `GatesFailedError` when a
   * gate blocks it (a known-bad version among them), and 409 when another promotion
   * of the environment is active.
   */
  createRollback(request: CreateRollbackRequest): Promise<Promotion>;

  /**
   * What a promotion would do, without doing it: the version change, each gate's
   * result, the approvals required and the source commits between the versions.
   *
   * `POST /v1/promotions/preview`
   */
  previewPromotion(request: CreatePromotionRequest): Promise<PromotionPreview>;

  /**
   * Starts a promotion of the version running in `from` to `to`.
   *
   * `POST /v1/promotions` (201). When gates block it (409 with gate results) it
   * rejects with an error named `GatesFailedError` whose `gates` holds each gate's
   * result and evidence; any other failure, such as a promotion already active
   * (409 without gates), rejects with a `ResponseError`.
   */
  createPromotion(request: CreatePromotionRequest): Promise<Promotion>;

  /**
   * Promotions, newest first: the history of one entity (`entityRef`), the ones
   * awaiting the caller's approval (`awaitingMyApproval`), or both; only those of
   * entities the caller may read.
   *
   * `GET /v1/promotions?entityRef=&awaitingMyApproval=true` (resolves to the
   * response's `items`).
   */
  listPromotions(filter: { entityRef?: string; awaitingMyApproval?: boolean }): Promise<Promotion[]>;

  /**
   * One promotion with its gates, approvals, commit and events.
   *
   * `GET /v1/promotions/{id}`. Rejects with 404 for an unknown id.
   */
  getPromotion(id: string): Promise<Promotion>;

  /**
   * Approves, rejects or cancels a promotion, with an optional comment, and
   * resolves to the promotion after the decision.
   *
   * `POST /v1/promotions/{id}/{decision}` (the comment is not recorded for
   * `cancel`). Rejects with 403 when the caller may not approve (no approve
   * permission, or refused by the environment's approval rules), 409 when the
   * promotion is no longer awaiting approval, or, for `cancel`, is already written.
   */
  decidePromotion(id: string, decision: 'approve' | 'reject' | 'cancel', comment?: string): Promise<Promotion>;
}

/**
 * The reference to the {@link GitopsApi}, implemented by {@link GitopsClient} in
 * the plugin's API factory; use it with `useApi` or to override the client.
 *
 * @public
 */
export const gitopsApiRef = createApiRef<GitopsApi>({ id: 'plugin.gitops.api' });
