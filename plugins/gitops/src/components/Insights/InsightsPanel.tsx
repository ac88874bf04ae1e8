import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Grid } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { measureLabels } from './format';
import {
  useInsightsControls,
  type InsightsEnvironment,
} from './InsightsControls';
import { MeasureTile } from './MeasureTile';

/**
 * The entity's delivery insights (the four DORA measures) in one environment, prod
 * by default, over 7, 30 or 90 days; each measure says what it counted and what it
 * could not. A new `refreshKey` (e.g. after a promotion) reads them again.
 */
export function InsightsPanel(props: {
  environments: InsightsEnvironment[];
  refreshKey?: unknown;
}) {
  const { environments, refreshKey } = props;
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(gitopsApiRef);
  const { environment, days, controls } = useInsightsControls(environments);
  const { value, loading, error } = useAsync(
    () => api.getInsights({ entityRef, environment, days }),
    [api, entityRef, environment, days, refreshKey],
  );
  const measures = value?.items?.find(item => item.environment === environment);

  return (
    <div data-testid="delivery-insights">
      <InfoCard
        title="Delivery insights"
        subheader="The four DORA measures, from the promotions and Argo CD syncs recorded here"
        action={controls}
      >
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {!loading && !error && measures && (
          <Grid container spacing={2}>
            {measureLabels(measures).map(m => (
              <Grid item xs={12} sm={6} md={3} key={m.title}>
                <MeasureTile
                  measure={m}
                  weeks={
                    m.title === 'Deployment frequency'
                      ? measures.weeks
                      : undefined
                  }
                />
              </Grid>
            ))}
          </Grid>
        )}
      </InfoCard>
    </div>
  );
}
