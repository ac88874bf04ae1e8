import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { PromotionStore, type NewPromotion } from '../database/PromotionStore';
import { alice, createWorld, ENTITY_REF, startWorldBackend, type World } from '../reliability/__testUtils__/world';

/*
 * GET /v1/insights over a running backend: an entity's measures per environment, the
 * fleet's by owner and system over the entities the caller may read, and bad input
 * refused naming the parameter.
 */
describe('GET /v1/insights', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let world: World;
  const deniedRefs = new Set<string>();
  const permissions = mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(r => ({
        result: 'resourceRef' in r && deniedRefs.has(String(r.resourceRef)) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
      })),
  });
  const hidden: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'hidden-api', namespace: 'default', annotations: { 'argocd/app-name': 'hidden-api-prod' } },
    spec: { type: 'service', owner: 'team-secret', lifecycle: 'production', system: 'vault' },
  };

  beforeEach(async () => {
    deniedRefs.clear();
    world = await createWorld(databases);
  });
  afterEach(() => world.dispose());

  /** The backend (which migrates the database), then the promotions that ended. */
  async function start(entities: Entity[] = [hidden]) {
    const backend = await startWorldBackend(world, { features: [permissions.factory], entities });
    const store = new PromotionStore(world.knex);
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
    const ended = async (id: string, entityRef: string, status: 'succeeded' | 'failed', startedHoursAgo: number) => {
      const promotion: NewPromotion = {
        id,
        entityRef,
        from: 'staging',
        to: 'prod',
        version: { tag: `1.5.${id.length}` },
        previousVersion: { tag: '1.4.0' },
        requestedBy: 'user:default/alice',
        status: 'approved',
        gates: [],
        requiredApprovals: 0,
        target: { instance: 'main', appName: 'payments-api-prod', repoURL: 'file:///r.git', branch: 'main', file: 'v.yaml', key: 'image.tag' },
      };
      await store.create(promotion, hoursAgo(startedHoursAgo));
      await store.transition(id, ['approved'], status, { type: status, message: status }, {}, hoursAgo(startedHoursAgo - 1));
    };
    await ended('failed1', ENTITY_REF, 'failed', 50);
    await ended('ok1', ENTITY_REF, 'succeeded', 40);
    await ended('secret1', 'component:default/hidden-api', 'succeeded', 30);
    return backend;
  }

  const get = (backend: Awaited<ReturnType<typeof startWorldBackend>>, query: Record<string, string>) =>
    request(backend).get('/api/gitops/v1/insights').query(query).set('authorization', alice);

  it("answers an entity's measures per environment, the failure restored by the next success", async () => {
    const backend = await start();
    const { status, body } = await get(backend, { entityRef: ENTITY_REF, days: '7' });
    expect(status).toBe(200);
    expect(body.items.map((i: { environment: string }) => i.environment)).toEqual(['dev', 'staging', 'prod']);
    expect(body.items[2]).toMatchObject({
      entityRef: ENTITY_REF,
      environment: 'prod',
      deploymentFrequency: { value: 1, promotions: 1, direct: 0 },
      changeFailureRate: { value: 0.5, sampleSize: 2, failures: 1 },
      timeToRestore: { value: 10 * 3600, sampleSize: 1 },
    });
    // Lead time needs source commits; payments-api names no source repository.
    expect(body.items[2].leadTime).toMatchObject({ value: null, notMeasured: 1 });
  });

  it('pools the readable entities of the fleet by owner and system', async () => {
    const backend = await start();
    const all = await get(backend, { environment: 'prod' });
    expect(all.body.owners.map((g: { name: string }) => g.name)).toEqual(['group:default/team-payments', 'group:default/team-secret']);
    expect(all.body.systems.map((g: { name: string }) => g.name)).toEqual(['system:default/vault']);
    expect(all.body.fleet[0]).toMatchObject({ name: 'fleet', entities: 2, deploymentFrequency: { value: 2 } });

    deniedRefs.add('component:default/hidden-api');
    const readable = await get(backend, { environment: 'prod' });
    expect(readable.body.owners.map((g: { name: string }) => g.name)).toEqual(['group:default/team-payments']);
    expect(readable.body.systems).toEqual([]);
    const refused = await get(backend, { entityRef: 'component:default/hidden-api' });
    expect(refused.status).toBe(403);
  });

  it('refuses an unknown period, environment or an empty entity ref, naming the parameter', async () => {
    const backend = await start([]);
    const cases: [Record<string, string>, string][] = [
      [{ days: '14' }, 'days'],
      [{ environment: 'qa' }, 'environment'],
      [{ entityRef: '' }, 'entityRef'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await get(backend, query);
      expect({ query, status }).toEqual({ query, status: 400 });
      expect(body.error.message).toContain(field);
    }
  });
});
