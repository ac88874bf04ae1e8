import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { readKubernetesClusters } from './KubernetesClusters';

describe('readKubernetesClusters', () => {
  it('reads serviceAccount clusters of config locators and skips the rest with a warning', () => {
    const logger = mockServices.logger.mock();
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          { type: 'catalog' },
          {
            type: 'config',
            clusters: [
              {
                name: 'sandbox',
                url: 'http://localhost:7081/',
                authProvider: 'serviceAccount',
                serviceAccountToken: 'sandbox-token',
                skipTLSVerify: true,
                skipMetricsLookup: true,
              },
              {
                name: 'prod',
                url: 'https://prod.example.com',
                authMetadata: {
                  'kubernetes.io/auth-provider': 'serviceAccount',
                  serviceAccountToken: 't2',
                },
                caData: Buffer.from(
                  '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
                ).toString('base64'),
              },
              {
                name: 'gke',
                url: 'https://gke.example.com',
                authProvider: 'google',
              },
              {
                name: 'no-token',
                url: 'https://x.example.com',
                authProvider: 'serviceAccount',
              },
              {
                name: 'sandbox',
                url: 'https://dup.example.com',
                authProvider: 'serviceAccount',
                serviceAccountToken: 'x',
              },
            ],
          },
        ],
      },
    });

    expect(readKubernetesClusters(config, logger)).toEqual([
      {
        name: 'sandbox',
        url: 'http://localhost:7081',
        token: 'sandbox-token',
        skipTLSVerify: true,
        ca: undefined,
      },
      {
        name: 'prod',
        url: 'https://prod.example.com',
        token: 't2',
        skipTLSVerify: false,
        ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
      },
    ]);
    const warnings = logger.warn.mock.calls.map(([message]) => message);
    expect(warnings).toEqual([
      expect.stringContaining("'gke' uses authProvider 'google'"),
      expect.stringContaining("'no-token' has no serviceAccountToken"),
      expect.stringContaining("'sandbox' is configured twice"),
    ]);
  });

  it('has no clusters without Kubernetes config', () => {
    expect(
      readKubernetesClusters(new ConfigReader({}), mockServices.logger.mock()),
    ).toEqual([]);
  });
});
