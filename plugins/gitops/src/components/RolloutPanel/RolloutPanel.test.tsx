import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { MockPermissionApi, TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Entity } from '@backstage/catalog-model';
import type { RolloutSummary } from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef } from '../../api';
import { RolloutPanel } from './RolloutPanel';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: {},
};

const paused: RolloutSummary = {
  name: 'payments-api',
  namespace: 'payments-api-prod',
  strategy: 'canary',
  phase: 'Paused',
  message: 'CanaryPauseStep',
  paused: true,
  pauseReasons: [{ reason: 'CanaryPauseStep' }],
  aborted: false,
  completed: false,
  step: { index: 1, count: 4 },
  steps: [{ kind: 'setWeight', value: 20 }, { kind: 'pause' }, { kind: 'setWeight', value: 50 }, { kind: 'pause', value: '10s' }],
  weights: { stable: 80, canary: 20, source: 'step' },
  images: [],
};

async function renderPanel(rollout: RolloutSummary, allowed = true, forEntity = entity) {
  const runRolloutAction = jest.fn().mockResolvedValue({ ...rollout, paused: false });
  const onChange = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [gitopsApiRef, { runRolloutAction }],
        [permissionApiRef, new MockPermissionApi(() => (allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY))],
      ]}
    >
      <EntityProvider entity={forEntity}>
        <RolloutPanel rollout={rollout} environment={{ name: 'prod', title: 'Production' }} onChange={onChange} />
      </EntityProvider>
    </TestApiProvider>,
  );
  return { runRolloutAction, onChange };
}

describe('RolloutPanel', () => {
  it('offers the actions valid for a paused canary and promotes after confirmation', async () => {
    const { runRolloutAction, onChange } = await renderPanel(paused);
    const names = screen.getAllByRole('button').map(b => b.textContent);
    expect(names).toEqual(['Promote', 'Promote fully', 'Abort', 'Restart']);

    await waitFor(() => expect(screen.getByRole('button', { name: 'Promote' })).toBeEnabled());
    await userEvent.click(screen.getByRole('button', { name: 'Promote' }));
    expect(screen.getByText('Promote payments-api in Production?')).toBeInTheDocument();
    const dialogButtons = screen.getAllByRole('button', { name: 'Promote' });
    await userEvent.click(dialogButtons[dialogButtons.length - 1]);

    await waitFor(() =>
      expect(runRolloutAction).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'payments-api' },
        'promote',
        { environment: 'prod', namespace: 'payments-api-prod', name: 'payments-api' },
      ),
    );
    expect(onChange).toHaveBeenCalled();
  });

  it('offers retry only, besides restart, for an aborted rollout', async () => {
    await renderPanel({ ...paused, aborted: true, paused: false, pauseReasons: [], phase: 'Degraded' });
    expect(screen.getAllByRole('button').map(b => b.textContent)).toEqual(['Retry', 'Restart']);
  });

  it("shows the analysis's metrics with their last value and condition, and the router's weights", async () => {
    await renderPanel({
      ...paused,
      phase: 'Degraded',
      paused: false,
      pauseReasons: [],
      aborted: true,
      weights: { stable: 100, canary: 0, source: 'traffic-router', verified: true },
      analysis: {
        name: 'payments-api-6f646bf7b7-3-2',
        status: 'Failed',
        message: 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
        metrics: [
          { name: 'success-rate', phase: 'Failed', lastValue: '[0.912]', successCondition: 'result[0] >= 0.95', failed: 1, failureLimit: 0, successful: 1, inconclusive: 0, error: 0, count: 2 },
          { name: 'latency-p95', phase: 'Successful', lastValue: '[0.21]', successCondition: 'result[0] <= 0.5', failed: 0, failureLimit: 0, successful: 2, inconclusive: 0, error: 0, count: 2 },
        ],
      },
    });
    expect(screen.getByText('(as the traffic router reports)')).toBeInTheDocument();
    expect(screen.getByText('Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)')).toBeInTheDocument();
    const failing = screen.getByTestId('analysis-metric-success-rate');
    expect(failing).toHaveTextContent('success-rate');
    expect(failing).toHaveTextContent('0.912');
    expect(failing).toHaveTextContent('success when result[0] >= 0.95; 1 of 2 measurements failed (limit 0)');
    expect(screen.getByTestId('analysis-metric-latency-p95')).toHaveTextContent('Successful');
  });

  it('says the metrics are unknown when the AnalysisRun could not be read', async () => {
    await renderPanel({ ...paused, analysis: { name: 'run-1', status: 'Running', error: 'Argo CD answered 403' } });
    expect(screen.getByText('metrics unknown: Argo CD answered 403')).toBeInTheDocument();
  });

  it('disables the controls without permission', async () => {
    // Another team's entity (permission decisions are cached per entity).
    const { runRolloutAction } = await renderPanel(paused, false, {
      ...entity,
      metadata: { name: 'orders-api', namespace: 'default' },
    });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Promote' })).toBeDisabled());
    expect(runRolloutAction).not.toHaveBeenCalled();
  });

  it('shows step, weight and pause reason', async () => {
    await renderPanel(paused);
    expect(screen.getByText('step 1/4')).toBeInTheDocument();
    expect(screen.getByText('canary 20% / stable 80%')).toBeInTheDocument();
    expect(screen.getByText('paused: CanaryPauseStep')).toBeInTheDocument();
  });
});
