import { mockServices } from '@backstage/backend-test-utils';
import { PromotionStore, type StoredPromotion } from '../database/PromotionStore';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrationsDirectory } from '../database/migrations';
import { PromotionStarter } from './PromotionStarter';

const target = { instance: 'main', appName: 'orders-api-prod', repoURL: 'https://git.example.com/gitops', branch: 'main', file: 'prod/values.yaml', key: 'image.tag' };
const request = {
  entityRef: 'component:default/orders-api',
  from: 'staging',
  to: 'prod',
  version: { tag: '2.1.0', image: 'ghcr.io/example/orders-api:2.1.0' },
  requestedBy: 'user:default/alice',
  gates: [],
  overridden: [],
  requiredApprovals: 1,
  approverGroups: ['group:default/release-managers'],
  target,
};

describe('PromotionStarter', () => {
  const databases = createTestDatabases();

  async function starter() {
    const knex = await databases.init('SQLITE_3');
    await knex.migrate.latest({ directory: migrationsDirectory });
    const store = new PromotionStore(knex);
    const notifications = { send: jest.fn(async () => {}) };
    return { store, notifications, starter: new PromotionStarter({ store, notifications, logger: mockServices.logger.mock() }) };
  }

  it('stores a promotion awaiting approval and asks the approver groups, never the requester', async () => {
    const { store, notifications, starter: start } = await starter();
    const promotion = await start.start(request);
    expect(promotion).toMatchObject({ status: 'awaiting-approval', requiredApprovals: 1, requestedBy: 'user:default/alice' });
    expect(promotion).not.toHaveProperty('target');
    expect(((await store.get(promotion.id)) as StoredPromotion).target).toEqual(target);
    expect(notifications.send).toHaveBeenCalledWith(
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: ['group:default/release-managers'], excludeEntityRef: 'user:default/alice' },
        payload: expect.objectContaining({ link: '/catalog/default/component/orders-api/deployments' }),
      }),
    );
  });

  it('approves at once when no approval is required, and records a gate override with the promotion', async () => {
    const { notifications, starter: start } = await starter();
    const failed = { gate: 'known-bad', passed: false, evidence: '2.1.0 failed in prod before' };
    const promotion = await start.start({
      ...request,
      kind: 'rollback',
      requiredApprovals: 0,
      gates: [{ ...failed, overridden: true }],
      overridden: [failed],
    });
    expect(promotion.status).toBe('approved');
    expect(promotion.events.map(e => e.type)).toContain('gates-overridden');
    expect(notifications.send).not.toHaveBeenCalled();
  });
});
