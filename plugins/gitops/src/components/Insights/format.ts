import type { DeliveryMeasures } from '@gitops-suite/backstage-plugin-gitops-common';

/** One measure as text: its value (or "no data"), what it counted and, optionally, more detail. */
export type MeasureLabel = { title: string; value: string; counted: string; detail?: string };

const NO_DATA = 'no data';

/** A duration in seconds, short: "45 min", "5.2 h", "3.1 d". */
export function durationLabel(seconds: number): string {
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** A median duration with its p90: "5.0 h (p90 30.0 h)", or "no data". */
function medianLabel(m: { value: number | null; p90: number | null }): string {
  if (m.value === null) return NO_DATA;
  return `${durationLabel(m.value)} (p90 ${durationLabel(m.p90 ?? m.value)})`;
}

/** A rate from 0 to 1 as a whole percentage: "25 %". */
export function percentLabel(rate: number): string {
  return `${Math.round(rate * 100)} %`;
}

function count(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The parts that apply, joined by "; ". */
function parts(...items: (string | false | undefined)[]): string {
  return items.filter(Boolean).join('; ');
}

function deploymentFrequency(df: DeliveryMeasures['deploymentFrequency']): MeasureLabel {
  const title = 'Deployment frequency';
  if (df.value === null) return { title, value: NO_DATA, counted: df.reason ?? '' };
  const kinds = [count(df.promotions, 'promotion'), count(df.rollbacks, 'rollback')];
  if (df.direct > 0) kinds.push(`${df.direct} direct`);
  return { title, value: `${df.perWeek} / week`, counted: `${count(df.value, 'deployment')}: ${kinds.join(', ')}` };
}

function leadTime(lt: DeliveryMeasures['leadTime']): MeasureLabel {
  return {
    title: 'Lead time for changes',
    value: medianLabel(lt),
    counted: parts(
      `from ${count(lt.sampleSize, 'commit')} of ${count(lt.promotions + lt.notMeasured, 'promotion')}`,
      lt.notMeasured > 0 && `${lt.notMeasured} without source commits`,
      lt.value === null && !lt.notMeasured && lt.reason,
    ),
    detail: lt.notMeasured ? lt.reason : undefined,
  };
}

function changeFailureRate(cfr: DeliveryMeasures['changeFailureRate']): MeasureLabel {
  const title = 'Change failure rate';
  if (cfr.value === null) return { title, value: NO_DATA, counted: cfr.reason ?? '' };
  const kinds = `${cfr.failedPromotions} failed, ${count(cfr.manualRollbacks, 'manual rollback')}, ${cfr.automaticRollbacks} automatic`;
  return {
    title,
    value: percentLabel(cfr.value),
    counted: `${count(cfr.failures, 'failure')} of ${count(cfr.sampleSize, 'change')} (${kinds})`,
  };
}

function timeToRestore(ttr: DeliveryMeasures['timeToRestore']): MeasureLabel {
  return {
    title: 'Time to restore',
    value: medianLabel(ttr),
    counted: parts(
      (ttr.sampleSize > 0 || ttr.notMeasured > 0) && `from ${count(ttr.sampleSize, 'restored failure')}`,
      ttr.notMeasured > 0 && `${ttr.notMeasured} not restored yet`,
      ttr.value === null && !ttr.notMeasured && ttr.reason,
    ),
  };
}

/** The four measures as labels: the value (or "no data"), and what it counted. */
export function measureLabels(measures: DeliveryMeasures): MeasureLabel[] {
  return [
    deploymentFrequency(measures.deploymentFrequency),
    leadTime(measures.leadTime),
    changeFailureRate(measures.changeFailureRate),
    timeToRestore(measures.timeToRestore),
  ];
}
