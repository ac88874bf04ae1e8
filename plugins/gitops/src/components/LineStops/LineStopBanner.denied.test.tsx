import { screen } from '@testing-library/react';
import { renderBanner } from './__testUtils__/renderBanner';

// A file of its own: usePermission keeps its answer for the file's lifetime.
describe('LineStopBanner without the permission', () => {
  it('shows the stop, but offers neither lifting nor stopping', async () => {
    await renderBanner(false);
    expect(await screen.findByText('Promotions into Production are stopped')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Lift' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Stop the line…' })).not.toBeInTheDocument();
  });
});
