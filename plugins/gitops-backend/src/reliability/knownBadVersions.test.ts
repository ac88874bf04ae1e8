import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { PromotionStore } from '../database/PromotionStore';
import { CONTINUOUS_DEPLOYMENT_REQUESTER } from '../promotions/ContinuousDeployment';
import { alice, createWorld, ENTITY_PATH, ENTITY_REF, startWorldBackend, type World } from './__testUtils__/world';

/*
 * Issue 16: a version that failed in an environment (and was rolled back) stays
 * refused there. Continuous deployment never promotes it again; a person can only with
 * the override permission, asking for it explicitly, and the override is recorded on
 * the promotion as an event naming who overrode which gate.
 */
describe('known-bad versions', () => {
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

  /** The backend (which migrates the database), with 1.5.0, what dev runs, failed in staging before. */
  async function start(options: Parameters<typeof startWorldBackend>[1]) {
    const backend = await startWorldBackend(world, options);
    await new PromotionStore(world.knex).markBad(ENTITY_REF, 'staging', '1.5.0', 'p-earlier', 'payments-api-staging is Degraded');
    return backend;
  }

  const promote = (backend: Awaited<ReturnType<typeof startWorldBackend>>, body: object = {}) =>
    request(backend).post('/api/gitops/v1/promotions').set('authorization', alice).send({ entityRef: ENTITY_REF, from: 'dev', to: 'staging', ...body });

  it('is refused to a person without an override, and without the override permission', async () => {
    const backend = await start({ features: [permissions.factory] });
    const before = await world.fingerprint();
    const blocked = await promote(backend);
    expect(blocked.status).toBe(409);
    expect(blocked.body.gates).toContainEqual({
      gate: 'known-bad',
      passed: false,
      evidence: '1.5.0 failed in staging before (promotion p-earlier: payments-api-staging is Degraded)',
    });

    denied.add('gitops.promotion.override');
    const unauthorized = await promote(backend, { overrideGates: true });
    expect({ status: unauthorized.status, message: unauthorized.body.error.message }).toEqual({
      status: 403,
      message: 'Not allowed to override the gates of component:default/payments-api',
    });
    await world.engine();
    expect(await world.fingerprint()).toEqual(before);
  });

  it('goes through with the override permission, and the override is recorded as an event', async () => {
    const backend = await start({ features: [permissions.factory] });
    const created = await promote(backend, { overrideGates: true, comment: 'the Degraded was the database, not 1.5.0' });
    expect(created.status).toBe(201);
    expect(created.body.gates).toContainEqual(expect.objectContaining({ gate: 'known-bad', passed: false, overridden: true }));
    expect(created.body.events.map((e: { type: string }) => e.type)).toEqual(['requested', 'gates-overridden']);
    expect(created.body.events[1]).toMatchObject({
      actor: 'user:default/alice',
      message: 'user:default/alice overrode the failed gates: known-bad (1.5.0 failed in staging before (promotion p-earlier: payments-api-staging is Degraded))',
    });
  });

  it('is refused as a manual rollback target too, unless overridden with the override permission', async () => {
    const backend = await start({ features: [permissions.factory] });
    // prod ran 1.3.0 before, and it failed there.
    await new PromotionStore(world.knex).markBad(ENTITY_REF, 'prod', '1.3.0', 'p-old', 'payments-api-prod is Degraded');
    const rollBack = (body: object = {}) =>
      request(backend).post('/api/gitops/v1/rollbacks').set('authorization', alice).send({ entityRef: ENTITY_REF, environment: 'prod', tag: '1.3.0', ...body });
    const candidates = await request(backend).get(`${ENTITY_PATH}/rollback-candidates?environment=prod`).set('authorization', alice);
    expect(candidates.body.items).toEqual([expect.objectContaining({ tag: '1.3.0', bad: true })]);
    const before = await world.fingerprint();

    const blocked = await rollBack();
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.message).toBe('Rollback blocked by known-bad (1.3.0 failed in prod before (promotion p-old: payments-api-prod is Degraded))');
    expect(blocked.body.gates).toContainEqual(expect.objectContaining({ gate: 'known-bad', passed: false }));
    denied.add('gitops.promotion.override');
    expect((await rollBack({ overrideGates: true })).status).toBe(403);
    expect(await world.fingerprint()).toEqual(before);

    denied.clear();
    const created = await rollBack({ overrideGates: true, comment: '1.3.0 is the last version the new schema accepts' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'rollback', to: 'prod', version: expect.objectContaining({ tag: '1.3.0' }) });
    expect(created.body.events.map((e: { type: string }) => e.type)).toEqual(['requested', 'gates-overridden']);
  });

  it('is never promoted by continuous deployment, which promotes it once it is no longer known bad', async () => {
    const config = structuredClone(world.config);
    (config.gitops.environments[1] as { promotion: object }).promotion = { mode: 'automatic', approvals: { required: 1 } };
    const backend = await start({ config });
    const before = await world.fingerprint();
    await world.scheduler.triggerTask('gitops-continuous-deployment');
    await world.engine();
    expect(await world.fingerprint()).toEqual(before);

    // The control: the same run promotes it when nothing marks it bad.
    await world.knex('gitops_bad_versions').delete();
    await world.scheduler.triggerTask('gitops-continuous-deployment');
    const { body } = await request(backend).get(`/api/gitops/v1/promotions?entityRef=${encodeURIComponent(ENTITY_REF)}`).set('authorization', alice);
    expect(body.items).toEqual([
      expect.objectContaining({ to: 'staging', version: expect.objectContaining({ tag: '1.5.0' }), requestedBy: CONTINUOUS_DEPLOYMENT_REQUESTER }),
    ]);
  });
});
