import { mockServices } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import type { Entity } from '@backstage/catalog-model';
import type { SourceChanges } from '@gitops-suite/backstage-plugin-gitops-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrationsDirectory } from '../database/migrations';
import { PromotionStore, type NewPromotion } from '../database/PromotionStore';
import { ConfigReader } from '@backstage/config';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { testInventory } from '../__testUtils__/inventory';
import type { ArgoApplication } from '../argocd/types';
import { readGitopsConfig } from '../config/gitopsConfig';
import { DeploymentRecorder } from './DeploymentRecorder';
import { InsightsService, parseInsightPeriod } from './InsightsService';
import { InsightsStore } from './InsightsStore';

const databases = createTestDatabases();
const HOUR = 3600_000;
const now = new Date('2026-12-31T00:00:00Z');
const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);

const config = readGitopsConfig(
  new ConfigReader({
    gitops: {
      environments: [
        { name: 'dev', match: { labels: { env: 'dev' } } },
        { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } } },
        { name: 'prod', promotesFrom: 'staging', match: { labels: { env: 'prod' } } },
      ],
      argocd: { instances: [{ name: 'main', url: 'https://argocd.example.com', token: 't' }] },
    },
  } as never),
);
const environments = config.environments.map(e => e.name);

/** An entity whose applications are `<name>-<env>` (argocd/app-name). */
const entity = (name: string, spec: { owner?: string; system?: string } = { owner: 'team-a' }): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'argocd/app-name': environments.map(env => `${name}-${env}`).join(',') } },
  spec,
});

/** The application `<service>-<env>` with Argo CD's sync history: [revision, hours ago] per sync. */
const application = (service: string, env: string, history: [string, number][] = []): ArgoApplication => {
  const app = argoApplication(`${service}-${env}`, { labels: { env } }) as unknown as ArgoApplication;
  app.status = {
    ...app.status,
    history: history.map(([revision, hoursAgo], id) => ({ id, revision, deployedAt: at(hoursAgo).toISOString() })),
  };
  return app;
};

const inventoryOf = (apps: ArgoApplication[] = []) => testInventory(config, apps.map(app => ({ instance: 'main', application: app })));

const newPromotion = (id: string, overrides: Partial<NewPromotion> = {}): NewPromotion => ({
  id,
  entityRef: 'component:default/payments',
  from: 'staging',
  to: 'prod',
  version: { tag: `1.${id.length}.0` },
  previousVersion: { tag: '1.0.0' },
  requestedBy: 'user:default/alice',
  status: 'approved',
  gates: [],
  requiredApprovals: 0,
  target: { instance: 'main', appName: 'payments-prod', repoURL: 'file:///r.git', branch: 'main', file: 'v.yaml', key: 'image.tag' },
  ...overrides,
});

