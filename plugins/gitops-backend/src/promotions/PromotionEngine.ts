import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { ArgoCdClient } from '../argocd/ArgoCdClient';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { PromotionStore, StoredPromotion } from '../database/PromotionStore';
import type { Inventory } from '../inventory/Inventory';
import { parseImageRef } from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsRepositoryWriter, PullRequestProvider } from '@gitops-suite/backstage-plugin-gitops-node';
import { repositoryEdit } from './repositoryEdit';

const MAX_WRITE_ATTEMPTS = 5;
const DEFAULT_LEASE_MS = 120_000;

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
   * How long a claimed promotion stays leased to this worker (default 2 minutes): a
   * replica that dies mid-step leaves its promotions to the others once it expires.
   */
  leaseMs?: number;
  now?: () => Date;
  /** Called once when a promotion fails verification (marks it bad, may roll back). */
  onVerificationFailed?(promotion: StoredPromotion, reason: string): Promise<void>;
}

/**
 * Moves approved promotions forward, one step per run, from the state stored in the
 * database: approved -> writing -> (pull-request-open ->) committed -> syncing ->
 * succeeded | failed. Runs
 * as a scheduled task; each promotion is leased while worked on, and every step is
 * safe to repeat (the git write finds its own commit), so a restart or a second
 * replica neither loses nor repeats a promotion.
 */
export class PromotionEngine {
  private readonly now: () => Date;

