import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { PromotionPreview } from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef } from '../../api';
import { PromotionDialog } from './PromotionDialog';

const preview: PromotionPreview = {
  entityRef: 'component:default/payments-api',
  from: 'staging',
  to: 'prod',
  version: { tag: '1.5.0', image: 'ghcr.io/example/payments-api:1.5.0', repository: 'ghcr.io/example/payments-api' },
  previousVersion: { tag: '1.4.2' },
  gates: [{ gate: 'vulnerabilities', passed: true, evidence: '0 critical (max 0)' }],
  requiredApprovals: 1,
  approverGroups: ['group:default/sre'],
  changes: {
    repoURL: 'https://github.com/acme/payments-api',
    from: 'v1.4.2',
    to: 'v1.5.0',
    truncated: false,
    compareUrl: 'https://github.com/acme/payments-api/compare/v1.4.2...v1.5.0',
    commits: [
      { sha: 'a1b2c3d4e5f6', message: 'Retry card declines once', author: 'Dana', date: new Date().toISOString() },
      { sha: 'f6e5d4c3b2a1', message: 'Fix rounding of refunds', author: 'Sam', date: new Date().toISOString() },
    ],
  },
};

async function renderDialog(api: object) {
  await renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, { authorize: async () => ({ result: AuthorizeResult.DENY }) }]]}>
      <PromotionDialog
        entityRef="component:default/payments-api"
        from={{ name: 'staging', title: 'Staging' }}
        to={{ name: 'prod', title: 'Production' }}
        onClose={jest.fn()}
        onChange={jest.fn()}
      />
    </TestApiProvider>,
  );
}

describe('PromotionDialog', () => {
  it('shows the version change, the commits it ships, the gates and the approvals it needs', async () => {
    await renderDialog({ previewPromotion: jest.fn().mockResolvedValue(preview) });
    expect(await screen.findByTestId('version-change')).toHaveTextContent('Production: 1.4.2 → 1.5.0');
    const changes = screen.getByTestId('source-changes');
    expect(changes).toHaveTextContent('2 commits in https://github.com/acme/payments-api (v1.4.2 → v1.5.0)');
    expect(within(changes).getByText('Retry card declines once')).toBeInTheDocument();
    expect(within(changes).getByText(/^a1b2c3d · Dana/)).toBeInTheDocument();
    expect(within(changes).getByRole('link', { name: /compare/ })).toHaveAttribute('href', preview.changes!.compareUrl);
    expect(screen.getByText('0 critical (max 0)')).toBeInTheDocument();
    expect(screen.getByText('Needs 1 approval from group:default/sre (not yours).')).toBeInTheDocument();
  });

  it('says why the commits are not shown', async () => {
    await renderDialog({
      previewPromotion: jest.fn().mockResolvedValue({
        ...preview,
        changes: { repoURL: 'https://github.com/acme/payments-api', commits: [], truncated: false, unavailable: 'no git tag or commit for 1.5.0 in https://github.com/acme/payments-api' },
      }),
    });
    expect(await screen.findByText('Commits not shown: no git tag or commit for 1.5.0 in https://github.com/acme/payments-api.')).toBeInTheDocument();
  });

  it('starts the promotion with the comment and follows it', async () => {
    const promotion = {
      id: 'p1', kind: 'promotion', entityRef: preview.entityRef, from: 'staging', to: 'prod', version: preview.version,
      requestedBy: 'user:default/guest', status: 'awaiting-approval', gates: preview.gates, approvals: [], requiredApprovals: 1,
      createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
      events: [{ at: new Date().toISOString(), type: 'requested', message: 'Promotion of 1.5.0 to prod requested' }],
    };
    const api = { previewPromotion: jest.fn().mockResolvedValue(preview), createPromotion: jest.fn().mockResolvedValue(promotion), getPromotion: jest.fn().mockResolvedValue(promotion) };
    await renderDialog(api);
    await userEvent.type(await screen.findByLabelText('Comment'), 'ship it');
    await userEvent.click(screen.getByRole('button', { name: 'Promote' }));
    await waitFor(() =>
      expect(api.createPromotion).toHaveBeenCalledWith({ entityRef: preview.entityRef, from: 'staging', to: 'prod', comment: 'ship it', overrideGates: undefined }),
    );
    expect(await screen.findByText('awaiting approval')).toBeInTheDocument();
    expect(screen.getByText(/Promotion of 1.5.0 to prod requested/)).toBeInTheDocument();
  });
});
