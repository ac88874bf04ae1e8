import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Entity } from '@backstage/catalog-model';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gitopsApiRef } from '../../api';
import { RollbackDialog } from './RollbackDialog';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: {},
};

const allow = { authorize: async () => ({ result: AuthorizeResult.ALLOW }) };
const deny = { authorize: async () => ({ result: AuthorizeResult.DENY }) };
const candidates = [
  { tag: '1.4.2', revision: 'a'.repeat(40), committedAt: new Date().toISOString(), message: 'Promote payments-api 1.4.2' },
  { tag: '1.4.1', revision: 'b'.repeat(40), committedAt: new Date().toISOString(), message: 'seed', bad: true },
];
const rollbackTo = (tag: string) => ({
  id: 'r1', kind: 'rollback', status: 'approved', entityRef: 'component:default/payments-api', from: 'staging', to: 'staging',
  version: { tag }, requestedBy: 'user:default/guest', gates: [], approvals: [], requiredApprovals: 0,
  createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), events: [{ at: new Date().toISOString(), type: 'requested', message: `Rollback of staging to ${tag} requested` }],
});

/** usePermission keeps its answers per resource for the file's lifetime: each test its own entity. */
async function renderDialog(api: object, permissions: object, name: string) {
  await renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, permissions]]}>
      <EntityProvider entity={{ ...entity, metadata: { ...entity.metadata, name } }}>
        <RollbackDialog environment={{ name: 'staging', title: 'Staging', version: { tag: '1.5.0' } }} onClose={jest.fn()} onChange={jest.fn()} />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('RollbackDialog to a version that failed here before', () => {
  it('offers no override to someone without the override permission', async () => {
    const api = { getRollbackCandidates: jest.fn().mockResolvedValue(candidates), createRollback: jest.fn() };
    await renderDialog(api, deny, 'orders-api');
    await userEvent.click(await screen.findByLabelText(/^1\.4\.1/));
    expect(screen.queryByLabelText(/Override the failed gates/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeDisabled();
  });

  it('warns, and rolls back only with an explicit override', async () => {
    const api = { getRollbackCandidates: jest.fn().mockResolvedValue(candidates), createRollback: jest.fn().mockResolvedValue(rollbackTo('1.4.1')), getPromotion: jest.fn() };
    await renderDialog(api, allow, 'payments-api');
    await userEvent.click(await screen.findByLabelText(/^1\.4\.1/));
    expect(screen.getByText(/1\.4\.1 failed in Staging before/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeDisabled();
    await userEvent.click(screen.getByLabelText(/Override the failed gates/));
    await userEvent.click(screen.getByRole('button', { name: 'Roll back' }));
    await waitFor(() =>
      expect(api.createRollback).toHaveBeenCalledWith({ entityRef: 'component:default/payments-api', environment: 'staging', tag: '1.4.1', overrideGates: true }),
    );
  });
});

describe('RollbackDialog', () => {
  it('lists earlier versions from the repository history and rolls back to the chosen one', async () => {
    const api = {
      getRollbackCandidates: jest.fn().mockResolvedValue([
        { tag: '1.4.2', revision: 'a'.repeat(40), committedAt: new Date().toISOString(), message: 'Promote payments-api 1.4.2' },
        { tag: '1.4.1', revision: 'b'.repeat(40), committedAt: new Date().toISOString(), message: 'seed', bad: true },
      ]),
      createRollback: jest.fn().mockResolvedValue({
        id: 'r1', kind: 'rollback', status: 'approved', entityRef: 'component:default/payments-api', from: 'staging', to: 'staging',
        version: { tag: '1.4.2' }, requestedBy: 'user:default/guest', gates: [], approvals: [], requiredApprovals: 0,
        createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), events: [{ at: new Date().toISOString(), type: 'requested', message: 'Rollback of staging to 1.4.2 requested' }],
      }),
      getPromotion: jest.fn(),
    };
    const onChange = jest.fn();
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, allow]]}>
        <EntityProvider entity={entity}>
          <RollbackDialog environment={{ name: 'staging', title: 'Staging', version: { tag: '1.5.0' } }} onClose={jest.fn()} onChange={onChange} />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText(/1\.4\.1 \(failed here before\)/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeDisabled();
    await userEvent.click(screen.getByLabelText(/^1\.4\.2/));
    expect(screen.getByText('Staging: 1.5.0 → 1.4.2')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Roll back' }));
    await waitFor(() =>
      expect(api.createRollback).toHaveBeenCalledWith({ entityRef: 'component:default/payments-api', environment: 'staging', tag: '1.4.2' }),
    );
    expect(await screen.findByText(/Rollback of staging to 1.4.2 requested/)).toBeInTheDocument();
    expect(onChange).toHaveBeenCalled();
  });
});

describe('RollbackDialog by version kind', () => {
  it('shows the chart the environment runs and an environment branch\'s commits short, the full one on hover', async () => {
    const sha = 'e'.repeat(40);
    const api = {
      getRollbackCandidates: jest.fn().mockResolvedValue([
        { tag: sha, revision: sha, committedAt: new Date().toISOString(), message: 'Merge dev into main' },
        { tag: '1.1.0', revision: 'f'.repeat(40), committedAt: new Date().toISOString(), message: 'Promote pricing-api chart 1.1.0', kind: 'chart', chart: 'pricing-api' },
      ]),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, allow]]}>
        <EntityProvider entity={{ ...entity, metadata: { ...entity.metadata, name: 'pricing-api' } }}>
          <RollbackDialog
            environment={{ name: 'staging', title: 'Staging', version: { tag: '1.2.0', chart: { name: 'pricing-api', version: '1.2.0' } } }}
            onClose={jest.fn()}
            onChange={jest.fn()}
          />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText(/^Staging runs/)).toHaveTextContent('Staging runs chart pricing-api 1.2.0.');
    expect(screen.getByText('eeeeeee')).toHaveAttribute('title', sha);
    await userEvent.click(screen.getByLabelText(/^chart pricing-api 1\.1\.0/));
    expect(screen.getByText(/^Staging: /)).toHaveTextContent('Staging: chart pricing-api 1.2.0 → chart pricing-api 1.1.0');
  });
});

