import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { DeliveryMeasures, InsightsGroup, InsightsResponse } from '@gitops-suite/backstage-plugin-gitops-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { gitopsApiRef, type GitopsApi } from '../../api';
import { InsightsPanel } from './InsightsPanel';
import { FleetInsightsTable } from './FleetInsightsTable';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'team-payments' },
};
const environments = [
  { name: 'staging', title: 'Staging' },
  { name: 'prod', title: 'Production' },
];

const measures = (environment: string, overrides: Partial<DeliveryMeasures> = {}): DeliveryMeasures => ({
  environment,
  deploymentFrequency: { value: 12, perWeek: 2.8, sampleSize: 12, notMeasured: 0, promotions: 10, rollbacks: 2, direct: 0 },
  leadTime: { value: 5 * 3600, p90: 30 * 3600, sampleSize: 40, promotions: 7, notMeasured: 3, reason: '3 promotions without source commits (source commits not recorded)' },
  changeFailureRate: { value: 0.25, sampleSize: 12, notMeasured: 0, failures: 3, failedPromotions: 1, manualRollbacks: 2, automaticRollbacks: 0 },
  timeToRestore: { value: 1800, p90: 7200, sampleSize: 2, notMeasured: 1, reason: '1 failure not restored yet' },
  weeks: [
    { start: '2026-12-01T00:00:00.000Z', deployments: 2, failures: 0 },
    { start: '2026-12-08T00:00:00.000Z', deployments: 4, failures: 1 },
    { start: '2026-12-15T00:00:00.000Z', deployments: 6, failures: 0 },
  ],
  ...overrides,
});

const entityResponse = (environment: string, m = measures(environment)): InsightsResponse => ({
  days: 30,
  since: '2026-12-01T00:00:00.000Z',
  until: '2026-12-31T00:00:00.000Z',
  items: [{ entityRef: 'component:default/payments-api', ...m }],
});

describe('InsightsPanel', () => {
  it('shows the four measures for prod with what each counted, and reads another environment and period on demand', async () => {
    const getInsights = jest.fn(async (query: Parameters<GitopsApi['getInsights']>[0]) =>
      query.environment === 'staging'
        ? entityResponse('staging', {
            ...measures('staging'),
            deploymentFrequency: { value: null, perWeek: null, sampleSize: 0, notMeasured: 0, promotions: 0, rollbacks: 0, direct: 0, reason: 'no promotions or rollbacks recorded in the period' },
            leadTime: { value: null, p90: null, sampleSize: 0, promotions: 0, notMeasured: 0, reason: 'no succeeded promotion in the period' },
          })
        : entityResponse('prod'),
    );
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, { getInsights }]]}>
        <EntityProvider entity={entity}>
          <InsightsPanel environments={environments} />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByLabelText('Deployment frequency')).toHaveTextContent('2.8 / week');
    expect(getInsights).toHaveBeenCalledWith({ entityRef: 'component:default/payments-api', environment: 'prod', days: 30 });
    expect(screen.getByText('12 deployments: 10 promotions, 2 rollbacks')).toBeInTheDocument();
    expect(screen.getByLabelText('Lead time for changes')).toHaveTextContent('5.0 h (p90 30.0 h)');
    expect(screen.getByText('from 40 commits of 10 promotions; 3 without source commits')).toBeInTheDocument();
    expect(screen.getByLabelText('Change failure rate')).toHaveTextContent('25 %');
    expect(screen.getByText('3 failures of 12 changes (1 failed, 2 manual rollbacks, 0 automatic)')).toBeInTheDocument();
    expect(screen.getByLabelText('Time to restore')).toHaveTextContent('30 min (p90 2.0 h)');
    expect(screen.getByText('from 2 restored failures; 1 not restored yet')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Deployments per week: 2, 4, 6' })).toBeInTheDocument();

    fireEvent.mouseDown(screen.getByLabelText('Period'));
    fireEvent.click(within(await screen.findByRole('listbox')).getByText('90 days'));
    await waitFor(() => expect(getInsights).toHaveBeenLastCalledWith({ entityRef: 'component:default/payments-api', environment: 'prod', days: 90 }));

    fireEvent.mouseDown(screen.getByLabelText('Environment'));
    fireEvent.click(within(await screen.findByRole('listbox')).getByText('Staging'));
    await waitFor(() => expect(screen.getByLabelText('Deployment frequency')).toHaveTextContent('no data'));
    expect(getInsights).toHaveBeenLastCalledWith({ entityRef: 'component:default/payments-api', environment: 'staging', days: 90 });
    expect(screen.getByText('no promotions or rollbacks recorded in the period')).toBeInTheDocument();
    expect(screen.getByText('from 0 commits of 0 promotions; no succeeded promotion in the period')).toBeInTheDocument();
  });

  it('shows the error when the insights cannot be read', async () => {
    const getInsights = jest.fn().mockRejectedValue(new Error('days: must be 7, 30 or 90'));
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, { getInsights }]]}>
        <EntityProvider entity={entity}>
          <InsightsPanel environments={environments} />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect((await screen.findAllByText(/days: must be 7, 30 or 90/)).length).toBeGreaterThan(0);
  });
});

