import { mockServices } from '@backstage/backend-test-utils';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { KubernetesRequestError } from '../kubernetes/KubernetesClient';
import type { KubernetesCluster } from '../kubernetes/KubernetesClusters';
import type { KubeObject, ResourceType } from '../kubernetes/types';
import { FindingsService } from './FindingsService';
import type { Workload } from './types';

/** fixtures/constructed: built from Kyverno's format and source (see its README), not copied. */
const shop: KubeObject[] = parseAllDocuments(
  fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../../fixtures/constructed/kyverno-verifyimages-reports.yaml',
    ),
    'utf8',
  ),
).map(doc => doc.toJS());

const PLURALS: Record<string, string> = {
  replicasets: 'ReplicaSet',
  pods: 'Pod',
  policyreports: 'PolicyReport',
  clusterpolicies: 'ClusterPolicy',
};

const payments: Workload = {
  namespace: 'shop-prod',
  kind: 'Rollout',
  name: 'payments-api',
  images: ['ghcr.io/example/payments-api:1.4.2'],
};
const orders: Workload = {
  namespace: 'shop-prod',
  kind: 'Rollout',
  name: 'orders-api',
  images: ['ghcr.io/example/orders-api:2.0.3'],
};

/** A cluster as the Kubernetes plugin's proxy answers: `prod` serves the fixture, `locked` refuses. */
function createService() {
  const list = jest.fn(
    async (
      cluster: { name: string },
      query: ResourceType & { namespace?: string },
    ) => {
      if (cluster.name === 'locked') {
        throw new KubernetesRequestError(
          `Kubernetes cluster 'locked' refused ${query.plural}: forbidden`,
          'locked',
          403,
        );
      }
      const kind = PLURALS[query.plural];
      if (!kind)
        throw new KubernetesRequestError('not found', cluster.name, 404);
      return shop.filter(
        o =>
          o.kind === kind &&
          (!query.namespace || o.metadata.namespace === query.namespace),
      );
    },
  );
  const clusters: KubernetesCluster[] = [{ name: 'prod' }, { name: 'locked' }];
  const service = new FindingsService({
    clusters: { list: async () => clusters },
    kubernetesClient: { list } as never,
    scanStore: { latestScanFor: jest.fn() },
    logger: mockServices.logger.mock(),
  });
  return { service, list };
}

describe('FindingsService image signatures', () => {
  it("reads each workload's images verified or failed from its cluster's reports, pods and policies", async () => {
    const { service } = createService();
    const result = await service.imageSignatures([
      { ...payments, cluster: 'prod' },
      { ...orders, cluster: 'prod' },
    ]);
    expect(result.items.map(i => [i.image, i.status])).toEqual([
      ['ghcr.io/example/payments-api:1.4.2', 'verified'],
      ['ghcr.io/example/orders-api:2.0.3', 'failed'],
    ]);
    expect(result.summary).toEqual({ verified: 1, failed: 1, unknown: 0 });
    expect(result.errors).toEqual([]);
  });

  it('calls the images of a cluster that cannot be read unknown, saying why, and reports the cluster', async () => {
    const { service } = createService();
    const result = await service.imageSignatures([
      { ...payments, cluster: 'locked' },
    ]);
    expect(result.items).toEqual([
      {
        image: 'ghcr.io/example/payments-api:1.4.2',
        status: 'unknown',
        message:
          "could not read the cluster: Kubernetes cluster 'locked' refused rollouts: forbidden",
      },
    ]);
    expect(result.errors.map(e => e.source)).toEqual(['kubernetes:locked']);
  });

  it('is unknown where no cluster is found for the workload', async () => {
    const { service } = createService();
    const result = await service.imageSignatures([
      { ...payments, cluster: 'elsewhere' },
    ]);
    expect(result.items[0]).toMatchObject({
      status: 'unknown',
      message: expect.stringMatching(/^could not read the cluster: /),
    });
    expect(result.errors).toHaveLength(1);
  });
});
