import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { ArgoCdClient } from '../argocd/ArgoCdClient';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { PromotionStore, StoredPromotion } from '../database/PromotionStore';
import type { Inventory } from '../inventory/Inventory';
import type { GitopsRepositoryWriter, PullRequest, PullRequestProvider } from '@gitops-suite/backstage-plugin-gitops-node';
import { commitMessage } from './commitMessage';
import { engineError, saysAlready, stepFailed, type EngineEvent } from './engineEvents';
import { heldMessage, type LineStops } from './LineStops';
import { PromotionLease } from './PromotionLease';
import {
  DEFAULT_PULL_REQUEST_TIMEOUT_MINUTES,
  pullRequestBranch,
  pullRequestNumber,
  pullRequestTimedOut,
  pullRequestTimeoutReason,
} from './pullRequestTimeout';
import { repositoryEdit } from './repositoryEdit';
import { verifyDeployment } from './verifyDeployment';

const MAX_WRITE_ATTEMPTS = 5;
const DEFAULT_LEASE_MS = 120_000;
/** Steps one run works at most, over all of its lanes. */
const MAX_STEPS_PER_RUN = 20;
/** Promotions one engine works at once by default (see `concurrency`). */
export const DEFAULT_ENGINE_CONCURRENCY = 4;

type Patch = { commitSha?: string; pullRequestUrl?: string; failureReason?: string };

export interface PromotionEngineOptions {
  config: GitopsConfig;
  store: PromotionStore;
  writer: GitopsRepositoryWriter;
  inventory: Pick<Inventory, 'index'>;
  clients: Map<string, ArgoCdClient>;
  logger: LoggerService;
  workerId: string;
  /** Open and follow pull requests for environments written with `method: pull-request`. */
  pullRequests?: PullRequestProvider[];
  /**
   * How long a claimed promotion stays leased to this worker without a renewal
   * (default 2 minutes). The lease is renewed while the worker works on it, so this
   * only bounds how long a replica that died mid-step keeps it from the others.
   */
  leaseMs?: number;
  /**
   * How many promotions this engine works at once, each on its own lease (default 4).
   * Writes to one GitOps branch made at once share a fetch and a push (the writer's
   * group commit), so promotions queued behind each other do not wait a push each.
   */
  concurrency?: number;
  now?: () => Date;
  /** Stops of the line: an approved promotion into a stopped environment waits, unwritten. */
  lineStops?: Pick<LineStops, 'holding'>;
  /** Called once when a promotion fails verification (marks it bad, may roll back). */
  onVerificationFailed?(promotion: StoredPromotion, reason: string): Promise<void>;
  /**
   * Called once when a promotion or rollback ends, succeeded or failed (notifies the
   * requester and the owners). What it throws is logged, never fails the promotion.
   */
  onFinished?(promotion: StoredPromotion, outcome: 'succeeded' | 'failed'): Promise<void>;
}

/**
 * Moves approved promotions forward, one step per run, from the state stored in the
 * database: approved -> writing -> (pull-request-open ->) committed -> syncing ->
 * succeeded | failed. Runs as a scheduled task on every replica; a promotion is leased
 * to one worker at a time and its lease renewed while that worker works on it, every
 * transition is made only by the lease holder, and every step is safe to repeat (the
 * git write finds its own commit), so a restart or a second replica neither loses nor
 * repeats a promotion. Every error of a step is recorded on the promotion.
 */
export class PromotionEngine {
  private readonly now: () => Date;

