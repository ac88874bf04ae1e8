import {
  changeFailureRate,
  deliveryMeasures,
  deploymentFrequency,
  leadTime,
  percentile,
  timeToRestore,
  weeks,
  type InsightRow,
} from './deliveryMeasures';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const until = Date.parse('2026-12-31T00:00:00Z');
const window30 = { since: until - 30 * DAY, until };

/**
 * A generated history with known answers: one promotion into `environment` every
 * `everyDays` days from `fromDay` days before `until`, each ending `durationHours` after
 * it was requested and shipping commits made `commitAgesHours` before it ended.
 */
function history(options: {
  entityRef?: string;
  environment?: string;
  fromDay: number;
  everyDays: number;
  durationHours?: number;
  commitAgesHours?: number[];
}): InsightRow[] {
  const { entityRef = 'component:default/payments', environment = 'prod', fromDay, everyDays, durationHours = 1, commitAgesHours } = options;
  const rows: InsightRow[] = [];
  for (let day = fromDay, i = 0; day > 0; day -= everyDays, i++) {
    const endedAt = until - day * DAY;
    rows.push({
      id: `${entityRef}-${environment}-${i}`,
      entityRef,
      environment,
      kind: 'promotion',
      status: 'succeeded',
      createdAt: endedAt - durationHours * HOUR,
      endedAt,
      commitDates: commitAgesHours?.map(age => endedAt - age * HOUR),
    });
  }
  return rows;
}

function row(partial: Partial<InsightRow> & Pick<InsightRow, 'id' | 'endedAt'>): InsightRow {
  return {
    entityRef: 'component:default/payments',
    environment: 'prod',
    kind: 'promotion',
    status: 'succeeded',
    createdAt: partial.endedAt - HOUR,
    ...partial,
  };
}

describe('percentile', () => {
  it('is nearest-rank: an actual sample', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 90)).toBe(9);
  });
});

