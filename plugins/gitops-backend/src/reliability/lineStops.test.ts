import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { alice, bob, createWorld, ENTITY_REF, startWorldBackend, type World } from './__testUtils__/world';

/*
 * Issue 18, stopping the line: a person with gitops.line.stop pauses promotions into
 * an environment (or all) with a reason. No promotion starts there, an approved one is
 * held unwritten (saying why, once), and everything moves on once the stop is lifted.
 * Rollbacks go through unless config says otherwise.
 */
describe('stopping the line', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let world: World;
  const denied = new Set<string>();
  const permissions = mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(({ permission }) => ({ result: denied.has(permission.name) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW })),
  });
  beforeEach(async () => {
    denied.clear();
    world = await createWorld(databases);
  });
  afterEach(() => world.dispose());

  type Backend = Awaited<ReturnType<typeof startWorldBackend>>;
  const stopLine = (backend: Backend, environment: string, reason = 'incident 4711: payments down') =>
    request(backend).post('/api/gitops/v1/line-stops').set('authorization', alice).send({ environment, reason });
  const promote = (backend: Backend, from: string, to: string) =>
    request(backend).post('/api/gitops/v1/promotions').set('authorization', alice).send({ entityRef: ENTITY_REF, from, to });

  it('takes the permission, a configured environment, and one stop per environment', async () => {
    const backend = await startWorldBackend(world, { features: [permissions.factory] });
    denied.add('gitops.line.stop');
    expect((await stopLine(backend, 'prod')).status).toBe(403);
    denied.clear();
    const unknown = await stopLine(backend, 'qa');
    expect({ status: unknown.status, message: unknown.body.error.message }).toEqual({
      status: 400,
      message: "environment: 'qa' is not configured (use '*' for every environment)",
    });
    expect((await stopLine(backend, 'prod')).status).toBe(201);
    expect((await stopLine(backend, 'prod')).status).toBe(409);
    const { body } = await request(backend).get('/api/gitops/v1/line-stops').set('authorization', bob);
    expect(body.active).toEqual([expect.objectContaining({ environment: 'prod', stoppedBy: 'user:default/alice', reason: 'incident 4711: payments down' })]);
  });

  it('refuses new promotions into a stopped environment, with the reason in the preview too', async () => {
    const backend = await startWorldBackend(world);
    expect((await stopLine(backend, 'staging')).status).toBe(201);
    const refused = await promote(backend, 'dev', 'staging');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/^The line into staging is stopped by user:default\/alice since .+: incident 4711: payments down \(no promotion until it is lifted\)$/);
    const preview = await request(backend).post('/api/gitops/v1/promotions/preview').set('authorization', alice).send({ entityRef: ENTITY_REF, from: 'dev', to: 'staging' });
    expect(preview.body.blockedBy).toBe(refused.body.error.message);
    // Another environment is not stopped.
    expect((await promote(backend, 'staging', 'prod')).status).toBe(201);
  });

  it('holds an approved promotion unwritten, saying so once, and writes it once the stop is lifted', async () => {
    const backend = await startWorldBackend(world);
    const created = await promote(backend, 'dev', 'staging');
    const stop = await stopLine(backend, '*');
    await request(backend).post(`/api/gitops/v1/promotions/${created.body.id}/approve`).set('authorization', bob).send({});
    const head = world.log();
    await world.engine();
    await world.engine();
    const held = await request(backend).get(`/api/gitops/v1/promotions/${created.body.id}`).set('authorization', alice);
    expect(held.body.status).toBe('approved');
    expect(held.body.events.filter((e: { type: string }) => e.type === 'held')).toHaveLength(1);
    expect(world.log()).toEqual(head);

    expect((await request(backend).post(`/api/gitops/v1/line-stops/${stop.body.id}/lift`).set('authorization', bob).send()).status).toBe(200);
    await world.engine();
    const moved = await request(backend).get(`/api/gitops/v1/promotions/${created.body.id}`).set('authorization', alice);
    expect(moved.body.status).not.toBe('approved');
    expect(world.log()[0]).toContain('1.5.0');
  });

  it('lets rollbacks through by default, and holds them where config says so', async () => {
    const rollBack = (backend: Backend) =>
      request(backend).post('/api/gitops/v1/rollbacks').set('authorization', alice).send({ entityRef: ENTITY_REF, environment: 'prod', tag: '1.3.0' });
    const backend = await startWorldBackend(world);
    await stopLine(backend, 'prod');
    expect((await rollBack(backend)).status).toBe(201);

    const config = structuredClone(world.config) as typeof world.config & { gitops: { lineStops?: object } };
    config.gitops.lineStops = { allowRollbacks: false };
    const strict = await startWorldBackend(world, { config });
    const held = await rollBack(strict);
    expect(held.status).toBe(409);
    expect(held.body.error.message).toContain('(no rollback until it is lifted)');
  });
});