  constructor(private readonly options: PromotionEngineOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async runOnce(): Promise<void> {
    const worked: string[] = [];
    // Each lane claims, works and gives back one promotion at a time; the claim is a
    // compare-and-swap in the database, so lanes never share one, as replicas do not.
    const lane = async () => {
      while (worked.length < MAX_STEPS_PER_RUN) {
        const lease = await PromotionLease.claimNext(this.leaseOptions(), worked);
        if (!lease) return;
        worked.push(lease.id);
        try {
          await this.work(lease);
        } finally {
          await lease.end();
        }
      }
    };
    const lanes = Math.max(1, this.options.concurrency ?? DEFAULT_ENGINE_CONCURRENCY);
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  private leaseOptions() {
    const { store, workerId, logger } = this.options;
    return { store, worker: workerId, leaseMs: this.options.leaseMs ?? DEFAULT_LEASE_MS, now: this.now, logger };
  }

  /** One step of the leased promotion; what goes wrong is recorded on it, never thrown. */
  private async work(lease: PromotionLease) {
    let promotion: StoredPromotion | undefined;
    try {
      promotion = await this.options.store.get(lease.id);
      if (promotion) await this.advance(promotion, lease);
    } catch (error) {
      this.options.logger.error(`Promotion ${lease.id} could not advance: ${error}`);
      if (promotion) await this.record(promotion, stepFailed(promotion.status, error));
    }
  }

  private async advance(promotion: StoredPromotion, lease: PromotionLease): Promise<void> {
    switch (promotion.status) {
      case 'approved':
        if (await this.held(promotion)) return;
        if (await this.move(promotion, ['approved'], 'writing', 'writing',
          `Writing ${promotion.version.tag} to ${promotion.target.file} on ${promotion.target.branch} of ${promotion.target.repoURL}`)) {
          await this.write({ ...promotion, status: 'writing' }, lease);
        }
        return;
      case 'writing':
        await this.write(promotion, lease);
        return;
      case 'pull-request-open':
        await this.followPullRequest(promotion);
        return;
      case 'committed':
        await this.move(promotion, ['committed'], 'syncing', 'syncing',
          `Waiting for Argo CD application ${promotion.target.appName} to sync ${promotion.commit?.sha.slice(0, 7)} and become healthy`);
        return;
      case 'syncing':
        await this.verify(promotion);
        return;
      default:
        return;
    }
  }

  /**
   * Whether a stop of the line holds the promotion before it is written: it stays
   * approved, saying why once, and moves on when the stop is lifted. A promotion
   * written already is followed to its end: stopping the line does not strand it.
   */
  private async held(promotion: StoredPromotion): Promise<boolean> {
    const stop = await this.options.lineStops?.holding(promotion.to, promotion.kind === 'rollback' ? 'rollback' : 'promotion');
    if (!stop) return false;
    const message = heldMessage(stop, promotion.to, promotion.kind === 'rollback' ? 'rollback' : 'promotion');
    if (promotion.events.at(-1)?.message !== message) {
      await this.options.store.addEvent(promotion.id, { type: 'held', message }, this.now());
    }
    return true;
  }

  private async write(promotion: StoredPromotion, lease: PromotionLease) {
    const { target, version } = promotion;
    let pullRequests: PullRequestProvider | undefined;
    let result;
    try {
      pullRequests = target.method === 'pull-request' ? this.pullRequestProvider(target.repoURL) : undefined;
      result = await this.options.writer.write({
        repoURL: target.repoURL,
        branch: target.branch,
        pushBranch: pullRequests ? pullRequestBranch(promotion) : undefined,
        trailer: { key: 'Promotion-Id', value: promotion.id },
        message: commitMessage(promotion),
        edit: repositoryEdit(promotion),
      });
    } catch (error) {
      await this.writeFailed(promotion, error as Error);
      return;
    }
    if (result.unchanged) {
      await this.move(promotion, ['writing'], 'committed', 'committed',
        `${target.file} already holds ${version.tag}; nothing to commit (at ${result.sha.slice(0, 7)})`, { commitSha: result.sha });
    } else if (pullRequests) {
      await this.openPullRequest(promotion, pullRequests, lease);
      return;
    } else {
      const message = result.alreadyPushed
        ? `Found commit ${result.sha.slice(0, 7)} already pushed by an earlier attempt`
        : `Committed ${result.sha.slice(0, 7)} to ${target.branch}`;
      await this.move(promotion, ['writing'], 'committed', 'committed', message, { commitSha: result.sha });
    }
    await this.askArgoCdToRefresh(promotion);
  }

  private async openPullRequest(promotion: StoredPromotion, provider: PullRequestProvider, lease: PromotionLease) {
    const { target } = promotion;
    // A pull request is outside the database: only the lease holder may open it, and
    // the write before may have outlasted a lease that could not be renewed.
    await lease.confirm('open its pull request');
    const [title, ...body] = commitMessage(promotion).split('\n');
    let pr: PullRequest;
    try {
      pr = await provider.open({
        repoURL: target.repoURL, base: target.branch, head: pullRequestBranch(promotion), title,
        body: [...body, '', `Promotion-Id: ${promotion.id}`].join('\n').trim(),
      });
    } catch (error) {
      await this.writeFailed(promotion, error as Error);
      return;
    }
    await this.move(promotion, ['writing'], 'pull-request-open', 'pull-request-opened',
      `Pull request #${pr.number} opened from ${pullRequestBranch(promotion)} into ${target.branch}: ${pr.url}`,
      { pullRequestUrl: pr.url });
  }

  /**
   * Waits for a person to merge the pull request; its merge commit is what Argo CD must
   * sync. One nobody merges in time is closed, so it cannot deploy later unfollowed.
   */
  private async followPullRequest(promotion: StoredPromotion) {
    const { repoURL } = promotion.target;
    const provider = this.pullRequestProvider(repoURL);
    let pr = await provider.get(repoURL, pullRequestNumber(promotion.pullRequestUrl!));
    const timeoutMinutes = this.environment(promotion)?.promotion.pullRequestTimeoutMinutes ?? DEFAULT_PULL_REQUEST_TIMEOUT_MINUTES;
    const timedOut = pr.state === 'open' && pullRequestTimedOut(promotion, timeoutMinutes, this.now());
    if (timedOut) {
      const reason = pullRequestTimeoutReason(pr.number, timeoutMinutes);
      pr = await provider.close(repoURL, pr.number, `${reason}: closed by Backstage, promotion ${promotion.id} failed.`);
      if (pr.state !== 'merged') {
        await this.move(promotion, ['pull-request-open'], 'failed', 'failed', `${reason}: closed it`, { failureReason: `${reason}: closed it` });
        return;
      }
    }
    if (pr.state === 'merged' && pr.mergeCommitSha) {
      await this.move(promotion, ['pull-request-open'], 'committed', 'committed',
        `Pull request #${pr.number} merged as ${pr.mergeCommitSha.slice(0, 7)}`, { commitSha: pr.mergeCommitSha });
      await this.askArgoCdToRefresh(promotion);
    } else if (pr.state === 'closed') {
      const reason = `Pull request #${pr.number} was closed without merging`;
      await this.move(promotion, ['pull-request-open'], 'failed', 'failed', reason, { failureReason: reason });
    }
  }

  private async writeFailed(promotion: StoredPromotion, error: Error) {
    const attempts = promotion.events.filter(e => e.type === 'write-error').length + 1;
    const reason = error.message;
    if (error instanceof InputError || attempts >= MAX_WRITE_ATTEMPTS) {
      await this.move(promotion, ['writing'], 'failed', 'failed', `Writing failed: ${reason}`, { failureReason: reason });
    } else {
      await this.options.store.addEvent(promotion.id, {
        type: 'write-error', message: `Write attempt ${attempts} failed, will retry: ${reason}`,
      }, this.now());
    }
  }

  private pullRequestProvider(repoURL: string): PullRequestProvider {
    const provider = this.options.pullRequests?.find(p => p.supports(repoURL));
    if (!provider) {
      throw new InputError(`Cannot open pull requests on ${repoURL}: configure an integrations.github entry for its host`);
    }
    return provider;
  }

  private async verify(promotion: StoredPromotion) {
    const { repoURL, branch } = promotion.target;
    const verdict = await verifyDeployment({
      promotion,
      app: this.targetApplication(promotion),
      contains: (sha, revision) => this.options.writer.contains(repoURL, branch, sha, revision),
      now: this.now(),
      timeoutMinutes: this.environment(promotion)?.promotion.verifyTimeoutMinutes ?? 30,
    });
    switch (verdict.outcome) {
      case 'succeeded':
        await this.move(promotion, ['syncing'], 'succeeded', 'succeeded', verdict.message);
        return;
      case 'failed':
        await this.fail(promotion, verdict.reason);
        return;
      case 'unverified':
        // Not the version's fault: it is neither marked bad nor rolled back.
        await this.move(promotion, ['syncing'], 'failed', 'failed', verdict.reason, { failureReason: verdict.reason });
        return;
      default:
        if (verdict.unknown) await this.record(promotion, stepFailed(promotion.status, verdict.unknown));
    }
  }

  private async fail(promotion: StoredPromotion, reason: string) {
    if (!(await this.move(promotion, ['syncing'], 'failed', 'failed', reason, { failureReason: reason }))) return;
    try {
      await this.options.onVerificationFailed?.(promotion, reason);
    } catch (error) {
      this.options.logger.error(`After promotion ${promotion.id} failed, its failure could not be handled: ${error}`);
      await this.record(promotion, engineError(`Marking ${promotion.version.tag} bad in ${promotion.to} (and rolling back) failed`, error));
    }
  }

  private targetApplication(promotion: StoredPromotion) {
    const { instance, appName, appNamespace } = promotion.target;
    return this.options.inventory.index().find(instance, appName, appNamespace);
  }

  private async askArgoCdToRefresh(promotion: StoredPromotion) {
    const client = this.options.clients.get(promotion.target.instance);
    await client?.refreshApplication(promotion.target.appName, promotion.target.appNamespace).catch(error =>
      // Argo CD still finds the commit on its own poll; the history says why it may take longer.
      this.record(promotion, engineError(`Asking Argo CD to refresh ${promotion.target.appName} failed (it syncs on its next poll)`, error)),
    );
  }

  /** Adds an engine event to the promotion, once; a database that fails here is only logged. */
  private async record(promotion: StoredPromotion, event: EngineEvent) {
    if (saysAlready(promotion, event)) return;
    try {
      await this.options.store.addEvent(promotion.id, event, this.now());
    } catch (error) {
      this.options.logger.error(`Could not record on promotion ${promotion.id} that ${event.message}: ${error}`);
    }
  }

  private environment(promotion: StoredPromotion) {
    return this.options.config.environments.find(e => e.name === promotion.to);
  }

  private async move(promotion: StoredPromotion, from: StoredPromotion['status'][], to: StoredPromotion['status'], type: string, message: string, patch: Patch = {}) {
    this.options.logger.info(`Promotion ${promotion.id} (${promotion.entityRef} ${promotion.version.tag} -> ${promotion.to}): ${message}`);
    const moved = await this.options.store.transition(promotion.id, from, to, { type, message }, patch, this.now(), this.options.workerId);
    // Only the worker whose transition ended the promotion tells about it: once.
    if (moved && (to === 'succeeded' || to === 'failed')) {
      await this.finished({ ...promotion, status: to, failureReason: patch.failureReason ?? promotion.failureReason }, to);
    }
    return moved;
  }

  /** Tells that a promotion ended; a notification that cannot be sent never fails the promotion. */
  private async finished(promotion: StoredPromotion, outcome: 'succeeded' | 'failed') {
    try {
      await this.options.onFinished?.(promotion, outcome);
    } catch (error) {
      this.options.logger.warn(`Could not tell that promotion ${promotion.id} ${outcome}: ${error}`);
    }
  }
}
