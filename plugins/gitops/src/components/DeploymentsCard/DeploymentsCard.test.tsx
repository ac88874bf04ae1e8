import { EntityProvider } from '@backstage/plugin-catalog-react';
import { MockPermissionApi, TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Entity } from '@backstage/catalog-model';
import type {
  ApplicationSummary,
  DeploymentsResponse,
  PromotionPreview,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef, type GitopsApi } from '../../api';
import { rootRouteRef } from '../../routes';
import { DeploymentsCard } from './DeploymentsCard';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: { 'argocd/app-selector': 'app.kubernetes.io/name=payments-api' },
  },
  spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
};

const REVISION = 'abcdef1234567890abcdef1234567890abcdef12';

const app = (name: string, health: ApplicationSummary['health']['status'], sync: ApplicationSummary['sync']['status'] = 'Synced'): ApplicationSummary => ({
  instance: 'main',
  name,
  sync: { status: sync, revision: REVISION },
  health: { status: health },
  images: [],
  history: [],
});

const response: DeploymentsResponse = {
  entityRef: 'component:default/payments-api',
  environments: [
    {
      name: 'dev',
      title: 'Development',
      applications: [app('payments-api-dev', 'Suspended')],
      version: { image: 'ghcr.io/example/payments-api:1.5.0', tag: '1.5.0', revision: REVISION },
      lastDeployedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
      rollouts: [
        {
          name: 'payments-api',
          namespace: 'payments-api-dev',
          strategy: 'canary',
          phase: 'Paused',
          paused: true,
          pauseReasons: [{ reason: 'CanaryPauseStep' }],
          aborted: false,
          completed: false,
          step: { index: 1, count: 4 },
          steps: [{ kind: 'setWeight', value: 20 }, { kind: 'pause' }, { kind: 'setWeight', value: 50 }, { kind: 'pause', value: '10s' }],
          weights: { stable: 80, canary: 20, source: 'step' },
          images: ['ghcr.io/example/payments-api:1.5.0'],
        },
      ],
    },
    {
      name: 'staging',
      title: 'Staging',
      promotesFrom: 'dev',
      applications: [app('payments-api-staging', 'Healthy', 'OutOfSync')],
      // No tag: the card falls back to the short digest.
      version: { image: 'ghcr.io/example/payments-api@sha256:0123456789abcdef0123', digest: 'sha256:0123456789abcdef0123456789abcdef' },
      rollouts: [
        {
          name: 'payments-api',
          namespace: 'payments-api-staging',
          strategy: 'canary',
          phase: 'Healthy',
          paused: false,
          pauseReasons: [],
          aborted: false,
          completed: true,
          step: { index: 4, count: 4 },
          steps: [],
          images: [],
        },
      ],
      behindSource: true,
    },
    {
      name: 'prod',
      title: 'Production',
      promotesFrom: 'staging',
      // Neither tag nor digest: the git revision.
      applications: [app('payments-api-prod', 'Degraded')],
      version: {},
      rollouts: [],
    },
    { name: 'dr', title: 'Disaster recovery', promotesFrom: 'prod', applications: [], rollouts: [] },
  ],
  unassigned: [],
  errors: [{ source: 'argocd:other', message: 'connection refused' }],
};

const preview: PromotionPreview = {
  entityRef: 'component:default/payments-api',
  from: 'dev',
  to: 'staging',
  version: { tag: '1.5.0', image: 'ghcr.io/example/payments-api:1.5.0', repository: 'ghcr.io/example/payments-api' },
  gates: [],
  requiredApprovals: 0,
  approverGroups: [],
};

function renderCard(api: Partial<GitopsApi>, options: { allow?: boolean; forEntity?: Entity } = {}) {
  const { allow = true, forEntity = entity } = options;
  const permissionApi = new MockPermissionApi(() => (allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY));
  return renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, permissionApi]]}>
      <EntityProvider entity={forEntity}>
        <DeploymentsCard />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/default/component/payments-api/deployments': rootRouteRef } },
  );
}

const row = (name: string) => within(screen.getByTestId(`card-environment-${name}`));

