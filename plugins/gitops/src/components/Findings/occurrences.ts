import type { FindingOccurrence } from '@gitops-suite/backstage-plugin-gitops-common';

/** `Rollout/payments-api (app)`: where in the environment an image runs. */
export function placeLabel(o: FindingOccurrence): string {
  return o.container
    ? `${o.workload} (${o.container})`
    : `${o.workload} (CI scan)`;
}

/** Each image, with the workloads and containers running it. */
export function byImage(
  occurrences: FindingOccurrence[],
): [string, string[]][] {
  const grouped = new Map<string, string[]>();
  for (const o of occurrences)
    grouped.set(o.image, [...(grouped.get(o.image) ?? []), placeLabel(o)]);
  return [...grouped];
}
