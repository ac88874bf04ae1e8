import { Box, MenuItem, TextField } from '@material-ui/core';
import { useState, type ReactNode } from 'react';

/** The periods the insights can be read over, in days. */
export const PERIODS = [7, 30, 90] as const;
export type InsightsPeriod = (typeof PERIODS)[number];

export type InsightsEnvironment = { name: string; title: string };

/** Prod when there is one, else the last environment (the one closest to production). */
export function defaultEnvironment(environments: InsightsEnvironment[]): string | undefined {
  return environments.find(e => e.name === 'prod')?.name ?? environments[environments.length - 1]?.name;
}

/**
 * The environment and period the insights are read for, and the two selects that
 * choose them; `id` keeps the select ids unique when several are on a page.
 */
export function useInsightsControls(environments: InsightsEnvironment[], id = 'insights') {
  const [environment, setEnvironment] = useState(() => defaultEnvironment(environments));
  const [days, setDays] = useState<InsightsPeriod>(30);
  const controls: ReactNode = (
    <Box display="flex" style={{ gap: 8 }}>
      <TextField
        select
        size="small"
        id={`${id}-environment`}
        label="Environment"
        value={environment ?? ''}
        onChange={e => setEnvironment(e.target.value)}
      >
        {environments.map(e => (
          <MenuItem key={e.name} value={e.name}>
            {e.title}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        size="small"
        id={`${id}-period`}
        label="Period"
        value={days}
        onChange={e => setDays(Number(e.target.value) as InsightsPeriod)}
      >
        {PERIODS.map(p => (
          <MenuItem key={p} value={p}>
            {p} days
          </MenuItem>
        ))}
      </TextField>
    </Box>
  );
  return { environment, days, controls };
}
