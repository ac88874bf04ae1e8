import { InfoCard, ResponseErrorPanel, Table } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, MenuItem, TextField } from '@material-ui/core';
import type { InsightsGroup } from '@gitops-suite/backstage-plugin-gitops-common';
import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { groupColumns } from './groupColumns';
import { useInsightsControls, type InsightsEnvironment } from './InsightsControls';

const GROUPINGS = {
  owners: { title: 'Owner', label: 'owner' },
  systems: { title: 'System', label: 'system' },
} as const;
type Grouping = keyof typeof GROUPINGS;

/** The fleet's delivery insights by owner or by system in one environment (prod by default), sortable by each measure. */
export function FleetInsightsTable({ environments }: { environments: InsightsEnvironment[] }) {
  const api = useApi(gitopsApiRef);
  const { environment, days, controls } = useInsightsControls(environments, 'fleet-insights');
  const [grouping, setGrouping] = useState<Grouping>('owners');
  const { value, loading, error } = useAsync(() => api.getInsights({ environment, days }), [api, environment, days]);
  const { title, label } = GROUPINGS[grouping];
  const columns = useMemo(() => groupColumns(title), [title]);
  const heading = `Delivery insights by ${label}`;

  if (error) {
    return (
      <InfoCard title={heading}>
        <ResponseErrorPanel error={error} />
      </InfoCard>
    );
  }
  return (
    <>
      <Box mb={1} display="flex" style={{ gap: 8 }}>
        <TextField
          select
          size="small"
          id="fleet-insights-group-by"
          label="Group by"
          value={grouping}
          onChange={e => setGrouping(e.target.value as Grouping)}
        >
          {Object.entries(GROUPINGS).map(([key, g]) => (
            <MenuItem key={key} value={key}>
              {g.title}
            </MenuItem>
          ))}
        </TextField>
        {controls}
      </Box>
      <Table<InsightsGroup>
        key={grouping}
        title={heading}
        subtitle={`The four DORA measures over the last ${days} days, from the promotions and Argo CD syncs recorded here`}
        isLoading={loading}
        columns={columns}
        data={(value?.[grouping] ?? []).filter(g => g.environment === environment)}
        options={{ paging: false, search: false, padding: 'dense' }}
        emptyContent={<Box p={2}>Nothing reached {environment} in the last {days} days.</Box>}
      />
    </>
  );
}
