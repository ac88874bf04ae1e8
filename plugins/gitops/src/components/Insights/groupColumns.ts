import type { TableColumn } from '@backstage/core-components';
import type { InsightsGroup } from '@gitops-suite/backstage-plugin-gitops-common';
import { durationLabel, percentLabel } from './format';

const NO_DATA = 'no data';

/** Orders two values, a missing one after any present one. */
function compareMissingLast(x: number | null, y: number | null): number {
  if (x !== null && y !== null) return x - y;
  if (x === y) return 0;
  return x === null ? 1 : -1;
}

/** Sorts by a measure's value, entries without one last. */
export function byValue(value: (g: InsightsGroup) => number | null) {
  return (a: InsightsGroup, b: InsightsGroup) => compareMissingLast(value(a), value(b));
}

function leadTimeCell({ leadTime }: InsightsGroup): string {
  const median = leadTime.value === null ? NO_DATA : durationLabel(leadTime.value);
  if (!leadTime.notMeasured) return median;
  return `${median} (${leadTime.notMeasured} not measurable)`;
}

function changeFailureRateCell({ changeFailureRate: cfr }: InsightsGroup): string {
  if (cfr.value === null) return NO_DATA;
  return `${percentLabel(cfr.value)} of ${cfr.sampleSize}`;
}

function timeToRestoreCell({ timeToRestore: ttr }: InsightsGroup): string {
  if (ttr.value !== null) return durationLabel(ttr.value);
  if (ttr.notMeasured) return `${ttr.notMeasured} not restored`;
  return NO_DATA;
}

/** The columns of a table of owners or systems (`groupTitle` names the first), each measure sortable. */
export function groupColumns(groupTitle: string): TableColumn<InsightsGroup>[] {
  return [
    { title: groupTitle, field: 'name', defaultSort: 'asc' },
    { title: 'Services', field: 'entities', type: 'numeric' },
    {
      title: 'Deploys / week',
      type: 'numeric',
      render: g => g.deploymentFrequency.perWeek ?? NO_DATA,
      customSort: byValue(g => g.deploymentFrequency.perWeek),
    },
    { title: 'Lead time (median)', render: leadTimeCell, customSort: byValue(g => g.leadTime.value) },
    { title: 'Change failure rate', render: changeFailureRateCell, customSort: byValue(g => g.changeFailureRate.value) },
    { title: 'Time to restore (median)', render: timeToRestoreCell, customSort: byValue(g => g.timeToRestore.value) },
  ];
}