describe('FleetInsightsTable', () => {
  const group = (name: string, environment: string, perWeek: number | null, leadTime: number | null): InsightsGroup => ({
    name,
    entities: 3,
    ...measures(environment, {
      deploymentFrequency: { value: perWeek === null ? null : 1, perWeek, sampleSize: 1, notMeasured: 0, promotions: 1, rollbacks: 0, direct: 0 },
      leadTime: { value: leadTime, p90: leadTime, sampleSize: leadTime === null ? 0 : 1, promotions: 1, notMeasured: leadTime === null ? 2 : 0 },
    }),
  });

  const fleetResponse = (): InsightsResponse => ({
    days: 30,
    since: '2026-12-01T00:00:00.000Z',
    until: '2026-12-31T00:00:00.000Z',
    fleet: [],
    systems: [
      group('system:default/checkout', 'prod', 4, 3600),
      group('system:default/ledger', 'staging', 2, 60),
    ],
    owners: [
      group('group:default/team-b', 'prod', 5, null),
      group('group:default/team-a', 'prod', 1, 7200),
      group('group:default/team-c', 'prod', 3, 600),
      group('group:default/team-a', 'staging', 9, 60),
    ],
  });

  it('lists the owners of the environment, sortable by a measure with no-data last', async () => {
    const getInsights = jest.fn(async () => fleetResponse());
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, { getInsights }]]}>
        <FleetInsightsTable environments={environments} />
      </TestApiProvider>,
    );
    await screen.findByText('group:default/team-c');
    expect(getInsights).toHaveBeenCalledWith({ environment: 'prod', days: 30 });
    const owners = () => screen.getAllByText(/^group:default\/team-/).map(e => e.textContent);
    expect(owners()).toEqual(['group:default/team-a', 'group:default/team-b', 'group:default/team-c']);
    expect(screen.getByText('no data (2 not measurable)')).toBeInTheDocument();
    expect(screen.getByText('2.0 h')).toBeInTheDocument();

    fireEvent.click(screen.getByText('Lead time (median)'));
    await waitFor(() => expect(owners()).toEqual(['group:default/team-c', 'group:default/team-a', 'group:default/team-b']));
    fireEvent.click(screen.getByText('Deploys / week'));
    await waitFor(() => expect(owners()).toEqual(['group:default/team-a', 'group:default/team-c', 'group:default/team-b']));
  });

  it('groups by system on demand, from the same response', async () => {
    const getInsights = jest.fn(async () => fleetResponse());
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, { getInsights }]]}>
        <FleetInsightsTable environments={environments} />
      </TestApiProvider>,
    );
    await screen.findByText('group:default/team-c');
    expect(screen.getByText('Delivery insights by owner')).toBeInTheDocument();

    fireEvent.mouseDown(screen.getByLabelText('Group by'));
    fireEvent.click(within(await screen.findByRole('listbox')).getByText('System'));
    expect(await screen.findByText('system:default/checkout')).toBeInTheDocument();
    expect(screen.getByText('Delivery insights by system')).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: /^System/ })).toBeInTheDocument();
    expect(screen.getByText('1.0 h')).toBeInTheDocument();
    expect(screen.queryByText('system:default/ledger')).not.toBeInTheDocument();
    expect(screen.queryByText('group:default/team-c')).not.toBeInTheDocument();
    expect(getInsights).toHaveBeenCalledTimes(1);
  });
});
