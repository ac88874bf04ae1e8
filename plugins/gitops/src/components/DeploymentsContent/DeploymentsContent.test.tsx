import { EntityProvider } from '@backstage/plugin-catalog-react';
import { MockPermissionApi, TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { act, screen, waitFor, within } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import {
  gitopsEntitySignalChannel,
  type DeploymentsResponse,
  type InsightsResponse,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef, type GitopsApi } from '../../api';
import { FakeSignalApi } from '../../__testUtils__/FakeSignalApi';
import { DeploymentsContent } from './DeploymentsContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: { 'argocd/app-selector': 'app.kubernetes.io/name=payments-api' },
  },
  spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
};

const app = (name: string, health: string, sync = 'Synced') => ({
  instance: 'main',
  name,
  sync: { status: sync, revision: 'abcdef1234567890abcdef1234567890abcdef12' },
  health: { status: health },
  images: [],
  url: `https://argocd.example.com/applications/argocd/${name}`,
  lastDeployedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
  history: [{ id: 4, revision: 'abcdef1234567890abcdef1234567890abcdef12', deployedAt: new Date().toISOString() }],
});

const response = {
  entityRef: 'component:default/payments-api',
  environments: [
    {
      name: 'dev',
      title: 'Development',
      applications: [app('payments-api-dev', 'Suspended')],
      version: { image: 'ghcr.io/example/payments-api:1.5.0', tag: '1.5.0', revision: 'abcdef1234567890abcdef1234567890abcdef12' },
      lastDeployedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
      vulnerabilities: {
        counts: { critical: 2, high: 0, medium: 0, low: 3, unknown: 0 },
        fixable: { critical: 1, high: 0, medium: 0, low: 0, unknown: 0 },
      },
      policies: { pass: 5, fail: 1, warn: 0, error: 0, skip: 0 },
      rollouts: [
        {
          name: 'payments-api',
          namespace: 'payments-api-dev',
          strategy: 'canary',
          phase: 'Paused',
          message: 'CanaryPauseStep',
          paused: true,
          pauseReasons: [{ reason: 'CanaryPauseStep', startTime: new Date().toISOString() }],
          aborted: false,
          completed: false,
          step: { index: 1, count: 4 },
          steps: [{ kind: 'setWeight', value: 20 }, { kind: 'pause' }, { kind: 'setWeight', value: 50 }, { kind: 'pause', value: '10s' }],
          weights: { stable: 80, canary: 20 },
          images: ['ghcr.io/example/payments-api:1.5.0'],
        },
      ],
    },
    {
      name: 'staging',
      title: 'Staging',
      promotesFrom: 'dev',
      applications: [app('payments-api-staging', 'Healthy')],
      version: { image: 'ghcr.io/example/payments-api:1.4.2', tag: '1.4.2' },
      rollouts: [],
      behindSource: true,
    },
    { name: 'prod', title: 'Production', promotesFrom: 'staging', applications: [], rollouts: [] },
  ],
  unassigned: [],
  errors: [{ source: 'argocd:other', message: 'connection refused' }],
} as DeploymentsResponse;

const insights: InsightsResponse = {
  days: 30,
  since: '2026-12-01T00:00:00.000Z',
  until: '2026-12-31T00:00:00.000Z',
  items: [],
};

