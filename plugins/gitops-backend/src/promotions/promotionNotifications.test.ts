import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { paymentsEntity } from '../__testUtils__/testBackend';
import { createTestDatabases } from '../__testUtils__/databases';
import type { StoredPromotion } from '../database/PromotionStore';
import { createEngineHarness, newPromotion } from '../reliability/__testUtils__/engineHarness';
import {
  approvalNotification,
  createOutcomeNotifier,
  deploymentsLink,
  notifyApprovers,
  outcomeNotification,
  rollbackStartedNotification,
} from './promotionNotifications';

const promotion = (overrides: Partial<StoredPromotion> = {}) =>
  ({
    id: 'p1',
    kind: 'promotion',
    entityRef: 'component:default/payments-api',
    from: 'staging',
    to: 'prod',
    version: { tag: '1.5.0' },
    previousVersion: { tag: '1.4.2' },
    requestedBy: 'user:default/alice',
    ...overrides,
  }) as StoredPromotion;

const owned = { ...paymentsEntity, relations: [{ type: 'ownedBy', targetRef: 'group:default/team-payments' }] };

describe('the suite notifications', () => {
  it('link to the Deployments tab of the entity page', () => {
    expect(deploymentsLink('component:default/payments-api')).toBe('/catalog/default/component/payments-api/deployments');
  });

  it('ask the approver groups, never the requester, at high severity', () => {
    expect(approvalNotification(promotion(), ['group:default/release-managers'])).toEqual({
      recipients: { type: 'entity', entityRef: ['group:default/release-managers'], excludeEntityRef: 'user:default/alice' },
      payload: expect.objectContaining({
        title: 'Approve payments-api 1.5.0 to prod?',
        description: 'user:default/alice asks to promote component:default/payments-api 1.5.0 from staging to prod.',
        link: '/catalog/default/component/payments-api/deployments',
        severity: 'high',
        topic: 'gitops-promotion-approval',
      }),
    });
    expect(approvalNotification(promotion({ requestedBy: 'service:ci' }), ['group:default/x'])?.recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/x'],
    });
    expect(approvalNotification(promotion(), [])).toBeUndefined();
  });

  it('tell a success at normal severity and a failure at high severity, with its reason', () => {
    const recipients = ['user:default/alice', 'group:default/team-payments'];
    expect(outcomeNotification(promotion(), 'succeeded', recipients)).toEqual({
      recipients: { type: 'entity', entityRef: recipients },
      payload: expect.objectContaining({
        title: 'payments-api 1.5.0 succeeded in prod',
        link: '/catalog/default/component/payments-api/deployments',
        severity: 'normal',
        topic: 'gitops-promotion-succeeded',
      }),
    });
    const failed = outcomeNotification(promotion({ failureReason: 'payments-api-prod is Degraded' }), 'failed', recipients);
    expect(failed?.payload).toMatchObject({
      title: 'payments-api 1.5.0 failed in prod',
      severity: 'high',
      topic: 'gitops-promotion-failed',
    });
    expect(failed?.payload.description).toContain('payments-api-prod is Degraded');
    expect(outcomeNotification(promotion({ kind: 'rollback', version: { tag: '1.4.2' } }), 'succeeded', recipients)?.payload.title).toBe(
      'Rollback of payments-api to 1.4.2 succeeded in prod',
    );
    expect(outcomeNotification(promotion(), 'failed', [])).toBeUndefined();
  });

  it('tell that a rollback started at high severity', () => {
    expect(rollbackStartedNotification(promotion(), ['group:default/team-payments'], 'Rolling back')?.payload).toMatchObject({
      title: 'payments-api 1.5.0 failed in prod: rolling back to 1.4.2',
      severity: 'high',
      topic: 'gitops-rollback-started',
      link: '/catalog/default/component/payments-api/deployments',
    });
  });

  it('are only logged when they cannot be sent', async () => {
    const logger = mockServices.logger.mock();
    const notifications = { send: jest.fn().mockRejectedValue(new Error('notifications are down')) };
    await expect(notifyApprovers(notifications, logger, promotion(), ['group:default/release-managers'])).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('notifications are down'));
  });
});

