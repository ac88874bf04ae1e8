import { MockPermissionApi, TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { GITOPS_FLEET_SIGNAL_CHANNEL, type InsightsResponse } from '@gitops-suite/backstage-plugin-gitops-common';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef } from '../../api';
import { FakeSignalApi } from '../../__testUtils__/FakeSignalApi';
import { FleetPage, FleetTable, FLEET_ROW_HEIGHT } from './FleetPage';
import type { FleetItem, FleetResponse } from './types';

const mountedRoutes = { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } };

const environments = [
  { name: 'dev', title: 'Development' },
  { name: 'staging', title: 'Staging', promotesFrom: 'dev' },
  { name: 'prod', title: 'Production', promotesFrom: 'staging' },
];

function item(name: string, overrides: Partial<FleetItem> = {}): FleetItem {
  return {
    entityRef: `component:default/${name}`,
    kind: 'Component',
    namespace: 'default',
    name,
    owner: 'group:default/team-a',
    system: 'system:default/shop',
    environments: {
      dev: { version: { image: `ghcr.io/example/${name}:1.5.0`, tag: '1.5.0' }, sync: 'Synced', health: 'Healthy', applications: 1 },
      prod: { version: { image: `ghcr.io/example/${name}:1.4.0`, tag: '1.4.0' }, sync: 'Synced', health: 'Healthy', applications: 1 },
    },
    drift: false,
    risk: 'none',
    riskReasons: [],
    ...overrides,
  };
}

const fleet: FleetResponse = {
  environments,
  items: [
    item('payments', {
      title: 'Payments API',
      system: 'system:default/billing',
      drift: true,
      environments: {
        dev: { version: { image: 'ghcr.io/example/payments:1.5.0', tag: '1.5.0' }, sync: 'Synced', health: 'Healthy', applications: 1 },
        staging: {
          version: { image: 'ghcr.io/example/payments:1.4.0', tag: '1.4.0' },
          sync: 'OutOfSync',
          health: 'Progressing',
          rolloutPhase: 'Paused',
          behindSource: true,
          applications: 1,
          vulnerabilities: { critical: 1, high: 2 },
        },
      },
      risk: 'low',
      riskReasons: ['staging: Progressing'],
    }),
    item('orders', { owner: 'group:default/team-b', risk: 'high', riskReasons: ['prod: Degraded'] }),
    item('search'),
  ],
  errors: [],
};

const rows = () =>
  screen.getAllByRole('row').filter(row => row.getAttribute('data-testid')?.startsWith('fleet-row-'));
const rowNames = () => rows().map(row => row.getAttribute('data-testid')!.replace('fleet-row-component:default/', ''));

