import type { InsightsWeek } from '@gitops-suite/backstage-plugin-gitops-common';

/** Deployments per week as a small inline SVG line (failures as red dots); nothing below two weeks. */
export function Sparkline({ weeks, width = 120, height = 28 }: { weeks: InsightsWeek[]; width?: number; height?: number }) {
  if (weeks.length < 2) return null;
  const max = Math.max(1, ...weeks.map(w => w.deployments));
  const x = (i: number) => (i / (weeks.length - 1)) * (width - 4) + 2;
  const y = (v: number) => height - 2 - (v / max) * (height - 4);
  const points = weeks.map((w, i) => `${x(i).toFixed(1)},${y(w.deployments).toFixed(1)}`).join(' ');
  const label = `Deployments per week: ${weeks.map(w => w.deployments).join(', ')}`;
  return (
    <svg width={width} height={height} role="img" aria-label={label}>
      <title>{label}</title>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth={1.5} />
      {weeks.map((w, i) =>
        w.failures ? <circle key={w.start} cx={x(i)} cy={y(w.deployments)} r={2.5} fill="#d32f2f" /> : null,
      )}
    </svg>
  );
}