describe('the outcome notifier', () => {
  it('tells the requester and the owners', async () => {
    const notifications = { send: jest.fn().mockResolvedValue(undefined) };
    const notify = createOutcomeNotifier({
      catalog: catalogServiceMock({ entities: [owned] }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      notifications,
    });
    await notify(promotion(), 'succeeded');
    expect(notifications.send).toHaveBeenCalledWith(
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: ['user:default/alice', 'group:default/team-payments'] },
        payload: expect.objectContaining({ topic: 'gitops-promotion-succeeded', severity: 'normal' }),
      }),
    );
  });

  it('tells only the owners of what a service or the system requested', async () => {
    const notifications = { send: jest.fn().mockResolvedValue(undefined) };
    const notify = createOutcomeNotifier({
      catalog: catalogServiceMock({ entities: [owned] }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      notifications,
    });
    await notify(promotion({ kind: 'rollback', requestedBy: 'system:gitops/auto-rollback' }), 'failed');
    expect(notifications.send).toHaveBeenCalledWith(
      expect.objectContaining({ recipients: { type: 'entity', entityRef: ['group:default/team-payments'] } }),
    );
  });

  it('still tells the requester when the catalog cannot be read, and never throws', async () => {
    const notifications = { send: jest.fn().mockRejectedValue(new Error('smtp down')) };
    const logger = mockServices.logger.mock();
    const catalog = catalogServiceMock({ entities: [] });
    jest.spyOn(catalog, 'getEntityByRef').mockRejectedValue(new Error('catalog down'));
    const notify = createOutcomeNotifier({ catalog, auth: mockServices.auth(), logger, notifications });
    await expect(notify(promotion(), 'failed')).resolves.toBeUndefined();
    expect(notifications.send).toHaveBeenCalledWith(
      expect.objectContaining({ recipients: { type: 'entity', entityRef: ['user:default/alice'] } }),
    );
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('catalog down'));
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('smtp down'));
  });
});

describe('the promotion engine', () => {
  const databases = createTestDatabases();
  const sha = 'c'.repeat(40);

  async function runUntilEnded(harness: Awaited<ReturnType<typeof createEngineHarness>>, engine: { runOnce(): Promise<void> }) {
    for (let i = 0; i < 6; i++) {
      await engine.runOnce();
      const status = (await harness.store.get('p1'))!.status;
      if (status === 'succeeded' || status === 'failed') return status;
    }
    return (await harness.store.get('p1'))!.status;
  }

  it('says once that a promotion succeeded', async () => {
    const harness = await createEngineHarness(databases, 'SQLITE_3');
    await harness.store.create(newPromotion('p1'));
    harness.setApplication({ revision: sha, health: 'Healthy' });
    const onFinished = jest.fn().mockResolvedValue(undefined);
    const engine = harness.engine('replica-a', {
      writer: { write: async () => ({ sha, alreadyPushed: false, unchanged: false }), contains: async () => true },
      onFinished,
    });
    expect(await runUntilEnded(harness, engine)).toBe('succeeded');
    await engine.runOnce();
    expect(onFinished).toHaveBeenCalledTimes(1);
    expect(onFinished).toHaveBeenCalledWith(expect.objectContaining({ id: 'p1', status: 'succeeded' }), 'succeeded');
  });

  it('says that a promotion failed, with its reason, and a notifier that throws does not change that', async () => {
    const harness = await createEngineHarness(databases, 'SQLITE_3');
    await harness.store.create(newPromotion('p1'));
    const onFinished = jest.fn().mockRejectedValue(new Error('notifications are down'));
    const engine = harness.engine('replica-a', {
      writer: { write: async () => { throw new InputError('image.tag is not in values.yaml'); } },
      onFinished,
    });
    expect(await runUntilEnded(harness, engine)).toBe('failed');
    expect(onFinished).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'p1', status: 'failed', failureReason: 'image.tag is not in values.yaml' }),
      'failed',
    );
    expect(harness.logger.lines).toContainEqual(expect.stringContaining('notifications are down'));
    expect(await harness.store.get('p1')).toMatchObject({ status: 'failed' });
  });
});
