import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ConflictError } from '@backstage/errors';
import type { EnvironmentDeployment } from '@gitops-suite/backstage-plugin-gitops-common';
import { paymentsEntity } from '../__testUtils__/testBackend';
import { readGitopsConfig } from '../config/gitopsConfig';
import { ConfigReader } from '@backstage/config';
import { ContinuousDeployment, CONTINUOUS_DEPLOYMENT_ANNOTATION, CONTINUOUS_DEPLOYMENT_REQUESTER, optedInEnvironments, shouldPromote } from './ContinuousDeployment';
import { GatesFailedError } from './GatesFailedError';

const env = (name: string, tag: string, overrides: Partial<EnvironmentDeployment> = {}): EnvironmentDeployment => ({
  name,
  title: name,
  applications: [{ instance: 'main', name: `payments-api-${name}`, sync: { status: 'Synced' }, health: { status: 'Healthy' }, images: [], history: [] }],
  rollouts: [],
  version: { image: `ghcr.io/example/payments-api:${tag}`, tag },
  ...overrides,
});

describe('shouldPromote', () => {
  it('promotes a newer, verified version', () => {
    expect(shouldPromote(env('dev', '1.5.0'), env('staging', '1.4.2'))).toBe(true);
  });

  it('never promotes backwards, nor the same version', () => {
    expect(shouldPromote(env('dev', '1.4.2'), env('staging', '1.5.0'))).toBe(false);
    expect(shouldPromote(env('dev', '1.5.0'), env('staging', '1.5.0'))).toBe(false);
  });

  it('waits until the source is verified: synced, healthy, rollout complete', () => {
    const progressing = env('dev', '1.5.0');
    progressing.applications[0].health.status = 'Progressing';
    expect(shouldPromote(progressing, env('staging', '1.4.2'))).toBe(false);
    const paused = env('dev', '1.5.0', {
      rollouts: [{ name: 'r', namespace: 'n', strategy: 'canary', phase: 'Paused', paused: true, pauseReasons: [], aborted: false, completed: false, steps: [], images: [] }],
    });
    expect(shouldPromote(paused, env('staging', '1.4.2'))).toBe(false);
  });

  it('orders non-version tags by deployment time', () => {
    expect(shouldPromote(env('dev', '3f2a1bc', { lastDeployedAt: '2026-11-22T10:00:00Z' }), env('staging', '9e8d7c6', { lastDeployedAt: '2026-11-22T09:00:00Z' }))).toBe(true);
    expect(shouldPromote(env('dev', '3f2a1bc', { lastDeployedAt: '2026-11-22T08:00:00Z' }), env('staging', '9e8d7c6', { lastDeployedAt: '2026-11-22T09:00:00Z' }))).toBe(false);
  });
});