describe('deliveryMeasures', () => {
  it('counts a steady history: one deploy every 3 days, commits 2, 4 and 30 hours old', () => {
    // 60 days of history, 20 in the 30-day window (days 30, 27, ..., 3).
    const rows = history({ fromDay: 60, everyDays: 3, commitAgesHours: [2, 4, 30] });
    const measures = deliveryMeasures('prod', rows, window30);

    expect(measures.deploymentFrequency).toEqual({
      value: 10,
      perWeek: 2.33,
      sampleSize: 10,
      notMeasured: 0,
      promotions: 10,
      rollbacks: 0,
      direct: 0,
    });
    // 30 commit lead times: ten each of 2 h, 4 h and 30 h.
    expect(measures.leadTime).toEqual({ value: 4 * 3600, p90: 30 * 3600, sampleSize: 30, promotions: 10, notMeasured: 0 });
    expect(measures.changeFailureRate).toMatchObject({ value: 0, sampleSize: 10, failures: 0 });
    expect(measures.timeToRestore).toEqual({
      value: null,
      p90: null,
      sampleSize: 0,
      notMeasured: 0,
      reason: 'no failed change in the period',
    });
    expect(measures.weeks).toHaveLength(5);
    expect(measures.weeks.reduce((sum, w) => sum + w.deployments, 0)).toBe(10);
    expect(measures.weeks[measures.weeks.length - 1].start).toBe(new Date(until - 7 * DAY).toISOString());
    expect(measures.weeks[0].start).toBe(new Date(window30.since).toISOString());
  });

  it('counts a version rolled back by a person as a failed change, restored by the rollback', () => {
    const rows = [
      row({ id: 'p1', endedAt: until - 10 * DAY }),
      row({ id: 'p2', endedAt: until - 5 * DAY }),
      // Noticed 2 h after p2 ran; the rollback ran 30 min after it was requested.
      row({ id: 'r1', kind: 'rollback', createdAt: until - 5 * DAY + 2 * HOUR, endedAt: until - 5 * DAY + 2.5 * HOUR }),
    ];
    expect(deploymentFrequency(rows, window30)).toMatchObject({ value: 3, promotions: 2, rollbacks: 1 });
    expect(changeFailureRate(rows, window30)).toEqual({
      value: 0.5,
      sampleSize: 2,
      notMeasured: 0,
      failures: 1,
      failedPromotions: 0,
      manualRollbacks: 1,
      automaticRollbacks: 0,
    });
    expect(timeToRestore(rows, window30)).toEqual({ value: 1800, p90: 1800, sampleSize: 1, notMeasured: 0 });
  });

  it('measures a promotion that failed then succeeded from the failure to the success', () => {
    const rows = [
      row({ id: 'p1', status: 'failed', endedAt: until - 4 * DAY }),
      row({ id: 'p2', endedAt: until - 4 * DAY + 4 * HOUR }),
      row({ id: 'p3', endedAt: until - 2 * DAY }),
    ];
    expect(changeFailureRate(rows, window30)).toMatchObject({ value: 0.3333, sampleSize: 3, failures: 1, failedPromotions: 1 });
    expect(timeToRestore(rows, window30)).toMatchObject({ value: 4 * 3600, sampleSize: 1, notMeasured: 0 });
    // A failed promotion is not a deployment.
    expect(deploymentFrequency(rows, window30)).toMatchObject({ value: 2 });
  });

  it('does not count a failed promotion twice when an automatic rollback answers it; the rollback restores', () => {
    const rows = [
      row({ id: 'p1', endedAt: until - 6 * DAY }),
      row({ id: 'p2', status: 'failed', endedAt: until - 3 * DAY }),
      row({ id: 'r1', kind: 'rollback', rollbackOf: 'p2', createdAt: until - 3 * DAY + 60_000, endedAt: until - 3 * DAY + HOUR }),
    ];
    expect(changeFailureRate(rows, window30)).toMatchObject({
      value: 0.5,
      failures: 1,
      failedPromotions: 1,
      automaticRollbacks: 1,
      manualRollbacks: 0,
    });
    expect(timeToRestore(rows, window30)).toMatchObject({ value: 3600, sampleSize: 1 });
  });

  it('reports a failure not restored yet as not measured, not as a number', () => {
    const rows = [row({ id: 'p1', endedAt: until - 6 * DAY }), row({ id: 'p2', status: 'failed', endedAt: until - DAY })];
    expect(timeToRestore(rows, window30)).toEqual({
      value: null,
      p90: null,
      sampleSize: 0,
      notMeasured: 1,
      reason: '1 failure not restored yet',
    });
  });

  it('restores per entity and environment: a success elsewhere does not restore a failure', () => {
    const rows = [
      row({ id: 'p1', status: 'failed', endedAt: until - 3 * DAY }),
      row({ id: 'p2', environment: 'staging', endedAt: until - 2 * DAY }),
      row({ id: 'p3', entityRef: 'component:default/orders', endedAt: until - 2 * DAY }),
    ];
    expect(timeToRestore(rows, window30)).toMatchObject({ value: null, notMeasured: 1 });
  });

  it('says a service without source commits is not measurable and gives no lead time', () => {
    const rows = history({ entityRef: 'component:default/legacy', fromDay: 20, everyDays: 5 });
    rows[0].sourceUnavailable = 'no git tag or commit for 1.2.0 in https://git.example/legacy';
    expect(leadTime(rows, window30)).toEqual({
      value: null,
      p90: null,
      sampleSize: 0,
      promotions: 0,
      notMeasured: 4,
      reason:
        '4 promotions without source commits (no git tag or commit for 1.2.0 in https://git.example/legacy; source commits not recorded)',
    });
    // The other measures do not need source commits.
    expect(deploymentFrequency(rows, window30).value).toBe(4);
  });

  it('pools entities of a group, measured and not alike, and ignores rollbacks for lead time', () => {
    const rows = [
      ...history({ fromDay: 28, everyDays: 7, commitAgesHours: [1] }),
      ...history({ entityRef: 'component:default/legacy', fromDay: 28, everyDays: 7 }),
      row({ id: 'r', kind: 'rollback', endedAt: until - DAY }),
    ];
    expect(leadTime(rows, window30)).toMatchObject({ value: 3600, sampleSize: 4, promotions: 4, notMeasured: 4 });
  });

  it('gives null values and says why when nothing was recorded', () => {
    const measures = deliveryMeasures('prod', history({ fromDay: 90, everyDays: 1 }).filter(r => r.endedAt < window30.since), window30);
    expect(measures.deploymentFrequency).toMatchObject({ value: null, perWeek: null, reason: 'no promotion, rollback or Argo CD sync recorded in the period' });
    expect(measures.leadTime).toMatchObject({ value: null, reason: 'no succeeded promotion in the period' });
    expect(measures.changeFailureRate).toMatchObject({ value: null, sampleSize: 0, reason: 'no promotion ended in the period' });
    expect(measures.timeToRestore.value).toBeNull();
    expect(measures.weeks.every(w => w.deployments === 0 && w.failures === 0)).toBe(true);
  });

  it('places deployments and failures in their weeks', () => {
    const rows = [
      row({ id: 'a', endedAt: until - 1 * DAY }),
      row({ id: 'b', endedAt: until - 8 * DAY }),
      row({ id: 'c', status: 'failed', endedAt: until - 9 * DAY }),
      row({ id: 'd', endedAt: until - 29 * DAY }),
    ];
    expect(weeks(rows, window30).map(w => [w.deployments, w.failures])).toEqual([
      [1, 0],
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 0],
    ]);
  });
});
