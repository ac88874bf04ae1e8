import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import type { PreviewEnvironment } from '@gitops-suite/backstage-plugin-gitops-common';
import { PreviewsSection } from './PreviewsSection';

const sha = '0123456789abcdef0123456789abcdef01234567';

const preview = (number: number, fields: Partial<PreviewEnvironment> = {}): PreviewEnvironment => ({
  application: {
    instance: 'main',
    name: `payments-api-pr-${number}`,
    sync: { status: 'Synced' },
    health: { status: 'Healthy' },
    images: [],
    history: [],
    url: `https://argocd.example.com/applications/argocd/payments-api-pr-${number}`,
    applicationSet: 'payments-api-previews',
  },
  pullRequest: {
    number,
    title: 'Retry card declines once',
    url: `https://github.com/acme/payments-api/pull/${number}`,
    branch: 'feature/retry',
    author: 'dana',
    headSha: sha,
  },
  version: { image: `ghcr.io/example/payments-api:pr-${number}`, tag: `pr-${number}`, revision: sha },
  url: `https://pr-${number}.payments.preview.example.com`,
  createdAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
  tearingDown: false,
  ...fields,
});

describe('PreviewsSection', () => {
  it('renders nothing without previews', async () => {
    await renderInTestApp(
      <>
        <PreviewsSection previews={[]} />
        <PreviewsSection />
      </>,
    );
    expect(screen.queryByTestId('previews')).not.toBeInTheDocument();
    expect(screen.queryByText('Previews')).not.toBeInTheDocument();
  });

  it('shows one row per pull request with its version, Argo CD status, address, findings and age', async () => {
    await renderInTestApp(
      <PreviewsSection
        previews={[
          preview(42, {
            vulnerabilities: {
              counts: { critical: 1, high: 0, medium: 2, low: 0, unknown: 0 },
              fixable: { critical: 1, high: 0, medium: 0, low: 0, unknown: 0 },
            },
            policies: { pass: 4, fail: 0, warn: 1, error: 0, skip: 0 },
          }),
          preview(41, {
            application: { ...preview(41).application, sync: { status: 'OutOfSync' }, health: { status: 'Progressing' } },
            url: undefined,
            tearingDown: true,
          }),
        ]}
      />,
    );
    expect(screen.getByText('Previews')).toBeInTheDocument();
    const section = screen.getByTestId('previews');
    expect(within(section).getAllByRole('row')).toHaveLength(3);

    const row = within(screen.getByTestId('preview-row-42'));
    const pr = row.getByRole('link', { name: /#42/ });
    expect(pr).toHaveAttribute('href', 'https://github.com/acme/payments-api/pull/42');
    expect(pr).toHaveAttribute('target', '_blank');
    expect(row.getByText('Retry card declines once')).toBeInTheDocument();
    expect(row.getByText('feature/retry · by dana')).toBeInTheDocument();
    expect(row.getByText('pr-42')).toBeInTheDocument();
    expect(row.getByText('0123456')).toHaveAttribute('title', sha);
    expect(row.getByText('Synced')).toBeInTheDocument();
    expect(row.getByText('Healthy')).toBeInTheDocument();
    expect(row.getByRole('link', { name: /payments-api-pr-42/ })).toHaveAttribute(
      'href',
      'https://argocd.example.com/applications/argocd/payments-api-pr-42',
    );
    expect(row.getByRole('link', { name: /pr-42\.payments\.preview/ })).toHaveAttribute('href', 'https://pr-42.payments.preview.example.com');
    expect(row.getByText('1 critical (1 fixable)')).toBeInTheDocument();
    expect(row.getByText('policies: 4 pass, 0 fail, 1 warn')).toBeInTheDocument();
    expect(row.getByText('2 hours ago')).toBeInTheDocument();
    expect(row.queryByTestId('preview-tearing-down')).not.toBeInTheDocument();

    const closing = within(screen.getByTestId('preview-row-41'));
    expect(closing.getByTestId('preview-tearing-down')).toHaveTextContent('Tearing down');
    expect(closing.getByText('OutOfSync')).toBeInTheDocument();
    expect(closing.getByText('Progressing')).toBeInTheDocument();
    expect(closing.queryByTestId('findings-badges')).not.toBeInTheDocument();
  });

  it('offers no promotion or rollback', async () => {
    await renderInTestApp(<PreviewsSection previews={[preview(7)]} />);
    expect(within(screen.getByTestId('previews')).queryByRole('button')).not.toBeInTheDocument();
  });
});
