import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Entity } from '@backstage/catalog-model';
import type {
  ConfigAuditsResponse,
  ExposedSecretsResponse,
  PoliciesResponse,
  VulnerabilitiesResponse,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef, type GitopsApi } from '../../api';
import { FindingsBadges } from './FindingsBadges';
import { FindingsDialog } from './FindingsDialog';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: {},
};

const STABLE = 'ghcr.io/example/payments-api:1.4.2';
const CANARY = 'ghcr.io/example/payments-api:1.5.0';

/** A canary mid-flight: bash is in the stable and the canary image, and in a sidecar. */
const vulnerabilities: VulnerabilitiesResponse = {
  environment: 'staging',
  items: [
    {
      id: 'CVE-2019-18276',
      severity: 'low',
      package: 'bash',
      installed: '5.0-4',
      image: STABLE,
      workload: 'Rollout/payments-api',
      container: 'app',
      occurrences: [
        { image: STABLE, workload: 'Rollout/payments-api', container: 'app' },
        {
          image: STABLE,
          workload: 'Rollout/payments-api',
          container: 'migrate',
        },
        { image: CANARY, workload: 'Rollout/payments-api', container: 'app' },
      ],
    },
    {
      id: 'CVE-2019-18224',
      severity: 'critical',
      package: 'libidn2-0',
      installed: '2.0.5-1',
      fixed: '2.0.5-1+deb10u1',
      link: 'https://avd.aquasec.com/nvd/cve-2019-18224',
      image: CANARY,
      workload: 'Rollout/payments-api',
      occurrences: [{ image: CANARY, workload: 'Rollout/payments-api' }],
    },
  ],
  summary: {
    counts: { critical: 1, high: 0, medium: 0, low: 1, unknown: 0 },
    fixable: { critical: 1, high: 0, medium: 0, low: 0, unknown: 0 },
  },
  errors: [],
};

const policies: PoliciesResponse = {
  environment: 'staging',
  items: [],
  summary: { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 },
  errors: [{ source: 'kubernetes:staging', message: 'forbidden' }],
};

/** The secret of Trivy Operator's ExposedSecretReport sample, in both ReplicaSets of the stable image. */
const secrets: ExposedSecretsResponse = {
  environment: 'staging',
  items: [
    {
      ruleId: 'stripe-access-token',
      severity: 'high',
      title: 'Stripe',
      category: 'Stripe',
      target: '/app/config/secret.yaml',
      match: 'secret_key: *****',
      image: STABLE,
      occurrences: [
        { image: STABLE, workload: 'Rollout/payments-api', container: 'app' },
      ],
    },
  ],
  summary: {
    total: 1,
    counts: { critical: 0, high: 1, medium: 0, low: 0, unknown: 0 },
  },
  errors: [{ source: 'kubernetes:staging', message: 'forbidden' }],
};

const configAudits: ConfigAuditsResponse = {
  environment: 'staging',
  items: [
    {
      checkId: 'KSV012',
      severity: 'medium',
      title: 'Runs as root user',
      category: 'Kubernetes Security Check',
      remediation: "Set 'containers[].securityContext.runAsNonRoot' to true.",
      messages: [
        "Container 'app' of ReplicaSet 'payments-api-6d4cf56db6' should set 'securityContext.runAsNonRoot' to true",
      ],
      workload: 'Rollout/payments-api',
      resources: ['ReplicaSet/payments-api-6d4cf56db6'],
    },
  ],
  summary: {
    failed: { critical: 0, high: 0, medium: 1, low: 0, unknown: 0 },
    passed: 12,
  },
  errors: [],
};

const allLists = () => ({
  getVulnerabilities: jest.fn().mockResolvedValue(vulnerabilities),
  getPolicies: jest.fn().mockResolvedValue(policies),
  getExposedSecrets: jest.fn().mockResolvedValue(secrets),
  getConfigAudits: jest.fn().mockResolvedValue(configAudits),
});

