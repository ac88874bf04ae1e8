import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import type { Promotion } from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef } from '../../api';
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
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, { authorize: async () => ({ result: AuthorizeResult.ALLOW }) }]]}>
        <EntityProvider entity={entity}>
          <PromotionHistoryCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText('pull request open')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /pull request #12/ })).toHaveAttribute('href', 'https://github.com/acme/gitops/pull/12');
    expect(screen.getByText('commit abcdef1')).toBeInTheDocument();
    expect(screen.getByText('dev → staging')).toBeInTheDocument();
    expect(screen.getAllByText('1.4.2 → 1.5.0')).toHaveLength(2);
  });
});
