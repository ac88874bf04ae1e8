import { parseImageRef } from '@gitops-suite/backstage-plugin-gitops-common';
import type { StoredPromotion } from '../database/PromotionStore';
import type { IndexedApplication } from '../inventory/InventoryIndex';

/** What one look at the target application says about a promotion in `syncing`. */
export type Verdict =
  /** Synced at a revision with the commit, Healthy, every Rollout complete on the tag. */
  | { outcome: 'succeeded'; message: string }
  /** The version failed here (Degraded, rollout aborted, or never healthy in time). */
  | { outcome: 'failed'; reason: string }
  /** Whether the commit is deployed could not be told until the timeout: not the version's fault. */
  | { outcome: 'unverified'; reason: string }
  /** Not there yet; `unknown` when git could not tell whether the revision has the commit. */
  | { outcome: 'waiting'; unknown?: Error };

export interface VerifyInput {
  promotion: StoredPromotion;
  app?: IndexedApplication;
  /** Whether `revision` contains `sha`; throws when git cannot tell. */
  contains(sha: string, revision: string): Promise<boolean>;
  now: Date;
  timeoutMinutes: number;
}

/**
 * Judges a promotion in `syncing` from the live application: succeeded, failed,
 * unverified or waiting. A revision that git cannot relate to the commit is unknown,
 * never "not deployed": it neither fails the version nor lets it succeed.
 */
export async function verifyDeployment(input: VerifyInput): Promise<Verdict> {
  const { promotion, app } = input;
  const deployed = await isDeployed(input);
  const timedOut = minutesSince(promotion.updatedAt, input.now) > input.timeoutMinutes;
  if (deployed instanceof Error) {
    return timedOut
      ? { outcome: 'unverified', reason: `Could not verify the deployment within ${input.timeoutMinutes} min: ${deployed.message}` }
      : { outcome: 'waiting', unknown: deployed };
  }
  if (deployed && app) {
    const verdict = judgeSynced(promotion, app);
    if (verdict) return verdict;
  }
  if (timedOut) {
    return { outcome: 'failed', reason: `Not synced and healthy within ${input.timeoutMinutes} min (${describe(app)})` };
  }
  return { outcome: 'waiting' };
}

/**
 * Whether the application is synced with the promotion: at a revision containing the
 * commit (an Error when git could not tell), or, for a version written into the
 * Application itself (chart version, pinned revision, Helm parameter), with that field
 * of its spec set to the version and synced at it.
 */
async function isDeployed({ promotion, app, contains }: VerifyInput): Promise<boolean | Error> {
  const sha = promotion.commit?.sha;
  const status = app?.application.status;
  if (!sha || !app || status?.sync?.status !== 'Synced') return false;
  const live = promotion.target.live ?? { kind: 'commit' };
  const revision = live.source === undefined ? status.sync.revision : status.sync.revisions?.[live.source] ?? status.sync.revision;
  if (live.kind !== 'commit') return liveFieldHolds(promotion, app, revision);
  if (!revision) return false;
  try {
    return await contains(sha, revision);
  } catch (error) {
    return new Error(`cannot tell whether ${revision.slice(0, 7)} contains ${sha.slice(0, 7)}: ${(error as Error).message}`);
  }
}

/**
 * The Application's spec holds the version, and the revision synced is it: a chart
 * version or commit is the revision Argo CD reports; a git tag resolves to a commit,
 * which must differ from the one synced before (a status not yet compared against
 * the new spec still shows the old one). A Helm parameter changes no revision: that
 * the workloads run the promoted image is checked after.
 */
function liveFieldHolds(promotion: StoredPromotion, app: IndexedApplication, revision?: string): boolean {
  const live = promotion.target.live!;
  const { spec } = app.application;
  const source = live.source === undefined ? spec?.source : spec?.sources?.[live.source];
  const tag = promotion.version.tag;
  if (live.kind === 'helmParameter') {
    return source?.helm?.parameters?.some(p => p.name === live.name && p.value === tag) ?? false;
  }
  if (source?.targetRevision !== tag || !revision) return false;
  if (source.chart || /^[0-9a-f]{40}$/.test(tag)) return revision === tag;
  return revision !== promotion.previousVersion?.revision;
}

