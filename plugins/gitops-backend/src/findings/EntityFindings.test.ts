import type { Entity } from '@backstage/catalog-model';
import type { Inventory } from '../inventory/Inventory';
import type { IndexedApplication } from '../inventory/InventoryIndex';
import { EntityFindings } from './EntityFindings';
import type { FindingsService } from './FindingsService';
import type { Workload } from './types';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api' },
};
const rollout: Workload = {
  namespace: 'payments-staging',
  kind: 'Rollout',
  name: 'payments-api',
  images: ['ghcr.io/example/payments-api:1.5.0'],
};
const counts = { critical: 0, high: 2, medium: 0, low: 0, unknown: 0 };

function entityFindings(
  workloads: Workload[],
  findings: Partial<FindingsService>,
) {
  const inventory = {
    index: () => ({
      inEnvironment: () =>
        workloads.length ? [{ workloads } as IndexedApplication] : [],
    }),
  } as unknown as Pick<Inventory, 'index'>;
  return new EntityFindings(inventory, findings as FindingsService);
}

describe('EntityFindings as gate evidence', () => {
  it('gives the exposed-secret summary of the environment, counted once per image', async () => {
    const exposedSecrets = jest
      .fn()
      .mockResolvedValue({
        items: [],
        summary: { total: 2, counts },
        errors: [],
      });
    const evidence = entityFindings([rollout], { exposedSecrets });
    await expect(evidence.exposedSecrets(entity, 'staging')).resolves.toEqual({
      total: 2,
      counts,
    });
    expect(exposedSecrets).toHaveBeenCalledWith([rollout]);
  });

  it('has no exposed-secret evidence when a report could not be read: unknown fails closed', async () => {
    const exposedSecrets = jest.fn().mockResolvedValue({
      items: [],
      summary: { total: 0, counts: { ...counts, high: 0 } },
      errors: [
        {
          source: 'exposed-secrets:ghcr.io/example/payments-api:1.5.0',
          message: 'No ExposedSecretReport',
        },
      ],
    });
    await expect(
      entityFindings([rollout], { exposedSecrets }).exposedSecrets(
        entity,
        'staging',
      ),
    ).resolves.toBeUndefined();
  });

  it('has no evidence where nothing runs', async () => {
    const exposedSecrets = jest.fn();
    await expect(
      entityFindings([], { exposedSecrets }).exposedSecrets(entity, 'staging'),
    ).resolves.toBeUndefined();
    expect(exposedSecrets).not.toHaveBeenCalled();
  });

  it('lists secrets and configuration checks per environment, errors included', async () => {
    const result = {
      items: [],
      summary: { total: 0, counts },
      errors: [{ source: 's', message: 'm' }],
    };
    const evidence = entityFindings([rollout], {
      exposedSecrets: jest.fn().mockResolvedValue(result),
      configAudits: jest.fn().mockResolvedValue(result),
    });
    await expect(
      evidence.exposedSecretList(entity, 'staging'),
    ).resolves.toEqual({ environment: 'staging', ...result });
    await expect(evidence.configAuditList(entity, 'staging')).resolves.toEqual({
      environment: 'staging',
      ...result,
    });
  });

  it('gives each running image its signature status, unknown ones included, and nothing where nothing runs', async () => {
    const items = [
      { image: 'ghcr.io/example/payments-api:1.5.0', status: 'unknown', message: 'could not read the cluster: forbidden' },
    ];
    const imageSignatures = jest.fn().mockResolvedValue({
      items,
      summary: { verified: 0, failed: 0, unknown: 1 },
      errors: [{ source: 'kubernetes:dev', message: 'forbidden' }],
    });
    await expect(entityFindings([rollout], { imageSignatures }).imageSignatures(entity, 'staging')).resolves.toEqual(items);
    await expect(entityFindings([rollout], { imageSignatures }).imageSignatureList(entity, 'staging')).resolves.toMatchObject({
      environment: 'staging',
      items,
      errors: [{ source: 'kubernetes:dev' }],
    });
    imageSignatures.mockClear();
    await expect(entityFindings([], { imageSignatures }).imageSignatures(entity, 'staging')).resolves.toBeUndefined();
    expect(imageSignatures).not.toHaveBeenCalled();
  });
});
