import type {
  ChangeFailureRateMeasure,
  DeliveryMeasures,
  DeploymentFrequencyMeasure,
  InsightsWeek,
  LeadTimeMeasure,
  TimeToRestoreMeasure,
} from '@gitops-suite/backstage-plugin-gitops-common';

/**
 * The four delivery measures (DORA), computed from what the suite records: promotions
 * and rollbacks that ended (succeeded or failed) and, for lead time, the source commits
 * each promotion shipped where they were read. Pure functions over rows: no clock, no
 * database.
 */

/** A promotion or rollback that ended, as the insights read it. Times in ms since the epoch. */
export interface InsightRow {
  id: string;
  entityRef: string;
  environment: string;
  kind: 'promotion' | 'rollback';
  status: 'succeeded' | 'failed';
  /** For an automatic rollback: the failed promotion it answers. */
  rollbackOf?: string;
  createdAt: number;
  /** When it ended: the version runs healthy (succeeded) or the promotion failed. */
  endedAt: number;
  /**
   * The committer dates of the source commits a succeeded promotion shipped; undefined
   * when they are not known (`sourceUnavailable` says why, when the read failed).
   */
  commitDates?: number[];
  sourceUnavailable?: string;
}

export interface InsightWindow {
  since: number;
  until: number;
}

const WEEK_MS = 7 * 24 * 3600_000;