describe('ContinuousDeployment', () => {
  const config = readGitopsConfig(
    new ConfigReader({
      gitops: {
        environments: [
          { name: 'dev', match: { labels: { env: 'dev' } } },
          { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } }, promotion: { mode: 'automatic' } },
          { name: 'prod', promotesFrom: 'staging', match: { labels: { env: 'prod' } } },
        ],
        argocd: { instances: [] },
      },
    }),
  );

  function setup(environments: EnvironmentDeployment[], createAutomatic = jest.fn().mockResolvedValue({ id: 'p', entityRef: 'x', version: { tag: '1.5.0' } })) {
    const cd = new ContinuousDeployment({
      config,
      catalog: catalogServiceMock({ entities: [paymentsEntity] }),
      auth: mockServices.auth(),
      deployments: { environments: () => environments },
      promotions: { createAutomatic },
      logger: mockServices.logger.mock(),
    });
    return { cd, createAutomatic };
  }

  it('promotes dev to staging (automatic) but not staging to prod (manual), as the system', async () => {
    const { cd, createAutomatic } = setup([env('dev', '1.5.0'), env('staging', '1.4.2'), env('prod', '1.4.1')]);
    await cd.runOnce();
    expect(createAutomatic).toHaveBeenCalledTimes(1);
    expect(createAutomatic).toHaveBeenCalledWith(expect.objectContaining({ metadata: expect.objectContaining({ name: 'payments-api' }) }), 'dev', 'staging', CONTINUOUS_DEPLOYMENT_REQUESTER);
  });

  it('leaves it for later when gates fail or a promotion is active', async () => {
    for (const error of [new GatesFailedError([{ gate: 'soak-time', passed: false, evidence: '3 min (minimum 30)' }]), new ConflictError('active')]) {
      const { cd, createAutomatic } = setup([env('dev', '1.5.0'), env('staging', '1.4.2'), env('prod', '1.4.2')], jest.fn().mockRejectedValue(error));
      await expect(cd.runOnce()).resolves.toBeUndefined();
      expect(createAutomatic).toHaveBeenCalledTimes(1);
    }
  });

  it('makes one pass over the read model for a large catalog, read page by page', async () => {
    const entities = Array.from({ length: 1_201 }, (_, i) => ({ ...paymentsEntity, metadata: { ...paymentsEntity.metadata, name: `service-${i}` } }));
    const catalog = catalogServiceMock({ entities });
    const streamEntities = jest.spyOn(catalog, 'streamEntities');
    // Every 100th service runs a newer verified version in dev than in staging.
    const environments = jest.fn((entity: { metadata: { name: string } }) => {
      const due = Number(entity.metadata.name.split('-')[1]) % 100 === 0;
      return [env('dev', due ? '1.5.0' : '1.4.2'), env('staging', '1.4.2'), env('prod', '1.4.2')];
    });
    const createAutomatic = jest.fn().mockResolvedValue({ id: 'p', entityRef: 'x', version: { tag: '1.5.0' } });
    const cd = new ContinuousDeployment({
      config,
      catalog,
      auth: mockServices.auth(),
      deployments: { environments },
      promotions: { createAutomatic },
      logger: mockServices.logger.mock(),
    });
    await cd.runOnce();
    expect(streamEntities).toHaveBeenCalledWith(expect.objectContaining({ pageSize: 500 }), expect.anything());
    expect(environments).toHaveBeenCalledTimes(1_201);
    expect(createAutomatic).toHaveBeenCalledTimes(13);
  });

  describe('opted in per entity', () => {
    const manualConfig = readGitopsConfig(
      new ConfigReader({
        gitops: {
          environments: [
            { name: 'dev', match: { labels: { env: 'dev' } } },
            { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } } },
            { name: 'prod', promotesFrom: 'staging', match: { labels: { env: 'prod' } } },
          ],
          argocd: { instances: [] },
        },
      }),
    );
    const optedIn = {
      ...paymentsEntity,
      metadata: { ...paymentsEntity.metadata, annotations: { ...paymentsEntity.metadata.annotations, [CONTINUOUS_DEPLOYMENT_ANNOTATION]: ' staging ,' } },
    };

    it('reads the annotation as a list of environment names', () => {
      expect(optedInEnvironments(optedIn)).toEqual(['staging']);
      expect(optedInEnvironments(paymentsEntity)).toEqual([]);
    });

    it('promotes only into the environments an entity opts into, when config says manual', async () => {
      const createAutomatic = jest.fn().mockResolvedValue({ id: 'p', entityRef: 'x', version: { tag: '1.5.0' } });
      const environments = jest.fn(() => [env('dev', '1.5.0'), env('staging', '1.4.2'), env('prod', '1.4.1')]);
      const cd = new ContinuousDeployment({
        config: manualConfig,
        catalog: catalogServiceMock({ entities: [paymentsEntity, { ...optedIn, metadata: { ...optedIn.metadata, name: 'shipping-api' } }] }),
        auth: mockServices.auth(),
        deployments: { environments },
        promotions: { createAutomatic },
        logger: mockServices.logger.mock(),
      });
      await cd.runOnce();
      expect(environments).toHaveBeenCalledTimes(1);
      expect(createAutomatic).toHaveBeenCalledTimes(1);
      expect(createAutomatic).toHaveBeenCalledWith(
        expect.objectContaining({ metadata: expect.objectContaining({ name: 'shipping-api' }) }), 'dev', 'staging', CONTINUOUS_DEPLOYMENT_REQUESTER,
      );
    });
  });
});