describe('DeploymentsCard', () => {
  it('shows each environment in promotion order with version, status and rollout', async () => {
    const getDeployments = jest.fn().mockResolvedValue(response);
    await renderCard({ getDeployments });

    expect(await screen.findByText('Development')).toBeInTheDocument();
    expect(getDeployments).toHaveBeenCalledWith({ kind: 'Component', namespace: 'default', name: 'payments-api' });
    expect(screen.getAllByTestId(/^card-environment-/).map(e => e.dataset.testid)).toEqual([
      'card-environment-dev',
      'card-environment-staging',
      'card-environment-prod',
      'card-environment-dr',
    ]);
    expect(row('dev').getByText('1.5.0')).toBeInTheDocument();
    expect(row('dev').getByText('Synced')).toBeInTheDocument();
    expect(row('dev').getByText('Suspended')).toBeInTheDocument();
    expect(row('dev').getByText('canary 1/4, paused')).toBeInTheDocument();
    expect(row('dev').getByText('3 hours ago')).toBeInTheDocument();

    expect(row('staging').getByText('sha256:0123456789ab')).toBeInTheDocument();
    expect(row('staging').getByText('OutOfSync')).toBeInTheDocument();
    expect(row('staging').getByText('behind dev')).toBeInTheDocument();
    // A completed rollout is not "in progress".
    expect(row('staging').queryByText(/canary/)).not.toBeInTheDocument();

    expect(row('prod').getByText('abcdef1')).toBeInTheDocument();
    expect(row('prod').getByText('Degraded')).toBeInTheDocument();
    expect(row('dr').getByText('not deployed')).toBeInTheDocument();

    expect(screen.getByText(/Partial data: argocd:other/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /View deployments/ })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/deployments',
    );
  });

  it('shows a rollout whose state could not be read as "state unknown", never as complete', async () => {
    // dev's rollout is done too: without the unknown one, the card would show no Rollout column at all.
    const environments = response.environments.map(e => {
      if (e.name === 'dev') return { ...e, rollouts: [] };
      if (e.name !== 'staging') return e;
      const unknownRollouts = [
        { application: 'payments-api-staging', namespace: 'payments-api-staging', name: 'payments-api-canary', message: 'timeout reading the Rollout' },
      ];
      return { ...e, unknownRollouts };
    });
    await renderCard({ getDeployments: jest.fn().mockResolvedValue({ ...response, environments }) });

    expect(await screen.findByRole('columnheader', { name: 'Rollout' })).toBeInTheDocument();
    const notice = row('staging').getByTestId('unknown-rollout-payments-api-staging/payments-api-canary');
    expect(notice).toHaveTextContent('Rollout payments-api-staging/payments-api-canary: state unknown');
    expect(notice).toHaveTextContent('timeout reading the Rollout');
    expect(row('prod').queryByText(/state unknown/)).not.toBeInTheDocument();
  });

  it('shows no Rollout column when every rollout is complete and readable', async () => {
    const environments = response.environments.map(e => (e.name === 'dev' ? { ...e, rollouts: [] } : e));
    await renderCard({ getDeployments: jest.fn().mockResolvedValue({ ...response, environments }) });
    expect(await screen.findByText('Development')).toBeInTheDocument();
    expect(screen.queryByRole('columnheader', { name: 'Rollout' })).not.toBeInTheDocument();
  });

  it('offers "Promote to <next>" where a promotion is possible and opens the promotion dialog', async () => {
    const previewPromotion = jest.fn().mockResolvedValue(preview);
    await renderCard({ getDeployments: jest.fn().mockResolvedValue(response), previewPromotion });

    const promote = await screen.findByRole('button', { name: 'Promote to Staging' });
    expect(row('dev').getByRole('button', { name: 'Promote to Staging' })).toBe(promote);
    // staging has no tag to promote; prod's next environment has nothing deployed.
    expect(screen.getAllByRole('button', { name: /^Promote to/ })).toHaveLength(1);

    await userEvent.click(promote);
    expect(await screen.findByText('Promote 1.5.0 from Development to Staging')).toBeInTheDocument();
    expect(previewPromotion).toHaveBeenCalledWith({ entityRef: 'component:default/payments-api', from: 'dev', to: 'staging' });
  });

  it('hides the promote button without the promote permission', async () => {
    // Another entity: usePermission caches (SWR) decisions per permission and resource.
    const locked = { ...entity, metadata: { ...entity.metadata, name: 'locked-api' } };
    await renderCard({ getDeployments: jest.fn().mockResolvedValue(response) }, { allow: false, forEntity: locked });
    expect(await screen.findByText('Development')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Promote to/ })).not.toBeInTheDocument();
  });

  it('folds the errors of several sources into one warning', async () => {
    const errors = [
      { source: 'kubernetes:main', message: 'rollouts: HTTP 500' },
      { source: 'kubernetes:main', message: 'policies: HTTP 500' },
      { source: 'argocd:other', message: 'connection refused' },
    ];
    await renderCard({ getDeployments: jest.fn().mockResolvedValue({ ...response, errors }) });
    expect(await screen.findByText(/Partial data from 2 sources/)).toBeInTheDocument();
    expect(screen.getByText('kubernetes:main: policies: HTTP 500')).toBeInTheDocument();
    // The environments are still shown.
    expect(screen.getByText('Development')).toBeInTheDocument();
  });

  it('shows the error in the card when the backend fails', async () => {
    await renderCard({ getDeployments: jest.fn().mockRejectedValue(new Error('backend exploded')) });
    expect(await screen.findByText(/Could not load the deployments/)).toBeInTheDocument();
    expect(screen.getByText('Deployments')).toBeInTheDocument();
  });

  it('says so when the entity has no environments', async () => {
    await renderCard({ getDeployments: jest.fn().mockResolvedValue({ ...response, environments: [], errors: [] }) });
    expect(await screen.findByText('No environments')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('explains which annotation is missing', async () => {
    const getDeployments = jest.fn();
    await renderCard({ getDeployments }, { forEntity: { ...entity, metadata: { name: 'bare' } } });
    expect(screen.getAllByText(/argocd\/app-selector/).length).toBeGreaterThan(0);
    expect(getDeployments).not.toHaveBeenCalled();
  });
});