/** The nearest-rank percentile p (0-100) of sorted values: an actual sample, never interpolated. */
function nearestRank(sorted: Float64Array, p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The nearest-rank percentile p (0-100): an actual sample, never interpolated. */
export function percentile(values: number[], p: number): number | null {
  return nearestRank(Float64Array.from(values).sort(), p);
}

/** The median and the p90 of the values, sorted once. */
function medianAndP90(values: number[]) {
  const sorted = Float64Array.from(values).sort();
  return { value: round(nearestRank(sorted, 50)), p90: round(nearestRank(sorted, 90)) };
}

function inWindow(row: InsightRow, window: InsightWindow) {
  return row.endedAt >= window.since && row.endedAt <= window.until;
}

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** A sync to a new revision Argo CD recorded in an application's history (see DeploymentRecorder). */
export interface SyncRow {
  entityRef: string;
  environment: string;
  revision: string | null;
  /** When Argo CD finished the sync, ms since the epoch. */
  deployedAt: number;
}

/**
 * The versions Argo CD synced in the window. The syncs given are one per entity,
 * environment and revision (two applications of one entity syncing the same revision
 * are one deployment: see InsightsService).
 */
function syncedVersions(syncs: SyncRow[], window: InsightWindow): SyncRow[] {
  return syncs.filter(sync => sync.deployedAt >= window.since && sync.deployedAt <= window.until);
}

/**
 * Versions that reached the environment: what Argo CD synced (its sync history), which
 * covers promotions, continuous deployment, rollbacks and changes pushed straight to the
 * GitOps repository; never fewer than the succeeded promotions and rollbacks recorded
 * (a history Argo CD trimmed, or recorded before the suite watched it).
 */
export function deploymentFrequency(rows: InsightRow[], window: InsightWindow, syncs: SyncRow[] = []): DeploymentFrequencyMeasure {
  const deployed = rows.filter(r => inWindow(r, window) && r.status === 'succeeded');
  const promotions = deployed.filter(r => r.kind === 'promotion').length;
  const rollbacks = deployed.length - promotions;
  const synced = syncedVersions(syncs, window).length;
  const value = Math.max(synced, deployed.length);
  if (!value) {
    const reason = rows.some(r => inWindow(r, window))
      ? 'no version reached the environment in the period'
      : 'no promotion, rollback or Argo CD sync recorded in the period';
    return { value: null, perWeek: null, sampleSize: 0, notMeasured: 0, promotions: 0, rollbacks: 0, direct: 0, reason };
  }
  const weekCount = (window.until - window.since) / WEEK_MS;
  return {
    value,
    perWeek: round(value / weekCount, 2),
    sampleSize: value,
    notMeasured: 0,
    promotions,
    rollbacks,
    direct: value - deployed.length,
  };
}

/** From each shipped commit's committer date to its promotion ending succeeded; rollbacks ship no new commit. */
export function leadTime(rows: InsightRow[], window: InsightWindow): LeadTimeMeasure {
  const succeeded = rows.filter(r => inWindow(r, window) && r.status === 'succeeded' && r.kind === 'promotion');
  const measured = succeeded.filter(r => r.commitDates !== undefined);
  const unmeasured = succeeded.filter(r => r.commitDates === undefined);
  const seconds = measured.flatMap(r => r.commitDates!.map(date => Math.max(0, (r.endedAt - date) / 1000)));
  const reasons = [...new Set(unmeasured.map(r => r.sourceUnavailable ?? 'source commits not recorded'))];
  const reason = leadTimeReason(unmeasured.length, reasons, succeeded.length, seconds.length);
  return {
    ...medianAndP90(seconds),
    sampleSize: seconds.length,
    promotions: measured.length,
    notMeasured: unmeasured.length,
    ...(reason ? { reason } : {}),
  };
}

/** What lead time could not measure, or why it has no value. */
function leadTimeReason(unmeasured: number, reasons: string[], succeeded: number, commits: number): string | undefined {
  if (unmeasured) {
    const listed = reasons.slice(0, 3).join('; ') + (reasons.length > 3 ? '; ...' : '');
    return `${plural(unmeasured, 'promotion')} without source commits (${listed})`;
  }
  if (!succeeded) return 'no succeeded promotion in the period';
  if (!commits) return 'the succeeded promotions shipped no new source commit';
  return undefined;
}

/** One failed change: when it failed, and where. */
interface Failure {
  key: string;
  at: number;
}

/**
 * The failures of the period: failed promotions; manual rollbacks (the change they roll
 * back failed, noticed when the rollback was requested); automatic rollbacks, unless the
 * failed promotion they answer is one of the period's failures already.
 */
function failures(rows: InsightRow[], window: InsightWindow) {
  const ended = rows.filter(r => inWindow(r, window));
  const failedPromotions = ended.filter(r => r.kind === 'promotion' && r.status === 'failed');
  const failedIds = new Set(failedPromotions.map(r => r.id));
  const rollbacks = ended.filter(r => r.kind === 'rollback');
  const manual = rollbacks.filter(r => !r.rollbackOf);
  const automatic = rollbacks.filter(r => r.rollbackOf);
  const automaticAlone = automatic.filter(r => !failedIds.has(r.rollbackOf!));
  const list: Failure[] = [
    ...failedPromotions.map(r => ({ key: keyOf(r), at: r.endedAt })),
    ...manual.map(r => ({ key: keyOf(r), at: r.createdAt })),
    ...automaticAlone.map(r => ({ key: keyOf(r), at: r.createdAt })),
  ];
  return { list, failedPromotions: failedPromotions.length, manual: manual.length, automatic: automatic.length };
}

function keyOf(row: InsightRow) {
  return `${row.entityRef}|${row.environment}`;
}

/**
 * Failed changes over all changes, a change being a promotion that ended (succeeded or
 * failed) or a version synced straight from git (`directChanges`).
 */
export function changeFailureRate(rows: InsightRow[], window: InsightWindow, directChanges = 0): ChangeFailureRateMeasure {
  const changes = rows.filter(r => inWindow(r, window) && r.kind === 'promotion').length + directChanges;
  const found = failures(rows, window);
  const counts = {
    failures: found.list.length,
    failedPromotions: found.failedPromotions,
    manualRollbacks: found.manual,
    automaticRollbacks: found.automatic,
  };
  if (!changes) {
    return {
      value: null,
      sampleSize: 0,
      notMeasured: found.list.length,
      ...counts,
      reason: found.list.length
        ? `no promotion ended in the period, ${plural(found.list.length, 'rollback')} without the change they answer`
        : 'no promotion ended in the period',
    };
  }
  return { value: round(Math.min(1, found.list.length / changes), 4), sampleSize: changes, notMeasured: 0, ...counts };
}

/** From each failure to the next succeeded promotion or rollback into that environment of that entity. */
export function timeToRestore(rows: InsightRow[], window: InsightWindow): TimeToRestoreMeasure {
  const found = failures(rows, window).list;
  const successes = new Map<string, number[]>();
  for (const row of rows) {
    if (row.status !== 'succeeded' || row.endedAt > window.until) continue;
    const list = successes.get(keyOf(row)) ?? [];
    list.push(row.endedAt);
    successes.set(keyOf(row), list);
  }
  successes.forEach(list => list.sort((a, b) => a - b));
  const seconds: number[] = [];
  let open = 0;
  for (const failure of found) {
    const next = successes.get(failure.key)?.find(at => at > failure.at);
    if (next === undefined) open++;
    else seconds.push((next - failure.at) / 1000);
  }
  let reason: string | undefined;
  if (!found.length) reason = 'no failed change in the period';
  else if (open) reason = `${plural(open, 'failure')} not restored yet`;
  return {
    ...medianAndP90(seconds),
    sampleSize: seconds.length,
    notMeasured: open,
    ...(reason ? { reason } : {}),
  };
}

/** Deployments and failures per week of the period, oldest first (the first week may be shorter). */
export function weeks(rows: InsightRow[], window: InsightWindow, syncs: SyncRow[] = []): InsightsWeek[] {
  const count = Math.max(1, Math.ceil((window.until - window.since) / WEEK_MS));
  const start = (i: number) => Math.max(window.since, window.until - (count - i) * WEEK_MS);
  const result = Array.from({ length: count }, (_, i) => ({ start: new Date(start(i)).toISOString(), deployments: 0, failures: 0 }));
  const indexOf = (at: number) => Math.min(count - 1, Math.max(0, count - 1 - Math.floor((window.until - at) / WEEK_MS)));
  // Per week as deploymentFrequency counts: what Argo CD synced, never fewer than the promotions.
  const recorded = new Array<number>(count).fill(0);
  const synced = new Array<number>(count).fill(0);
  for (const row of rows) {
    if (inWindow(row, window) && row.status === 'succeeded') recorded[indexOf(row.endedAt)]++;
  }
  for (const sync of syncedVersions(syncs, window)) synced[indexOf(sync.deployedAt)]++;
  result.forEach((week, i) => {
    week.deployments = Math.max(recorded[i], synced[i]);
  });
  for (const failure of failures(rows, window).list) {
    if (failure.at >= window.since && failure.at <= window.until) result[indexOf(failure.at)].failures++;
  }
  return result;
}

/** All four measures of these rows (one entity, or a group's entities pooled) in one environment. */
export function deliveryMeasures(environment: string, rows: InsightRow[], window: InsightWindow, syncs: SyncRow[] = []): DeliveryMeasures {
  const frequency = deploymentFrequency(rows, window, syncs);
  return {
    environment,
    deploymentFrequency: frequency,
    leadTime: leadTime(rows, window),
    changeFailureRate: changeFailureRate(rows, window, frequency.direct),
    timeToRestore: timeToRestore(rows, window),
    weeks: weeks(rows, window, syncs),
  };
}

/** Rows grouped by a key, in their order. */
export function groupBy<T>(rows: T[], key: (row: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === undefined) continue;
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

function round(value: number | null, digits = 0): number | null {
  if (value === null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