function renderDialog(api: Partial<GitopsApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <FindingsDialog
          environment={{ name: 'staging', title: 'Staging' }}
          onClose={jest.fn()}
        />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('FindingsDialog', () => {
  it('lists each vulnerability once, with every image and where it runs', async () => {
    const api = allLists();
    await renderDialog(api);

    expect(
      await screen.findByRole('tab', { name: 'Vulnerabilities (2)' }),
    ).toBeInTheDocument();
    expect(api.getVulnerabilities).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'payments-api' },
      'staging',
    );
    const bash = screen.getByText('CVE-2019-18276').closest('tr')!;
    expect(within(bash).getByText(STABLE)).toBeInTheDocument();
    expect(
      within(bash).getByText(
        'Rollout/payments-api (app), Rollout/payments-api (migrate)',
      ),
    ).toBeInTheDocument();
    expect(within(bash).getByText(CANARY)).toBeInTheDocument();
    const libidn = screen.getByText('CVE-2019-18224').closest('tr')!;
    expect(
      within(libidn).getByText('Rollout/payments-api (CI scan)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Partial data: kubernetes:staging/),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Only with a fix'));
    expect(screen.queryByText('CVE-2019-18276')).not.toBeInTheDocument();
    expect(screen.getByText('CVE-2019-18224')).toBeInTheDocument();
  });

  it('shows exposed secrets and failing configuration checks beside them, each source error once', async () => {
    await renderDialog(allLists());
    await userEvent.click(
      await screen.findByRole('tab', { name: 'Exposed secrets (1)' }),
    );
    const stripe = screen.getByText('/app/config/secret.yaml').closest('tr')!;
    expect(within(stripe).getByText('secret_key: *****')).toBeInTheDocument();
    expect(within(stripe).getByText(STABLE)).toBeInTheDocument();
    // kubernetes:staging failed the policies and the secrets: one warning.
    expect(
      screen.getAllByText(/Partial data: kubernetes:staging/),
    ).toHaveLength(1);

    await userEvent.click(
      screen.getByRole('tab', { name: 'Config audit (1)' }),
    );
    const check = screen.getByText('KSV012').closest('tr')!;
    expect(within(check).getByText('Runs as root user')).toBeInTheDocument();
    expect(
      within(check).getByText('ReplicaSet/payments-api-6d4cf56db6'),
    ).toBeInTheDocument();
  });

  it('still shows the other lists when one cannot be read', async () => {
    const api = {
      ...allLists(),
      getExposedSecrets: jest.fn().mockRejectedValue(new Error('Not Found')),
    };
    await renderDialog(api);
    expect(
      await screen.findByRole('tab', { name: 'Vulnerabilities (2)' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'Exposed secrets' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Error: Not Found', { selector: 'h6' }),
    ).toBeInTheDocument();
    expect(screen.getByText('CVE-2019-18276')).toBeInTheDocument();
  });
});

describe('FindingsBadges', () => {
  it('counts exposed secrets and failing configuration checks beside the vulnerabilities', async () => {
    const onOpen = jest.fn();
    await renderInTestApp(
      <FindingsBadges
        vulnerabilities={vulnerabilities.summary}
        exposedSecrets={secrets.summary}
        configAudits={configAudits.summary}
        onOpen={onOpen}
      />,
    );
    expect(screen.getByText('1 critical (1 fixable)')).toBeInTheDocument();
    expect(screen.getByText('1 exposed secret')).toBeInTheDocument();
    expect(screen.getByText('config: 1 failing')).toBeInTheDocument();
    await userEvent.click(screen.getByText('1 exposed secret'));
    expect(onOpen).toHaveBeenCalled();
  });

  it('shows nothing without findings', async () => {
    await renderInTestApp(<FindingsBadges onOpen={jest.fn()} />);
    expect(screen.queryByTestId('findings-badges')).not.toBeInTheDocument();
  });
});