describe('RollbackDialog with an application Argo CD does not sync automatically', () => {
  it("offers Argo CD's own rollback to a history entry", async () => {
    const api = {
      getRollbackCandidates: jest.fn().mockResolvedValue([]),
      argoCdRollback: jest.fn().mockResolvedValue({ application: 'payments-api-staging', historyId: 3 }),
    };
    const applications = [
      {
        instance: 'main', name: 'payments-api-staging', sync: { status: 'Synced' }, health: { status: 'Healthy' }, images: [], autoSync: false,
        history: [
          { id: 4, revision: 'd'.repeat(40), deployedAt: new Date().toISOString() },
          { id: 3, revision: 'c'.repeat(40), deployedAt: new Date().toISOString() },
        ],
      },
    ] as never;
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, allow]]}>
        <EntityProvider entity={entity}>
          <RollbackDialog environment={{ name: 'staging', title: 'Staging', version: { tag: '1.5.0' }, applications }} onClose={jest.fn()} onChange={jest.fn()} />
        </EntityProvider>
      </TestApiProvider>,
    );
    await userEvent.click(await screen.findByLabelText(/^#3 ccccccc/));
    await userEvent.click(screen.getByRole('button', { name: 'Roll back in Argo CD' }));
    await waitFor(() =>
      expect(api.argoCdRollback).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'payments-api' },
        { environment: 'staging', application: 'payments-api-staging', historyId: 3 },
      ),
    );
    expect(await screen.findByText('Argo CD rolled payments-api-staging back to history #3')).toBeInTheDocument();
  });
});