describe('FleetTable', () => {
  it('renders one row per service, riskiest first, with every environment', async () => {
    await renderInTestApp(<FleetTable fleet={fleet} />, mountedRoutes);
    expect(screen.getAllByRole('columnheader').map(h => h.textContent)).toEqual([
      'Service', 'Risk', 'Drift', 'Previews', 'Development', 'Staging', 'Production',
    ]);
    expect(rowNames()).toEqual(['orders', 'payments', 'search']);
    const payments = screen.getByTestId('fleet-row-component:default/payments');
    expect(within(payments).getByRole('link', { name: 'Payments API' })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments',
    );
    const cells = within(payments).getAllByRole('cell');
    expect(cells[1]).toHaveTextContent('low');
    expect(cells[1]).toHaveAttribute('title', 'staging: Progressing');
    expect(cells[2]).toHaveTextContent('drift');
    expect(cells[3]).toHaveTextContent('–');
    expect(cells[5]).toHaveTextContent('1.4.0');
    expect(cells[5]).toHaveTextContent('behind');
    expect(cells[5]).toHaveTextContent('Paused');
    expect(cells[5]).toHaveTextContent('C1 H2');
    expect(within(cells[5]).getByRole('img', { name: 'sync: OutOfSync' })).toBeInTheDocument();
    expect(within(cells[5]).getByRole('img', { name: 'health: Progressing' })).toBeInTheDocument();
    expect(within(cells[6]).getByLabelText('not deployed')).toBeInTheDocument();
    expect(screen.getByTestId('fleet-summary')).toHaveTextContent('3 of 3 services · 1 high risk · 1 drifting');
  });

  it('shows exposed secrets, and exposed secrets nobody knows, where risk is shown', async () => {
    const leaking: FleetResponse = {
      ...fleet,
      items: [
        item('orders', {
          environments: {
            staging: { version: { image: 'ghcr.io/example/orders:2.2.0', tag: '2.2.0' }, applications: 1, exposedSecrets: 1 },
            prod: {
              version: { image: 'ghcr.io/example/orders:2.0.3', tag: '2.0.3' },
              applications: 1,
              exposedSecretsUnknown: 'No ExposedSecretReport for ghcr.io/example/orders:2.0.3',
            },
          },
          risk: 'high',
          riskReasons: ['staging: 1 exposed secret', 'prod: exposed secrets unknown (No ExposedSecretReport for ghcr.io/example/orders:2.0.3)'],
        }),
      ],
    };
    await renderInTestApp(<FleetTable fleet={leaking} />, mountedRoutes);
    const cells = within(screen.getByTestId('fleet-row-component:default/orders')).getAllByRole('cell');
    expect(cells[1]).toHaveTextContent('high');
    expect(cells[1].getAttribute('title')).toContain('staging: 1 exposed secret');
    expect(within(cells[5]).getByText('1 secret')).toHaveAttribute('title', '1 exposed secret in the running images');
    expect(within(cells[6]).getByText('secrets?')).toHaveAttribute(
      'title',
      'exposed secrets unknown: No ExposedSecretReport for ghcr.io/example/orders:2.0.3',
    );
  });

  it('counts each service\'s previews, a dash for none', async () => {
    await renderInTestApp(
      <FleetTable fleet={{ ...fleet, items: [item('orders', { previews: 2 }), item('search', { previews: 0 }), item('cart')] }} />,
      mountedRoutes,
    );
    const previews = (name: string) => within(screen.getByTestId(`fleet-row-component:default/${name}`)).getByTestId('fleet-previews');
    expect(previews('orders')).toHaveTextContent(/^2$/);
    expect(within(previews('orders')).getByText('2')).toHaveAttribute('title', '2 previews: one per open pull request');
    expect(previews('search')).toHaveTextContent('–');
    expect(previews('cart')).toHaveTextContent('–');
  });

  it('filters by owner, system and text', async () => {
    await renderInTestApp(<FleetTable fleet={fleet} />, mountedRoutes);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Owner'), 'group:default/team-a');
    expect(rowNames()).toEqual(['payments', 'search']);
    await user.selectOptions(screen.getByLabelText('System'), 'system:default/shop');
    expect(rowNames()).toEqual(['search']);
    await user.selectOptions(screen.getByLabelText('Owner'), '');
    expect(rowNames()).toEqual(['orders', 'search']);
    await user.selectOptions(screen.getByLabelText('System'), '');
    await user.type(screen.getByLabelText('Search'), 'payments api');
    await waitFor(() => expect(rowNames()).toEqual(['payments']));
    await user.clear(screen.getByLabelText('Search'));
    await user.type(screen.getByLabelText('Search'), 'nothing-like-this');
    await waitFor(() => expect(screen.getByText('No service matches these filters.')).toBeInTheDocument());
  });

  it('renders only a window of rows for 2,000 services, and the rows scrolled to', async () => {
    const big: FleetResponse = {
      environments,
      items: Array.from({ length: 2000 }, (_, i) => item(`svc-${String(i).padStart(4, '0')}`)),
      errors: [],
    };
    await renderInTestApp(<FleetTable fleet={big} height={600} />, mountedRoutes);
    const table = screen.getByRole('table', { name: 'Fleet' });
    expect(table).toHaveAttribute('aria-rowcount', '2001');
    expect(rows().length).toBeGreaterThan(5);
    expect(rows().length).toBeLessThan(40);
    expect(rowNames()[0]).toBe('svc-0000');

    fireEvent.scroll(table, { target: { scrollTop: 40 + 1000 * FLEET_ROW_HEIGHT } });
    await waitFor(() => expect(screen.getByTestId('fleet-row-component:default/svc-1000')).toBeInTheDocument());
    expect(screen.queryByTestId('fleet-row-component:default/svc-0000')).not.toBeInTheDocument();
    expect(rows().length).toBeLessThan(40);
    const offset = screen.getByTestId('fleet-row-component:default/svc-1000').style.transform;
    expect(offset).toBe(`translateY(${1000 * FLEET_ROW_HEIGHT}px)`);

    // Scrolled far down, then filtered to a short list: the window follows.
    await userEvent.setup().type(screen.getByLabelText('Search'), 'svc-000');
    await waitFor(() => expect(rows().length).toBe(10));
  });
});

