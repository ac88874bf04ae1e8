import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { MockPermissionApi, TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Entity } from '@backstage/catalog-model';
import type { ApplicationSummary } from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef } from '../../api';
import { ApplicationPanel } from './ApplicationPanel';

const entity = (name: string): Entity => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name, namespace: 'default' }, spec: {} });

const application: ApplicationSummary = {
  instance: 'main',
  name: 'payments-api-staging',
  sync: { status: 'OutOfSync', revision: 'a1b2c3d4e5f6' },
  health: { status: 'Healthy' },
  images: [],
  history: [],
  source: { repoURL: 'https://github.com/example/gitops', targetRevision: 'main' },
  operation: {
    phase: 'Failed',
    message: 'one or more synchronization tasks completed unsuccessfully',
    initiatedBy: 'alice',
    hooks: [
      { hookType: 'PreSync', hookPhase: 'Succeeded', kind: 'Job', name: 'payments-api-presync-policy' },
      { hookType: 'PostSync', hookPhase: 'Failed', kind: 'Job', name: 'payments-api-postsync-smoke', message: 'Job has reached the specified backoff limit' },
    ],
  },
  drift: {
    changedOutsideGit: true,
    resources: [{ kind: 'ConfigMap', namespace: 'payments-staging', name: 'payments-api-config', status: 'OutOfSync', diffUrl: 'https://argocd.example.com/applications/argocd/payments-api-staging?tab=diff' }],
    total: 1,
  },
};

/** Each test its own entity: usePermission keeps answers per resource for the file's lifetime. */
async function renderPanel(app: ApplicationSummary, name: string, allowed = true) {
  const runApplicationAction = jest.fn().mockResolvedValue(app);
  const onChange = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [gitopsApiRef, { runApplicationAction }],
        [permissionApiRef, new MockPermissionApi(() => (allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY))],
      ]}
    >
      <EntityProvider entity={entity(name)}>
        <ApplicationPanel application={app} environment={{ name: 'staging', title: 'Staging' }} onChange={onChange} />
      </EntityProvider>
    </TestApiProvider>,
  );
  return { runApplicationAction, onChange };
}

describe('ApplicationPanel', () => {
  it('names the failed hook, who synced, and what was changed outside git with its diff', async () => {
    await renderPanel(application, 'a');
    expect(screen.getByText('PostSync hook Job payments-api-postsync-smoke failed: Job has reached the specified backoff limit')).toBeInTheDocument();
    expect(screen.getByText(/Sync failed by alice/)).toBeInTheDocument();
    expect(screen.getByText('changed outside git')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /^diff/ })).toHaveAttribute('href', application.drift!.resources[0].diffUrl);
  });

  it('syncs with prune and dry run from the dialog', async () => {
    const { runApplicationAction, onChange } = await renderPanel(application, 'b');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Sync…' })).toBeEnabled());
    await userEvent.click(screen.getByRole('button', { name: 'Sync…' }));
    await userEvent.click(screen.getByLabelText('Prune resources no longer in git'));
    await userEvent.click(screen.getByLabelText('Dry run (change nothing)'));
    await userEvent.click(screen.getByRole('button', { name: 'Sync' }));
    await waitFor(() =>
      expect(runApplicationAction).toHaveBeenCalledWith({ kind: 'Component', namespace: 'default', name: 'b' }, 'sync', {
        environment: 'staging',
        instance: 'main',
        application: 'payments-api-staging',
        prune: true,
        dryRun: true,
      }),
    );
    expect(onChange).toHaveBeenCalled();
  });

  it('offers terminate while an operation runs', async () => {
    const { runApplicationAction } = await renderPanel({ ...application, operation: { phase: 'Running', hooks: [] } }, 'c');
    expect(screen.getAllByRole('button').map(b => b.textContent)).toEqual(['Terminate', 'Refresh']);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Terminate' })).toBeEnabled());
    await userEvent.click(screen.getByRole('button', { name: 'Terminate' }));
    await waitFor(() => expect(runApplicationAction).toHaveBeenCalledWith(expect.anything(), 'terminate', expect.objectContaining({ application: 'payments-api-staging' })));
  });

  it('disables the controls without the sync permission', async () => {
    await renderPanel(application, 'd', false);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Refresh' })).toBeDisabled());
    expect(screen.getByRole('button', { name: 'Sync…' })).toBeDisabled();
  });
});
