import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { act, screen, within } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import {
  gitopsEntitySignalChannel,
  type Promotion,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef, type GitopsApi } from '../../api';
import { FakeSignalApi } from '../../__testUtils__/FakeSignalApi';
import { PromotionHistoryCard } from './PromotionHistoryCard';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: {},
};

const promotion = (fields: Partial<Promotion>): Promotion => ({
  id: 'p1', kind: 'promotion', entityRef: 'component:default/payments-api', from: 'staging', to: 'prod',
  version: { tag: '1.5.0' }, previousVersion: { tag: '1.4.2' }, requestedBy: 'user:default/alice', status: 'succeeded',
  gates: [], approvals: [], requiredApprovals: 0, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), events: [],
  ...fields,
});

const allow = { authorize: async () => ({ result: AuthorizeResult.ALLOW }) };

function renderCard(api: Partial<GitopsApi>, signals = new FakeSignalApi(), refreshKey?: number) {
  return renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, allow], [signalApiRef, signals]]}>
      <EntityProvider entity={entity}>
        <PromotionHistoryCard refreshKey={refreshKey} />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('PromotionHistoryCard', () => {
  it('shows each promotion with its state, versions and where the change is: pull request and commit', async () => {
    const api = {
      listPromotions: jest.fn().mockResolvedValue([
        promotion({ id: 'p2', status: 'pull-request-open', pullRequestUrl: 'https://github.com/acme/gitops/pull/12' }),
        promotion({
          id: 'p1', from: 'dev', to: 'staging', status: 'succeeded',
          commit: { sha: 'abcdef1234567', repoURL: 'https://github.com/acme/gitops', path: 'apps/payments-api/staging/values.yaml' },
        }),
      ]),
    };
    await renderCard(api);
    expect(await screen.findByText('pull request open')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /pull request #12/ })).toHaveAttribute('href', 'https://github.com/acme/gitops/pull/12');
    expect(screen.getByText('commit abcdef1')).toBeInTheDocument();
    expect(screen.getByText('dev → staging')).toBeInTheDocument();
    expect(screen.getAllByText('1.4.2 → 1.5.0')).toHaveLength(2);
  });

  it('shows chart versions and git revisions by their kind, a commit short with the full one on hover', async () => {
    const sha = 'abcdef1234567890abcdef1234567890abcdef12';
    await renderCard({
      listPromotions: jest.fn().mockResolvedValue([
        promotion({ id: 'p3', version: { kind: 'chart', chart: 'pricing-api', tag: '1.2.0' }, previousVersion: { kind: 'chart', chart: 'pricing-api', tag: '1.1.0' } }),
        promotion({ id: 'p4', version: { kind: 'revision', tag: sha }, previousVersion: { kind: 'revision', tag: 'v1.4.2' } }),
      ]),
    });
    const [chart, revision] = await screen.findAllByTestId('promotion-version');
    expect(chart).toHaveTextContent('chart pricing-api 1.1.0 → chart pricing-api 1.2.0');
    expect(revision).toHaveTextContent('v1.4.2 → abcdef1');
    expect(within(revision).getByText('abcdef1')).toHaveAttribute('title', sha);
  });

  it('re-reads on a promotions signal for the entity, not on a deployments one', async () => {
    const signals = new FakeSignalApi();
    const listPromotions = jest
      .fn()
      .mockResolvedValueOnce([])
      .mockResolvedValueOnce([promotion({ status: 'awaiting-approval' })]);
    await renderCard({ listPromotions }, signals);
    expect(await screen.findByText('No promotions yet.')).toBeInTheDocument();
    const channel = gitopsEntitySignalChannel('component:default/payments-api');

    signals.publish(channel, { kind: 'deployments' });
    expect(listPromotions).toHaveBeenCalledTimes(1);

    signals.publish(channel, { kind: 'promotions' });
    expect(await screen.findByText('awaiting approval')).toBeInTheDocument();
    expect(listPromotions).toHaveBeenCalledTimes(2);
    expect(listPromotions).toHaveBeenLastCalledWith({ entityRef: 'component:default/payments-api' });
  });

  it('re-reads when its refresh key changes (a promotion just started here), not on first render', async () => {
    const listPromotions = jest.fn().mockResolvedValue([]);
    const signals = new FakeSignalApi();
    const { rerender } = await renderCard({ listPromotions }, signals, 0);
    expect(await screen.findByText('No promotions yet.')).toBeInTheDocument();
    expect(listPromotions).toHaveBeenCalledTimes(1);

    rerender(
      <TestApiProvider apis={[[gitopsApiRef, { listPromotions }], [permissionApiRef, allow], [signalApiRef, signals]]}>
        <EntityProvider entity={entity}>
          <PromotionHistoryCard refreshKey={1} />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(listPromotions).toHaveBeenCalledTimes(2);
    await act(async () => {});
  });
});