describe('FleetPage', () => {
  const listLineStops = async () => ({
    active: [{ id: 's1', environment: '*', reason: 'release freeze', stoppedBy: 'user:default/sam', stoppedAt: new Date().toISOString() }],
    recent: [],
  });
  const getInsights = async (): Promise<InsightsResponse> => ({
    days: 30,
    since: '2026-12-01T00:00:00.000Z',
    until: '2026-12-31T00:00:00.000Z',
    fleet: [],
    owners: [],
    systems: [],
  });

  it('loads the fleet through the gitops API and shows partial-data errors, and a stop of the line', async () => {
    const getFleet = jest.fn().mockResolvedValue({
      ...fleet,
      errors: [{ source: 'argocd:other', message: 'connection refused' }],
    });
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, { getFleet, listPromotions: async () => [], listLineStops, getInsights } as never], [permissionApiRef, new MockPermissionApi()]]}>
        <FleetPage />
      </TestApiProvider>,
      mountedRoutes,
    );
    expect(await screen.findByTestId('fleet-row-component:default/orders')).toBeInTheDocument();
    expect(getFleet).toHaveBeenCalledWith({}, { findings: true });
    expect(screen.getByText(/Partial data: 1 source could not be read/)).toBeInTheDocument();
    expect(await screen.findByText('Promotions into every environment are stopped')).toBeInTheDocument();
  });

  it('shows the error when the fleet cannot be read', async () => {
    const getFleet = jest.fn().mockRejectedValue(new Error('fleet route failed'));
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, { getFleet, listPromotions: async () => [], listLineStops, getInsights } as never], [permissionApiRef, new MockPermissionApi()]]}>
        <FleetPage />
      </TestApiProvider>,
      mountedRoutes,
    );
    expect((await screen.findAllByText(/fleet route failed/)).length).toBeGreaterThan(0);
  });

  it('re-reads the fleet when the backend signals a change on the fleet channel', async () => {
    const signals = new FakeSignalApi();
    const changed: FleetResponse = { ...fleet, items: [...fleet.items, item('inventory')] };
    const getFleet = jest.fn().mockResolvedValueOnce(fleet).mockResolvedValueOnce(changed);
    await renderInTestApp(
      <TestApiProvider
        apis={[[gitopsApiRef, { getFleet, listPromotions: async () => [], listLineStops, getInsights } as never], [permissionApiRef, new MockPermissionApi()], [signalApiRef, signals]]}
      >
        <FleetPage />
      </TestApiProvider>,
      mountedRoutes,
    );
    expect(await screen.findByTestId('fleet-row-component:default/orders')).toBeInTheDocument();
    expect(screen.queryByTestId('fleet-row-component:default/inventory')).not.toBeInTheDocument();

    signals.publish(GITOPS_FLEET_SIGNAL_CHANNEL, { kind: 'deployments', entityRef: 'component:default/inventory' });
    expect(await screen.findByTestId('fleet-row-component:default/inventory')).toBeInTheDocument();
    expect(getFleet).toHaveBeenCalledTimes(2);
  });
});
