import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { PromotionStore } from '../database/PromotionStore';
import { json } from './__testUtils__/fakePeer';
import { alice, createWorld, ENTITY_PATH, ENTITY_REF, startWorldBackend, type World } from './__testUtils__/world';

/*
 * Issue 18: sync, refresh, hard refresh and terminate go to Argo CD (whose RBAC then
 * applies) for an application of the entity only; a sync that would fight a promotion
 * is refused before Argo CD hears of it; Argo CD's own refusals come back in words.
 */
describe('Argo CD application actions', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let world: World;
  beforeEach(async () => {
    world = await createWorld(databases);
  });
  afterEach(() => world.dispose());

  const act = (backend: Awaited<ReturnType<typeof startWorldBackend>>, action: string, body: object) =>
    request(backend).post(`${ENTITY_PATH}/applications/${action}`).set('authorization', alice).send({ environment: 'prod', instance: 'main', application: 'payments-api-prod', ...body });
  const writes = () => world.argocd.requests.filter(r => !r.startsWith('GET '));

  it('syncs with prune and dry run, refreshes hard and terminates through Argo CD', async () => {
    const backend = await startWorldBackend(world);
    const synced = await act(backend, 'sync', { prune: true, dryRun: true });
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({ name: 'payments-api-prod', instance: 'main' });
    expect((await act(backend, 'hard-refresh', {})).status).toBe(200);
    expect((await act(backend, 'terminate', {})).status).toBe(200);
    expect(writes()).toEqual(['POST /api/v1/applications/payments-api-prod/sync', 'DELETE /api/v1/applications/payments-api-prod/operation?appNamespace=argocd']);
    expect(world.argocd.requests).toContain('GET /api/v1/applications/payments-api-prod?refresh=hard&appNamespace=argocd');
  });

  it("never acts on an application that is not the entity's in that environment, nor with sync options on another action", async () => {
    const backend = await startWorldBackend(world);
    const other = await act(backend, 'sync', { application: 'orders-api-prod' });
    expect({ status: other.status, message: other.body.error.message }).toEqual({
      status: 404,
      message: "No application orders-api-prod of Argo CD instance 'main' belongs to this entity in environment 'prod'",
    });
    expect((await act(backend, 'sync', { environment: 'dev' })).status).toBe(404);
    const misplaced = await act(backend, 'refresh', { prune: true });
    expect({ status: misplaced.status, message: misplaced.body.error.message }).toEqual({ status: 400, message: 'prune, dryRun and revision go with a sync, not with refresh' });
    expect(writes()).toEqual([]);
  });

  it('refuses a sync to another revision than git says while a promotion to the environment is active', async () => {
    const backend = await startWorldBackend(world);
    const created = await request(backend).post('/api/gitops/v1/promotions').set('authorization', alice).send({ entityRef: ENTITY_REF, from: 'staging', to: 'prod' });
    expect(created.status).toBe(201);
    const refused = await act(backend, 'sync', { revision: 'v0.9.0' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      `Cannot sync payments-api-prod to v0.9.0: promotion ${created.body.id} of 1.4.2 to prod is awaiting-approval, and git says main`,
    );
    // git's own revision is always fine; and once nothing is promoted, another one is too.
    expect((await act(backend, 'sync', { revision: 'main' })).status).toBe(200);
    await new PromotionStore(world.knex).transition(created.body.id, ['awaiting-approval'], 'cancelled', { type: 'cancelled', message: 'test' });
    expect((await act(backend, 'sync', { revision: 'v0.9.0' })).status).toBe(200);
    expect(writes()).toEqual(['POST /api/v1/applications/payments-api-prod/sync', 'POST /api/v1/applications/payments-api-prod/sync']);
  });

  it("passes Argo CD's refusals on: an operation already running (409), its RBAC (403)", async () => {
    const backend = await startWorldBackend(world);
    world.argocd.behave(json(400, { error: 'another operation is already in progress', code: 9, message: 'another operation is already in progress' }));
    const running = await act(backend, 'sync', {});
    expect({ status: running.status, message: running.body.error.message }).toEqual({
      status: 409,
      message: 'Argo CD refused to sync: another operation is already in progress',
    });
    world.argocd.behave(json(403, { error: 'permission denied', code: 7, message: 'permission denied: applications, sync, default/payments-api-prod, sub: backstage' }));
    const denied = await act(backend, 'terminate', {});
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('permission denied: applications, sync');
  });
});
