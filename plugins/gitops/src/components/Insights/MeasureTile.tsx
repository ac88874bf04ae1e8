import { Tooltip, Typography } from '@material-ui/core';
import type { InsightsWeek } from '@gitops-suite/backstage-plugin-gitops-common';
import type { MeasureLabel } from './format';
import { Sparkline } from './Sparkline';

/** One measure: its title, its value, what it counted (the detail on hover) and, with `weeks`, a sparkline. */
export function MeasureTile({ measure, weeks }: { measure: MeasureLabel; weeks?: InsightsWeek[] }) {
  return (
    <>
      <Typography variant="overline" color="textSecondary">
        {measure.title}
      </Typography>
      <Typography variant="h6" aria-label={measure.title}>
        {measure.value}
      </Typography>
      <Tooltip title={measure.detail ?? ''} disableHoverListener={!measure.detail}>
        <Typography variant="caption" color="textSecondary" display="block">
          {measure.counted}
        </Typography>
      </Tooltip>
      {weeks && <Sparkline weeks={weeks} />}
    </>
  );
}