describe.each(databases.eachSupportedId())('InsightsStore on %p', databaseId => {
  async function setUp() {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest({ directory: migrationsDirectory });
    const promotions = new PromotionStore(knex);
    /** A promotion requested `hoursAgo` and ending `durationHours` later as `status`. */
    const ended = async (id: string, hoursAgo: number, status: 'succeeded' | 'failed', overrides: Partial<NewPromotion> = {}, durationHours = 1) => {
      await promotions.create(newPromotion(id, overrides), at(hoursAgo));
      await promotions.transition(id, ['approved'], status, { type: status, message: status }, {}, at(hoursAgo - durationHours));
    };
    return { knex, promotions, ended, store: new InsightsStore(knex) };
  }

  it('reads only the promotions that ended in the period, by entity and environment, through the indexes', async () => {
    const { promotions, ended, store } = await setUp();
    await ended('old', 40 * 24, 'succeeded');
    await ended('p1', 50, 'failed');
    await ended('p2', 40, 'succeeded');
    await ended('r1', 30, 'succeeded', { kind: 'rollback', rollbackOf: 'p1' });
    await ended('st', 20, 'succeeded', { to: 'staging' });
    await ended('other', 20, 'succeeded', { entityRef: 'component:default/orders' });
    await promotions.create(newPromotion('open', { entityRef: 'component:default/open' }), at(5));
    await promotions.create(newPromotion('gone', { entityRef: 'component:default/gone' }), at(5));
    await promotions.transition('gone', ['approved'], 'cancelled', { type: 'cancelled', message: 'c' }, {}, at(4));

    const since = at(30 * 24);
    const prod = await store.ended({ since, until: now, entityRef: 'component:default/payments', environments: ['prod'] });
    expect(prod.map(r => r.id).sort()).toEqual(['p1', 'p2', 'r1']);
    expect(prod.find(r => r.id === 'r1')).toEqual({
      id: 'r1',
      entityRef: 'component:default/payments',
      environment: 'prod',
      kind: 'rollback',
      status: 'succeeded',
      rollbackOf: 'p1',
      createdAt: at(30).getTime(),
      endedAt: at(29).getTime(),
    });
    expect((await store.ended({ since, until: now, environments: ['prod'] })).map(r => r.id).sort()).toEqual(['other', 'p1', 'p2', 'r1']);
    expect((await store.ended({ since, until: now, environments: ['staging', 'prod'] })).map(r => r.id).sort()).toEqual(['other', 'p1', 'p2', 'r1', 'st']);
  });

  it('keeps the source commits read for a promotion, and reads them again a day after a failed read', async () => {
    const { ended, store } = await setUp();
    await ended('p1', 50, 'succeeded');
    await ended('p2', 40, 'succeeded');
    await ended('f', 30, 'failed');
    const filter = { entityRef: 'component:default/payments', since: at(30 * 24), until: now, limit: 10 };
    expect((await store.unread(filter, now)).map(p => p.id).sort()).toEqual(['p1', 'p2']);
    await store.record('p1', { commitDates: [at(60).getTime(), at(52).getTime()], truncated: false }, now);
    await store.record('p2', { unavailable: 'no git tag or commit for 1.2.0' }, now);
    expect(await store.unread(filter, now)).toEqual([]);
    expect((await store.unread(filter, new Date(now.getTime() + 25 * HOUR))).map(p => p.id)).toEqual(['p2']);

    const rows = await store.ended({ since: filter.since, until: now, environments: ['prod'] });
    expect(rows.find(r => r.id === 'p1')?.commitDates).toEqual([at(60).getTime(), at(52).getTime()]);
    expect(rows.find(r => r.id === 'p2')).toMatchObject({ sourceUnavailable: 'no git tag or commit for 1.2.0' });
    expect(rows.find(r => r.id === 'p2')?.commitDates).toBeUndefined();
  });

  it('serves an entity and the fleet, reading source commits an entity view does not know yet', async () => {
    const { ended, store } = await setUp();
    await ended('p1', 100, 'succeeded', { previousVersion: undefined });
    await ended('p22', 50, 'failed');
    await ended('p333', 46, 'succeeded');
    await ended('o1', 20, 'succeeded', { entityRef: 'component:default/orders' });
    await ended('h1', 20, 'succeeded', { entityRef: 'component:default/hidden' });
    const between = jest.fn(async (_entity: Entity, _from?: { tag: string }, to?: { tag: string }): Promise<SourceChanges> => ({
      repoURL: 'https://git.example/payments',
      commits: [
        { sha: 'b', message: 'two', author: 'a', date: at(47 + 10).toISOString() },
        { sha: 'a', message: 'one', author: 'a', date: at(47 + 30).toISOString() },
      ].map(c => ({ ...c, message: `${c.message} for ${to?.tag}` })),
      truncated: false,
    }));
    const service = new InsightsService({
      store,
      inventory: inventoryOf(),
      environments,
      sourceChanges: { between },
      // Not waiting for the read: the first answer goes without them, a later one has them.
      sourceReadWaitMs: 0,
      logger: mockServices.logger.mock(),
      now: () => now,
    });

    const first = await service.entity(entity('payments'), { days: 7, environment: 'prod' });
    expect(first.items).toHaveLength(1);
    expect(first.items![0].leadTime).toMatchObject({ value: null, notMeasured: 2, reason: '2 promotions without source commits (source commits not recorded)' });
    await service.readSourceCommits(entity('payments'), { since: at(7 * 24), until: now });
    expect(between).toHaveBeenCalledTimes(1);

    const second = await service.entity(entity('payments'), { days: 7, environment: 'prod' });
    expect(second.items![0]).toMatchObject({
      entityRef: 'component:default/payments',
      environment: 'prod',
      deploymentFrequency: { value: 2, promotions: 2, rollbacks: 0 },
      // p333 ended 45 h ago; its commits were made 57 and 77 h ago.
      leadTime: { value: 12 * 3600, p90: 32 * 3600, sampleSize: 2, promotions: 1, notMeasured: 1 },
      changeFailureRate: { value: 0.3333, sampleSize: 3, failures: 1 },
      timeToRestore: { value: 4 * 3600, sampleSize: 1, notMeasured: 0 },
    });
    expect(second.items![0].leadTime.reason).toContain('the first version in this environment');

    const all = await service.entity(entity('payments'), { days: 7 });
    expect(all.items!.map(i => [i.environment, i.deploymentFrequency.value])).toEqual([['dev', null], ['staging', null], ['prod', 2]]);

    // The caller may not read component:default/hidden: the route leaves it out.
    const fleet = await service.fleet({ days: 7, environment: 'prod' }, [
      entity('payments'),
      entity('orders', { owner: 'team-a', system: 'shop' }),
    ]);
    expect(fleet.items).toBeUndefined();
    expect(fleet.fleet).toMatchObject([{ name: 'fleet', environment: 'prod', entities: 2, deploymentFrequency: { value: 3 } }]);
    expect(fleet.owners).toMatchObject([{ name: 'group:default/team-a', entities: 2, changeFailureRate: { value: 0.25 } }]);
    expect(fleet.systems).toMatchObject([{ name: 'system:default/shop', entities: 1, deploymentFrequency: { value: 1 } }]);
  });

  it("includes the source commits in the first view when they are read quickly", async () => {
    const { ended, store } = await setUp();
    await ended('p333', 46, 'succeeded');
    const between = jest.fn(async (): Promise<SourceChanges> => ({
      repoURL: 'https://git.example/payments',
      commits: [{ sha: 'a', message: 'one', author: 'a', date: at(50).toISOString() }],
      truncated: false,
    }));
    const service = new InsightsService({ store, inventory: inventoryOf(), environments, sourceChanges: { between }, logger: mockServices.logger.mock(), now: () => now });
    const first = await service.entity(entity('payments'), { days: 7, environment: 'prod' });
    expect(first.items![0].leadTime).toMatchObject({ value: 5 * 3600, sampleSize: 1, promotions: 1, notMeasured: 0 });
  });

  it('counts every version Argo CD synced, also those no promotion made, once per entity and revision', async () => {
    const { knex, ended, store } = await setUp();
    // payments-prod: one promotion (rev b) and two versions CI pushed straight to git (c, d); a
    // re-sync of d is no new version. orders-prod syncs only what its promotion wrote.
    await ended('p1', 30, 'succeeded', { target: { ...newPromotion('x').target, appName: 'payments-prod' } });
    await ended('o1', 30, 'succeeded', { entityRef: 'component:default/orders' });
    const apps = [
      application('payments', 'prod', [['a', 400], ['b', 29], ['c', 20], ['d', 10], ['d', 5]]),
      application('orders', 'prod', [['x', 29]]),
      application('payments', 'dev', [['d', 11]]),
    ];
    const recorder = new DeploymentRecorder(knex, config.environments, mockServices.logger.mock());
    await recorder.record('main', apps.map(app => ({ instance: 'main', application: app, rollouts: [], rolloutErrors: [], observedAt: now })));
    // Recorded once: the same history again (another replica, a resync) adds nothing.
    await recorder.record('main', [{ instance: 'main', application: apps[0], rollouts: [], rolloutErrors: [], observedAt: now }]);
    await new DeploymentRecorder(knex, config.environments, mockServices.logger.mock()).record('main', [
      { instance: 'main', application: apps[0], rollouts: [], rolloutErrors: [], observedAt: now },
    ]);
    expect(Number((await knex('gitops_deployments').count({ n: '*' }).first())?.n)).toBe(7);

    const service = new InsightsService({ store, inventory: inventoryOf(apps), environments, logger: mockServices.logger.mock(), now: () => now });
    const { items } = await service.entity(entity('payments'), { days: 7 });
    expect(items!.find(i => i.environment === 'prod')).toMatchObject({
      deploymentFrequency: { value: 3, promotions: 1, rollbacks: 0, direct: 2 },
      // Changes: the promotion and the two direct versions.
      changeFailureRate: { value: 0, sampleSize: 3 },
    });
    expect(items!.find(i => i.environment === 'dev')?.deploymentFrequency).toMatchObject({ value: 1, promotions: 0, direct: 1 });
    expect(items!.find(i => i.environment === 'prod')!.weeks.reduce((n, w) => n + w.deployments, 0)).toBe(3);

    const fleet = await service.fleet({ days: 7, environment: 'prod' }, [entity('payments'), entity('orders', { owner: 'team-b' })]);
    expect(fleet.owners!.map(g => [g.name, g.deploymentFrequency.value, g.deploymentFrequency.direct])).toEqual([
      ['group:default/team-a', 3, 2],
      ['group:default/team-b', 1, 0],
    ]);
  });

  it('refuses a period or an environment it does not know, naming the field', async () => {
    const { store } = await setUp();
    expect(parseInsightPeriod(undefined)).toBe(30);
    expect(parseInsightPeriod('90')).toBe(90);
    expect(() => parseInsightPeriod('14')).toThrow('days: must be 7, 30 or 90, not 14');
    const service = new InsightsService({ store, inventory: inventoryOf(), environments: ['prod'], logger: mockServices.logger.mock(), now: () => now });
    await expect(service.entity(entity('payments'), { days: 30, environment: 'qa' })).rejects.toThrow('environment: qa is not a configured environment (prod)');
  });
});

describe('InsightsStore on SQLite', () => {
  it('reads through the insights indexes', async () => {
    const knex = await databases.init('SQLITE_3');
    await knex.migrate.latest({ directory: migrationsDirectory });
    const since = at(7 * 24);
    const plan = async (sql: Knex.QueryBuilder) => JSON.stringify(await knex.raw(`EXPLAIN QUERY PLAN ${sql.toString()}`));
    const base = () =>
      knex('gitops_promotions as p')
        .leftJoin('gitops_promotion_source_commits as s', 's.promotion_id', 'p.id')
        .whereIn('p.status', ['succeeded', 'failed'])
        .where('p.updated_at', '>=', since.getTime());
    expect(await plan(base().where('p.entity_ref', 'x').where('p.target_env', 'prod').select('p.id'))).toContain('gitops_promotions_insights_entity_idx');
    expect(await plan(base().where('p.target_env', 'prod').select('p.id'))).toContain('gitops_promotions_insights_env_idx');
  });
});
