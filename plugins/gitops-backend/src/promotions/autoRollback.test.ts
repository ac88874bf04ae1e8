import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { paymentsEntity } from '../__testUtils__/testBackend';
import { readGitopsConfig } from '../config/gitopsConfig';
import type { StoredPromotion } from '../database/PromotionStore';
import { AUTO_ROLLBACK_REQUESTER, createFailureHandler } from './autoRollback';

const config = readGitopsConfig(
  new ConfigReader({
    gitops: {
      environments: [
        { name: 'dev', match: { labels: { env: 'dev' } } },
        { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } }, promotion: { autoRollback: true } },
        { name: 'prod', promotesFrom: 'staging', match: { labels: { env: 'prod' } } },
      ],
      argocd: { instances: [] },
    },
  }),
);

const failed = (overrides: Partial<StoredPromotion> = {}) =>
  ({
    id: 'p1',
    kind: 'promotion',
    entityRef: 'component:default/payments-api',
    from: 'dev',
    to: 'staging',
    version: { tag: '1.5.0' },
    previousVersion: { tag: '1.4.2' },
    requestedBy: 'user:default/alice',
    ...overrides,
  }) as StoredPromotion;

function setup() {
  const store = { markBad: jest.fn(), addEvent: jest.fn() };
  const rollbacks = { start: jest.fn().mockResolvedValue({ id: 'r1' }) };
  const notifications = { send: jest.fn().mockResolvedValue(undefined) };
  const entity = { ...paymentsEntity, relations: [{ type: 'ownedBy', targetRef: 'group:default/team-payments' }] };
  const handler = createFailureHandler({
    config,
    store: store as never,
    rollbacks: rollbacks as never,
    catalog: catalogServiceMock({ entities: [entity] }),
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    notifications: notifications as never,
  });
  return { handler, store, rollbacks, notifications };
}

describe('the failure handler', () => {
  it('marks the version bad, rolls back once and tells the requester and the owners', async () => {
    const { handler, store, rollbacks, notifications } = setup();
    await handler(failed(), 'payments-api-staging is Degraded');
    expect(store.markBad).toHaveBeenCalledWith('component:default/payments-api', 'staging', '1.5.0', 'p1', 'payments-api-staging is Degraded');
    expect(rollbacks.start).toHaveBeenCalledWith(expect.anything(), 'staging', '1.4.2', expect.objectContaining({ requestedBy: AUTO_ROLLBACK_REQUESTER, rollbackOf: 'p1' }));
    expect(notifications.send).toHaveBeenCalledWith(
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: ['user:default/alice', 'group:default/team-payments'] },
        payload: expect.objectContaining({ topic: 'gitops-rollback-started', severity: 'high', link: '/catalog/default/component/payments-api/deployments' }),
      }),
    );
  });

  it('never answers a failed rollback with another rollback', async () => {
    const { handler, store, rollbacks } = setup();
    await handler(failed({ kind: 'rollback' }), 'still Degraded');
    expect(store.markBad).not.toHaveBeenCalled();
    expect(rollbacks.start).not.toHaveBeenCalled();
  });

  it('only marks the version bad where the environment does not roll back automatically', async () => {
    const { handler, store, rollbacks } = setup();
    await handler(failed({ from: 'staging', to: 'prod' }), 'timeout');
    expect(store.markBad).toHaveBeenCalled();
    expect(rollbacks.start).not.toHaveBeenCalled();
  });
});
