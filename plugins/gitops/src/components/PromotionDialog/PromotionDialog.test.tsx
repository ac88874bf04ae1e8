import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { PromotionPreview } from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef } from '../../api';
import { PromotionDialog, type PromotionDialogProps } from './PromotionDialog';

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

async function renderDialog(api: object, to: PromotionDialogProps['to'] = { name: 'prod', title: 'Production' }) {
  await renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, { authorize: async () => ({ result: AuthorizeResult.DENY }) }]]}>
      <PromotionDialog
        entityRef="component:default/payments-api"
        from={{ name: 'staging', title: 'Staging' }}
        to={to}
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

  it('shows a chart version by its kind and where the promotion writes it', async () => {
    await renderDialog({
      previewPromotion: jest.fn().mockResolvedValue({
        ...preview,
        changes: undefined,
        version: { kind: 'chart', chart: 'pricing-api', tag: '1.2.0', image: 'ghcr.io/example/pricing-api:1.2.0' },
        previousVersion: { kind: 'chart', chart: 'pricing-api', tag: '1.1.0' },
        write: {
          strategy: 'chart-version',
          method: 'commit',
          repoURL: 'https://github.com/example/gitops',
          branch: 'main',
          file: 'argocd/pricing-api-prod.yaml',
          field: 'spec.source.targetRevision',
        },
      }),
    });
    expect(await screen.findByTestId('version-change')).toHaveTextContent('Production: chart pricing-api 1.1.0 → chart pricing-api 1.2.0');
    expect(screen.getByText('Promote chart pricing-api 1.2.0 from Staging to Production')).toBeInTheDocument();
    expect(screen.getByTestId('promotion-write-plan')).toHaveTextContent(
      'Set the chart version (spec.source.targetRevision) in argocd/pricing-api-prod.yaml',
    );
    expect(screen.queryByTestId('promotion-branch-diff')).not.toBeInTheDocument();
  });

  it('names the ApplicationSet that generates the target application', async () => {
    await renderDialog(
      {
        previewPromotion: jest.fn().mockResolvedValue({
          ...preview,
          write: { strategy: 'application-set', method: 'pull-request', repoURL: 'https://github.com/example/gitops', branch: 'main', file: 'appsets/notify-api.yaml', field: 'elements[1].imageTag' },
        }),
      },
      { name: 'prod', title: 'Production', applications: [{ applicationSet: 'notify-api' }] },
    );
    expect(await screen.findByTestId('promotion-write-plan')).toHaveTextContent('Set elements[1].imageTag of ApplicationSet notify-api');
  });

  it('shows a git revision short, the full one on hover, and the merge of an environment branch', async () => {
    const sha = 'abcdef1234567890abcdef1234567890abcdef12';
    await renderDialog({
      previewPromotion: jest.fn().mockResolvedValue({
        ...preview,
        changes: undefined,
        version: { kind: 'revision', tag: sha },
        previousVersion: { kind: 'revision', tag: 'v1.4.2' },
        write: { strategy: 'environment-branch', method: 'pull-request', repoURL: 'https://github.com/example/gitops', branch: 'main', sourceBranch: 'dev' },
        diff: { from: 'main', to: sha, files: [{ path: 'envs/prod/values.yaml', status: 'modified', additions: 1, deletions: 1 }], patch: '-a\n+b\n', truncated: false, conflicts: [] },
      }),
    });
    expect(await screen.findByTestId('version-change')).toHaveTextContent('Production: v1.4.2 → abcdef1');
    expect(within(screen.getByTestId('version-change')).getByText('abcdef1')).toHaveAttribute('title', sha);
    expect(screen.getByTestId('promotion-write-plan')).toHaveTextContent('Merge dev into main by pull request');
    expect(screen.getByTestId('promotion-branch-diff')).toHaveTextContent('envs/prod/values.yaml');
    expect(screen.queryByTestId('promotion-branch-conflicts')).not.toBeInTheDocument();
  });

  it('lists the conflicts of an environment branch merge and offers no promotion', async () => {
    await renderDialog({
      previewPromotion: jest.fn().mockResolvedValue({
        ...preview,
        write: { strategy: 'environment-branch', method: 'commit', repoURL: 'https://github.com/example/gitops', branch: 'main', sourceBranch: 'dev' },
        diff: { from: 'main', to: 'dev', files: [], patch: '', truncated: false, conflicts: ['envs/prod/values.yaml'] },
        blockedBy: 'merging dev into main conflicts in envs/prod/values.yaml',
      }),
    });
    expect(await screen.findByTestId('promotion-branch-conflicts')).toHaveTextContent('envs/prod/values.yaml');
    expect(screen.getByText('merging dev into main conflicts in envs/prod/values.yaml')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Promote' })).toBeDisabled();
  });

  it('refuses a conflicting merge even without blockedBy', async () => {
    await renderDialog({
      previewPromotion: jest.fn().mockResolvedValue({
        ...preview,
        diff: { from: 'main', to: 'dev', files: [], patch: '', truncated: false, conflicts: ['envs/prod/values.yaml'] },
      }),
    });
    expect(await screen.findByTestId('promotion-branch-conflicts')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Promote' })).toBeDisabled();
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
