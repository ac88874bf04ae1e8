import { ConfigReader } from '@backstage/config';
import { configuredServerUrls } from './createKubernetesAccess';

describe('configuredServerUrls', () => {
  it("reads the API server URL of each config-located cluster of the Kubernetes plugin", () => {
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          { type: 'catalog' },
          {
            type: 'config',
            clusters: [
              { name: 'prod-eu', url: 'https://eu.k8s.example.com', authProvider: 'serviceAccount' },
              { name: 'prod-us', url: 'https://us.k8s.example.com', authProvider: 'serviceAccount' },
            ],
          },
        ],
      },
    });
    expect([...configuredServerUrls(config)]).toEqual([
      ['prod-eu', 'https://eu.k8s.example.com'],
      ['prod-us', 'https://us.k8s.example.com'],
    ]);
    expect(configuredServerUrls(new ConfigReader({})).size).toBe(0);
  });
});
