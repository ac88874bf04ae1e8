import type { DeliveryMeasures } from '@gitops-suite/backstage-plugin-gitops-common';
import { durationLabel, measureLabels } from './format';

describe('format', () => {
  it('labels durations in minutes, hours or days', () => {
    expect(durationLabel(20)).toBe('1 min');
    expect(durationLabel(45 * 60)).toBe('45 min');
    expect(durationLabel(5.2 * 3600)).toBe('5.2 h');
    expect(durationLabel(3.1 * 86400)).toBe('3.1 d');
  });

  it('counts the deployments no promotion or rollback made, when there are any', () => {
    const measures: DeliveryMeasures = {
      environment: 'prod',
      deploymentFrequency: { value: 5, perWeek: 1.2, sampleSize: 5, notMeasured: 0, promotions: 2, rollbacks: 1, direct: 2 },
      leadTime: { value: null, p90: null, sampleSize: 0, promotions: 0, notMeasured: 0, reason: 'no succeeded promotion in the period' },
      changeFailureRate: { value: null, sampleSize: 0, notMeasured: 0, failures: 0, failedPromotions: 0, manualRollbacks: 0, automaticRollbacks: 0, reason: 'no change in the period' },
      timeToRestore: { value: null, p90: null, sampleSize: 0, notMeasured: 0, reason: 'no failure in the period' },
      weeks: [],
    };
    const [df, lt, cfr, ttr] = measureLabels(measures);
    expect(df.counted).toBe('5 deployments: 2 promotions, 1 rollback, 2 direct');
    expect(lt).toMatchObject({ value: 'no data', counted: 'from 0 commits of 0 promotions; no succeeded promotion in the period' });
    expect(cfr).toMatchObject({ value: 'no data', counted: 'no change in the period' });
    expect(ttr).toMatchObject({ value: 'no data', counted: 'no failure in the period' });
  });
});
