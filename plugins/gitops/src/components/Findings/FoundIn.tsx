import { Typography } from '@material-ui/core';
import type { FindingOccurrence } from '@gitops-suite/backstage-plugin-gitops-common';
import { byImage } from './occurrences';

/** The images a finding is in, each with the workloads and containers running it. */
export function FoundIn(props: { occurrences: FindingOccurrence[] }) {
  return (
    <>
      {byImage(props.occurrences).map(([image, places]) => (
        <Typography key={image} variant="body2" component="div">
          {image}
          <Typography variant="caption" color="textSecondary" component="div">
            {places.join(', ')}
          </Typography>
        </Typography>
      ))}
    </>
  );
}

/** For the tables' search and column filter. */
export function foundInText(occurrences: FindingOccurrence[]): string {
  return byImage(occurrences).flat(2).join(' ').toLowerCase();
}