function renderWith(
  api: Partial<GitopsApi>,
  forEntity: Entity = entity,
  permissionApi = new MockPermissionApi(),
  signals = new FakeSignalApi(),
) {
  return renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, { getInsights: jest.fn().mockResolvedValue(insights), ...api }], [permissionApiRef, permissionApi], [signalApiRef, signals]]}>
      <EntityProvider entity={forEntity}>
        <DeploymentsContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('DeploymentsContent', () => {
  it('shows every environment side by side with version, status, rollout and drift', async () => {
    const getDeployments = jest.fn().mockResolvedValue(response);
    const listPromotions = jest.fn().mockResolvedValue([
      {
        id: 'p1', entityRef: 'component:default/payments-api', from: 'dev', to: 'staging',
        version: { tag: '1.5.0' }, previousVersion: { tag: '1.4.2' }, requestedBy: 'user:default/guest',
        status: 'succeeded', gates: [], approvals: [], requiredApprovals: 0,
        commit: { sha: 'cf8d8b4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', repoURL: 'file:///gitops.git', path: 'apps/payments-api/staging/values.yaml' },
        createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), events: [],
      },
    ]);
    await renderWith({ getDeployments, listPromotions });

    expect(await screen.findByText('Development')).toBeInTheDocument();
    expect(getDeployments).toHaveBeenCalledWith({ kind: 'Component', namespace: 'default', name: 'payments-api' });
    expect(screen.getByText('Staging')).toBeInTheDocument();
    // the environment's card, and the delivery insights' environment (prod by default)
    expect(screen.getAllByText('Production')).toHaveLength(2);
    expect(screen.getByLabelText('Environment')).toHaveTextContent('Production');
    expect(screen.getByText('1.5.0')).toBeInTheDocument();
    expect(screen.getByText('behind dev')).toBeInTheDocument();
    expect(screen.getByText('Not deployed here')).toBeInTheDocument();
    expect(screen.getByText('step 1/4')).toBeInTheDocument();
    expect(screen.getByText('canary 20% / stable 80%')).toBeInTheDocument();
    expect(screen.getByText(/paused: CanaryPauseStep/)).toBeInTheDocument();
    expect(screen.getByText('deployed 3 hours ago')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /payments-api-dev/ })).toHaveAttribute(
      'href',
      'https://argocd.example.com/applications/argocd/payments-api-dev',
    );
    expect(screen.getAllByText(/at abcdef1/).length).toBeGreaterThan(0);
    expect(screen.getByText(/Partial data: argocd:other/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Promote 1.5.0 → Staging' })).toBeInTheDocument();
    expect(screen.getByText('2 critical (1 fixable)')).toBeInTheDocument();
    expect(screen.getByText('policies: 5 pass, 1 fail')).toBeInTheDocument();
    expect(await screen.findByText('commit cf8d8b4')).toBeInTheDocument();
    expect(screen.getByText('1.4.2 → 1.5.0')).toBeInTheDocument();
    expect(screen.getByText('Delivery insights')).toBeInTheDocument();
  });

  it('shows each rollout whose state could not be read as "state unknown", with the reason', async () => {
    const unknownRollouts = [
      {
        application: 'payments-api-staging',
        namespace: 'payments-api-staging',
        name: 'payments-api',
        message: 'rollouts.argoproj.io is forbidden: HTTP 403',
      },
    ];
    const withUnknown: DeploymentsResponse = {
      ...response,
      environments: response.environments.map(e => (e.name === 'staging' ? { ...e, unknownRollouts } : e)),
    };
    await renderWith({ getDeployments: jest.fn().mockResolvedValue(withUnknown), listPromotions: jest.fn().mockResolvedValue([]) });

    const staging = within(await screen.findByTestId('environment-staging'));
    const notice = staging.getByTestId('unknown-rollout-payments-api-staging/payments-api');
    expect(notice).toHaveTextContent('Rollout payments-api-staging/payments-api: state unknown');
    expect(notice).toHaveTextContent('rollouts.argoproj.io is forbidden: HTTP 403 (application payments-api-staging)');
    expect(notice).toHaveClass('MuiAlert-standardWarning');
    // Only where the backend reported it.
    expect(within(screen.getByTestId('environment-dev')).queryByText(/state unknown/)).not.toBeInTheDocument();
  });

  it('shows per environment whether each running image is verified, failed its signature check or is not verified', async () => {
    const withSignatures: DeploymentsResponse = {
      ...response,
      environments: response.environments.map(e => {
        if (e.name === 'staging') {
          return {
            ...e,
            imageSignatures: [
              {
                image: 'ghcr.io/example/payments-api:1.4.2',
                status: 'verified' as const,
                message: 'verified image signatures for ghcr.io/example/payments-api:1.4.2',
                policy: 'verify-image-signatures',
                rule: 'verify-signature',
              },
            ],
          };
        }
        if (e.name === 'dev') {
          return {
            ...e,
            imageSignatures: [
              {
                image: 'ghcr.io/example/payments-api:1.5.0',
                status: 'failed' as const,
                message: 'failed to verify image ghcr.io/example/payments-api:1.5.0: .attestors[0].entries[0].keyless: no signatures found',
              },
              { image: 'ghcr.io/example/audit-agent:0.9.0', status: 'unknown' as const, message: 'no Kyverno verifyImages result' },
            ],
          };
        }
        return e;
      }),
    };
    await renderWith({ getDeployments: jest.fn().mockResolvedValue(withSignatures), listPromotions: jest.fn().mockResolvedValue([]) });

    const staging = within(await screen.findByTestId('environment-staging'));
    expect(staging.getByText('image verified')).toBeInTheDocument();
    const dev = within(screen.getByTestId('environment-dev'));
    // Two images: each named.
    expect(dev.getByText('payments-api:1.5.0: signature check failed')).toBeInTheDocument();
    expect(dev.getByText('audit-agent:0.9.0: not verified')).toBeInTheDocument();
    expect(within(screen.getByTestId('environment-prod')).queryByTestId('image-signatures')).not.toBeInTheDocument();
  });

  it('shows the previews of open pull requests below the environments, none when there are none', async () => {
    const withPreviews: DeploymentsResponse = {
      ...response,
      previews: [
        {
          application: { ...app('payments-api-pr-12', 'Healthy'), applicationSet: 'payments-api-previews' } as DeploymentsResponse['environments'][number]['applications'][number],
          pullRequest: { number: 12, title: 'Retry card declines once', url: 'https://github.com/acme/payments-api/pull/12', branch: 'feature/retry', author: 'dana' },
          version: { image: 'ghcr.io/example/payments-api:pr-12', tag: 'pr-12' },
          tearingDown: true,
        },
      ],
    };
    await renderWith({ getDeployments: jest.fn().mockResolvedValue(withPreviews), listPromotions: jest.fn().mockResolvedValue([]) });
    const previews = await screen.findByTestId('previews');
    const row = within(screen.getByTestId('preview-row-12'));
    expect(row.getByRole('link', { name: /#12/ })).toHaveAttribute('href', 'https://github.com/acme/payments-api/pull/12');
    expect(row.getByTestId('preview-tearing-down')).toBeInTheDocument();
    // Never a promotion source or target.
    expect(within(previews).queryByRole('button')).not.toBeInTheDocument();
    // Below the environments.
    expect(screen.getByTestId('environment-prod').compareDocumentPosition(previews) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('renders no previews section without previews', async () => {
    await renderWith({ getDeployments: jest.fn().mockResolvedValue({ ...response, previews: [] }), listPromotions: jest.fn().mockResolvedValue([]) });
    expect(await screen.findByText('Development')).toBeInTheDocument();
    expect(screen.queryByTestId('previews')).not.toBeInTheDocument();
  });

  it('shows the chart an environment runs with the image tag beneath, and promotes the chart', async () => {
    const withCharts: DeploymentsResponse = {
      ...response,
      environments: response.environments.map(e => {
        if (e.name === 'dev') return { ...e, version: { ...e.version, chart: { name: 'payments-api', version: '2.1.0' } } };
        if (e.name === 'staging') return { ...e, version: { ...e.version, tag: '1.5.0', chart: { name: 'payments-api', version: '2.0.0' } } };
        return e;
      }),
    };
    await renderWith({ getDeployments: jest.fn().mockResolvedValue(withCharts), listPromotions: jest.fn().mockResolvedValue([]) });
    const dev = within(await screen.findByTestId('environment-dev'));
    expect(dev.getByRole('heading', { name: 'chart payments-api 2.1.0' })).toBeInTheDocument();
    expect(dev.getByTestId('environment-image-tag')).toHaveTextContent('image 1.5.0');
    // The same image tag in both, another chart version: a promotion.
    expect(await screen.findByRole('button', { name: 'Promote chart payments-api 2.1.0 → Staging' })).toBeInTheDocument();
  });

  it('re-reads the deployments on any signal for the entity, the promotions only on a promotions signal', async () => {
    const signals = new FakeSignalApi();
    const getDeployments = jest.fn().mockResolvedValue(response);
    const listPromotions = jest.fn().mockResolvedValue([]);
    await renderWith({ getDeployments, listPromotions }, entity, undefined, signals);
    expect(await screen.findByText('Development')).toBeInTheDocument();
    await waitFor(() => expect(listPromotions).toHaveBeenCalledTimes(1));
    const channel = gitopsEntitySignalChannel('component:default/payments-api');

    signals.publish(channel, { kind: 'deployments' });
    expect(getDeployments).toHaveBeenCalledTimes(2);
    expect(listPromotions).toHaveBeenCalledTimes(1);

    await act(async () => {});
    signals.publish(channel, { kind: 'promotions' });
    expect(getDeployments).toHaveBeenCalledTimes(3);
    expect(listPromotions).toHaveBeenCalledTimes(2);
    await act(async () => {});
  });

  it('offers no promotion without the promote permission', async () => {
    // Another entity: usePermission caches (SWR) decisions per permission and resource.
    const locked = { ...entity, metadata: { ...entity.metadata, name: 'locked-api' } };
    await renderWith(
      { getDeployments: jest.fn().mockResolvedValue(response), listPromotions: jest.fn().mockResolvedValue([]) },
      locked,
      new MockPermissionApi(() => AuthorizeResult.DENY),
    );
    expect(await screen.findByText('Development')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Promote .* → / })).not.toBeInTheDocument();
  });

  it('explains which annotation is missing', async () => {
    const getDeployments = jest.fn();
    await renderWith(
      { getDeployments },
      { ...entity, metadata: { name: 'bare' } },
    );
    expect(screen.getAllByText(/argocd\/app-selector/).length).toBeGreaterThan(0);
    expect(getDeployments).not.toHaveBeenCalled();
  });

  it('shows the error when the backend fails', async () => {
    await renderWith({ getDeployments: jest.fn().mockRejectedValue(new Error('backend exploded')), listPromotions: jest.fn().mockResolvedValue([]) });
    expect((await screen.findAllByText(/backend exploded/)).length).toBeGreaterThan(0);
  });
});
