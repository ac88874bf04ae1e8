import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderBanner } from './__testUtils__/renderBanner';

describe('LineStopBanner', () => {
  it('shows the stops of these environments with who and why, and lifts one', async () => {
    const api = await renderBanner(true);
    expect(await screen.findByText('Promotions into Production are stopped')).toBeInTheDocument();
    expect(screen.getByText(/incident 4711: payments down — user:default\/alice/)).toBeInTheDocument();
    expect(screen.queryByText(/not ours/)).not.toBeInTheDocument();
    await userEvent.click(await screen.findByRole('button', { name: 'Lift' }));
    await waitFor(() => expect(api.liftLineStop).toHaveBeenCalledWith('s1'));
  });

  it('stops the line into every environment with a reason', async () => {
    const api = await renderBanner(true);
    await userEvent.click(await screen.findByRole('button', { name: 'Stop the line…' }));
    expect(screen.getByRole('button', { name: 'Stop the line' })).toBeDisabled();
    await userEvent.type(screen.getByLabelText(/Why/), 'release freeze');
    await userEvent.click(screen.getByRole('button', { name: 'Stop the line' }));
    await waitFor(() => expect(api.stopLine).toHaveBeenCalledWith({ environment: '*', reason: 'release freeze' }));
  });
});