  constructor(private readonly options: PromotionEngineOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async runOnce(): Promise<void> {
    const { store, workerId } = this.options;
    const ids = await store.claim(workerId, this.options.leaseMs ?? DEFAULT_LEASE_MS, 20, this.now());
    for (const id of ids) {
      try {
        const promotion = await store.get(id);
        if (promotion) await this.advance(promotion);
      } catch (error) {
        this.options.logger.error(`Promotion ${id} could not advance: ${error}`);
      } finally {
        await store.release(id, workerId);
      }
    }
  }

  private async advance(promotion: StoredPromotion): Promise<void> {
    switch (promotion.status) {
      case 'approved':
        if (await this.move(promotion, ['approved'], 'writing', 'writing',
          `Writing ${promotion.version.tag} to ${promotion.target.file} on ${promotion.target.branch} of ${promotion.target.repoURL}`)) {
          await this.write({ ...promotion, status: 'writing' });
        }
        return;
      case 'writing':
        await this.write(promotion);
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

  private async write(promotion: StoredPromotion) {
    const { target, version } = promotion;
    try {
      const pullRequests = target.method === 'pull-request' ? this.pullRequestProvider(target.repoURL) : undefined;
      const result = await this.options.writer.write({
        repoURL: target.repoURL,
        branch: target.branch,
        pushBranch: pullRequests ? pullRequestBranch(promotion) : undefined,
        trailer: { key: 'Promotion-Id', value: promotion.id },
        message: commitMessage(promotion),
        edit: repositoryEdit(promotion),
      });
      if (result.unchanged) {
        await this.move(promotion, ['writing'], 'committed', 'committed',
          `${target.file} already holds ${version.tag}; nothing to commit (at ${result.sha.slice(0, 7)})`, { commitSha: result.sha });
      } else if (pullRequests) {
        const [title, ...body] = commitMessage(promotion).split('\n');
        const pr = await pullRequests.open({
          repoURL: target.repoURL, base: target.branch, head: pullRequestBranch(promotion), title,
          body: [...body, '', `Promotion-Id: ${promotion.id}`].join('\n').trim(),
        });
        await this.move(promotion, ['writing'], 'pull-request-open', 'pull-request-opened',
          `Pull request #${pr.number} opened from ${pullRequestBranch(promotion)} into ${target.branch}: ${pr.url}`,
          { pullRequestUrl: pr.url });
        return;
      } else {
        const message = result.alreadyPushed
          ? `Found commit ${result.sha.slice(0, 7)} already pushed by an earlier attempt`
          : `Committed ${result.sha.slice(0, 7)} to ${target.branch}`;
        await this.move(promotion, ['writing'], 'committed', 'committed', message, { commitSha: result.sha });
      }
      await this.askArgoCdToRefresh(promotion);
    } catch (error) {
      await this.writeFailed(promotion, error as Error);
    }
  }

  /** Waits for a person to merge the pull request; its merge commit is what Argo CD must sync. */
  private async followPullRequest(promotion: StoredPromotion) {
    const url = promotion.pullRequestUrl!;
    const pr = await this.pullRequestProvider(promotion.target.repoURL).get(
      promotion.target.repoURL, pullRequestNumber(url),
    );
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
    const app = await this.targetApplication(promotion);
    const sha = promotion.commit?.sha;
    const revision = app?.application.status?.sync?.revision;
    const deployed = Boolean(
      sha && revision &&
      (await this.options.writer.contains(promotion.target.repoURL, promotion.target.branch, sha, revision)),
    );
    const health = app?.application.status?.health?.status;
    const rollouts = app?.rollouts ?? [];
    const unknown = app?.unknownRollouts ?? [];
    if (deployed && app?.application.status?.sync?.status === 'Synced') {
      const aborted = rollouts.find(r => r.aborted);
      if (aborted || health === 'Degraded') {
        const reason = aborted
          ? `Rollout ${aborted.name} was aborted: ${aborted.message ?? ''}`.trim()
          : `${promotion.target.appName} is Degraded: ${app.application.status?.health?.message ?? ''}`.trim();
        await this.fail(promotion, reason);
        return;
      }
      // The live Rollout must run the promoted tag: a snapshot read mid-sync can still
      // show the previous template.
      const runsVersion = rollouts.every(r => r.images.some(image => parseImageRef(image).tag === promotion.version.tag));
      // A Rollout whose state could not be read proves nothing: keep waiting.
      if (health === 'Healthy' && !unknown.length && runsVersion && rollouts.every(r => r.completed && !r.paused)) {
        await this.move(promotion, ['syncing'], 'succeeded', 'succeeded',
          `${promotion.target.appName} synced ${sha!.slice(0, 7)} and is Healthy${rollouts.length ? ', rollout complete' : ''}`);
        return;
      }
    }
    const timeoutMinutes = this.environment(promotion)?.promotion.verifyTimeoutMinutes ?? 30;
    const waited = (this.now().getTime() - new Date(promotion.updatedAt).getTime()) / 60_000;
    if (waited > timeoutMinutes) {
      const state = app
        ? `${app.application.status?.sync?.status} at ${revision?.slice(0, 7)}, ${health}${rollouts.map(r => `, rollout ${r.phase}`).join('')}${unknown.map(r => `, rollout ${r.name} unknown: ${r.message}`).join('')}`
        : 'application not found';
      const reason = `Not synced and healthy within ${timeoutMinutes} min (${state})`;
      await this.fail(promotion, reason);
    }
  }

  private async fail(promotion: StoredPromotion, reason: string) {
    if (await this.move(promotion, ['syncing'], 'failed', 'failed', reason, { failureReason: reason })) {
      await this.options.onVerificationFailed?.(promotion, reason);
    }
  }

  private async targetApplication(promotion: StoredPromotion) {
    const { instance, appName, appNamespace } = promotion.target;
    return this.options.inventory.index().find(instance, appName, appNamespace);
  }

  private async askArgoCdToRefresh(promotion: StoredPromotion) {
    const client = this.options.clients.get(promotion.target.instance);
    await client?.refreshApplication(promotion.target.appName, promotion.target.appNamespace).catch(error => {
      this.options.logger.debug(`Refresh of ${promotion.target.appName} failed: ${error}`);
    });
  }

  private environment(promotion: StoredPromotion) {
    return this.options.config.environments.find(e => e.name === promotion.to);
  }

  private move(
    promotion: StoredPromotion,
    from: StoredPromotion['status'][],
    to: StoredPromotion['status'],
    type: string,
    message: string,
    patch: { commitSha?: string; pullRequestUrl?: string; failureReason?: string } = {},
  ) {
    this.options.logger.info(`Promotion ${promotion.id} (${promotion.entityRef} ${promotion.version.tag} -> ${promotion.to}): ${message}`);
    return this.options.store.transition(promotion.id, from, to, { type, message }, patch, this.now());
  }
}

/** The branch a pull request of this promotion is opened from. */
function pullRequestBranch(promotion: StoredPromotion) {
  return `gitops/promotion-${promotion.id}`;
}

function pullRequestNumber(url: string): number {
  return Number(url.match(/(\d+)\/?$/)?.[1]);
}

function commitMessage(promotion: StoredPromotion): string {
  const name = promotion.entityRef.replace(/^[^:]+:(default\/)?/, '');
  const lines = [
    promotion.kind === 'rollback'
      ? `Roll back ${name} in ${promotion.to} to ${promotion.version.tag}`
      : `Promote ${name} ${promotion.version.tag} from ${promotion.from} to ${promotion.to}`,
    '',
    `Requested by ${promotion.requestedBy}.`,
  ];
  if (promotion.previousVersion) lines.push(`${promotion.to} ran ${promotion.previousVersion.tag}.`);
  if (promotion.comment) lines.push('', promotion.comment);
  return lines.join('\n');
}
