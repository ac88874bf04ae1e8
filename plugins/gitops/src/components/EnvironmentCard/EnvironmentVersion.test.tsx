import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { EnvironmentVersion } from './EnvironmentVersion';

const sha = 'abcdef1234567890abcdef1234567890abcdef12';

describe('EnvironmentVersion', () => {
  it('shows the image tag of an environment running an image', async () => {
    await renderInTestApp(<EnvironmentVersion version={{ image: 'ghcr.io/example/payments-api:1.5.0', tag: '1.5.0' }} />);
    expect(screen.getByTestId('environment-version')).toHaveTextContent(/^1\.5\.0$/);
    expect(screen.queryByTestId('environment-image-tag')).not.toBeInTheDocument();
  });

  it('shows the chart from a Helm repository with the image tag it runs beneath', async () => {
    await renderInTestApp(
      <EnvironmentVersion
        version={{ image: 'ghcr.io/example/pricing-api:1.2.0', tag: '1.2.0', chart: { name: 'pricing-api', version: '1.2.0' } }}
      />,
    );
    expect(screen.getByRole('heading', { level: 5 })).toHaveTextContent('chart pricing-api 1.2.0');
    expect(screen.getByTestId('environment-image-tag')).toHaveTextContent('image 1.2.0');
  });

  it('falls back to the image, then the short git revision with the full one as its tooltip', async () => {
    await renderInTestApp(
      <>
        <EnvironmentVersion version={{ image: 'ghcr.io/example/payments-api@sha256:0123' }} />
        <EnvironmentVersion version={{ revision: sha }} />
        <EnvironmentVersion version={undefined} />
      </>,
    );
    const [image, revision, unknown] = screen.getAllByTestId('environment-version');
    expect(image).toHaveTextContent('ghcr.io/example/payments-api@sha256:0123');
    expect(revision).toHaveTextContent(/^abcdef1$/);
    expect(screen.getByText('abcdef1')).toHaveAttribute('title', sha);
    expect(unknown).toHaveTextContent('unknown version');
  });
});
