import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BranchDiff } from '@gitops-suite/backstage-plugin-gitops-common';
import { BranchDiffView } from './BranchDiffView';

const diff: BranchDiff = {
  from: 'main',
  to: 'abcdef1234567890abcdef1234567890abcdef12',
  files: [
    { path: 'envs/prod/values.yaml', status: 'modified', additions: 2, deletions: 1 },
    { path: 'envs/prod/configmap.yaml', status: 'added', additions: 10, deletions: 0 },
  ],
  patch: 'diff --git a/envs/prod/values.yaml b/envs/prod/values.yaml\n-  tag: 1.4.2\n+  tag: 1.5.0\n',
  truncated: true,
  conflicts: [],
};

describe('BranchDiffView', () => {
  it('lists the files with their counts and shows the patch on demand', async () => {
    await renderInTestApp(<BranchDiffView diff={diff} />);
    const view = screen.getByTestId('promotion-branch-diff');
    expect(view).toHaveTextContent('2 files changed (main → abcdef1)');
    const [values, configmap] = within(view).getAllByTestId('promotion-branch-diff-file');
    expect(values).toHaveTextContent('envs/prod/values.yaml');
    expect(values).toHaveTextContent('+2');
    expect(values).toHaveTextContent('−1');
    expect(configmap).toHaveTextContent('added');
    expect(screen.getByTestId('promotion-branch-diff-truncated')).toBeInTheDocument();
    expect(screen.queryByTestId('promotion-branch-diff-patch')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Show patch' }));
    expect(screen.getByTestId('promotion-branch-diff-patch')).toHaveTextContent('+ tag: 1.5.0');
    expect(screen.queryByTestId('promotion-branch-conflicts')).not.toBeInTheDocument();
  });

  it('lists the files a merge would conflict in as errors', async () => {
    await renderInTestApp(<BranchDiffView diff={{ ...diff, truncated: false, conflicts: ['envs/prod/values.yaml'] }} />);
    const conflicts = screen.getByTestId('promotion-branch-conflicts');
    expect(conflicts).toHaveClass('MuiAlert-standardError');
    expect(within(conflicts).getByText('envs/prod/values.yaml')).toBeInTheDocument();
    expect(screen.queryByTestId('promotion-branch-diff-truncated')).not.toBeInTheDocument();
  });
});