/** The verdict on an application synced with the commit, or undefined while it settles. */
function judgeSynced(promotion: StoredPromotion, app: IndexedApplication): Verdict | undefined {
  const health = app.application.status?.health;
  const aborted = app.rollouts.find(r => r.aborted);
  if (aborted) return { outcome: 'failed', reason: `Rollout ${aborted.name} was aborted${saying(aborted.message)}` };
  if (health?.status === 'Degraded') {
    return { outcome: 'failed', reason: `${promotion.target.appName} is Degraded${saying(health.message)}` };
  }
  const hooks = hookVerdict(promotion, app);
  if (hooks !== 'passed') return hooks;
  // The live Rollout must run the promoted tag: a snapshot read mid-sync can still
  // show the previous template.
  const imageTag = promotion.version.kind && promotion.version.kind !== 'image'
    ? promotion.version.image && parseImageRef(promotion.version.image).tag
    : promotion.version.tag;
  const runsVersion = !imageTag || app.rollouts.every(r => r.images.some(image => parseImageRef(image).tag === imageTag));
  // A Rollout whose state could not be read proves nothing: keep waiting.
  const settled = !app.unknownRollouts.length && app.rollouts.every(r => r.completed && !r.paused);
  if (health?.status !== 'Healthy' || !runsVersion || !settled) return undefined;
  const rollout = app.rollouts.length ? ', rollout complete' : '';
  return {
    outcome: 'succeeded',
    message: `${promotion.target.appName} synced ${promotion.commit!.sha.slice(0, 7)} and is Healthy${rollout}`,
  };
}

/**
 * The sync operation of the deployed revision and its hooks: PostSync hooks run after
 * the resources are applied and healthy, so a Synced, Healthy application may still
 * be running them (wait), and a hook that fails fails the version. An operation of an
 * earlier revision says nothing about this one.
 */
function hookVerdict(promotion: StoredPromotion, app: IndexedApplication): Verdict | undefined | 'passed' {
  const status = app.application.status;
  const operation = status?.operationState;
  const ofThisRevision = operation?.syncResult?.revision === status?.sync?.revision || operation?.phase === 'Running';
  if (!operation || !ofThisRevision) return 'passed';
  if (operation.phase === 'Running' || operation.phase === 'Terminating') return undefined;
  const failed = (operation.syncResult?.resources ?? []).filter(
    r => r.hookType && (r.hookPhase === 'Failed' || r.hookPhase === 'Error'),
  );
  if (failed.length) {
    const named = failed.map(h => `${h.hookType} hook ${h.kind} ${h.name} failed${saying(h.message)}`).join('; ');
    return { outcome: 'failed', reason: `${promotion.target.appName}: ${named}` };
  }
  if (operation.phase === 'Failed' || operation.phase === 'Error') {
    return { outcome: 'failed', reason: `${promotion.target.appName}: sync ${operation.phase.toLowerCase()}${saying(operation.message)}` };
  }
  return 'passed';
}

function describe(app?: IndexedApplication): string {
  if (!app) return 'application not found';
  const status = app.application.status;
  return `${status?.sync?.status} at ${status?.sync?.revision?.slice(0, 7)}, ${status?.health?.status}${app.rollouts
    .map(r => `, rollout ${r.phase}`)
    .join('')}${app.unknownRollouts.map(r => `, rollout ${r.name} unknown: ${r.message}`).join('')}`;
}

function saying(message?: string): string {
  return message ? `: ${message}` : '';
}

function minutesSince(iso: string, now: Date): number {
  return (now.getTime() - new Date(iso).getTime()) / 60_000;
}
