import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef } from '../../api';
import { AwaitingApprovalCard } from './AwaitingApprovalCard';

describe('AwaitingApprovalCard', () => {
  it('lists what the user may approve and approves it', async () => {
    const listPromotions = jest.fn().mockResolvedValue([
      {
        id: 'p1', kind: 'promotion', entityRef: 'component:default/orders-api', from: 'staging', to: 'prod',
        version: { tag: '2.2.0' }, requestedBy: 'user:default/alice', status: 'awaiting-approval', gates: [],
        approvals: [], requiredApprovals: 1, comment: 'ship it', createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(), events: [],
      },
    ]);
    const decidePromotion = jest.fn().mockResolvedValue({});
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, { listPromotions, decidePromotion }]]}>
        <AwaitingApprovalCard />
      </TestApiProvider>,
    );
    expect(await screen.findByText('2.2.0: staging → prod')).toBeInTheDocument();
    expect(listPromotions).toHaveBeenCalledWith({ awaitingMyApproval: true });
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(decidePromotion).toHaveBeenCalledWith('p1', 'approve'));
  });

  it('shows nothing when nothing awaits the user', async () => {
    const { container } = await renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, { listPromotions: async () => [] }]]}>
        <AwaitingApprovalCard />
      </TestApiProvider>,
    );
    await waitFor(() => expect(container.textContent).toBe(''));
  });
});
