import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gitopsPermissions } from '@gitops-suite/backstage-plugin-gitops-common';
import request from 'supertest';
import { alice, bob, createWorld, ENTITY_PATH, ENTITY_REF, startWorldBackend, type World } from './__testUtils__/world';

/**
 * Authorisation: every route that reads or changes an entity's deployments checks its
 * own permission, answers 403 without it, and changes nothing (database, GitOps
 * repository, Argo CD). Each refusal is paired with the same request succeeding once
 * the permission is granted, so the test proves the permission is what stops it.
 * (A requester approving their own promotion is covered in promotions.test.ts.)
 */

type Backend = Awaited<ReturnType<typeof startWorldBackend>>;

interface Guarded {
  name: string;
  permission: string;
  send(backend: Backend, promotionId: string): request.Test;
  /** The status once allowed. */
  allowed: number;
}

const READ = 'gitops.deployments.read';
const PROMOTE = 'gitops.promotion.create';
const APPROVE = 'gitops.promotion.approve';
const ROLLBACK = 'gitops.rollback.create';
const CONTROL = 'gitops.rollout.control';
const SYNC = 'gitops.application.sync';

const get = (path: string) => (backend: Backend) => request(backend).get(path).set('authorization', alice);
const post = (path: string | ((id: string) => string), body: object, as = alice) => (backend: Backend, id: string) =>
  request(backend)
    .post(typeof path === 'string' ? path : path(id))
    .set('authorization', as)
    .send(body);
const rollout = { environment: 'dev', namespace: 'payments-dev', name: 'canary-demo' };

const guarded: Guarded[] = [
  { name: 'GET deployments', permission: READ, send: get(`${ENTITY_PATH}/deployments`), allowed: 200 },
  { name: 'GET vulnerabilities', permission: READ, send: get(`${ENTITY_PATH}/vulnerabilities?environment=dev`), allowed: 200 },
  { name: 'GET policies', permission: READ, send: get(`${ENTITY_PATH}/policies?environment=dev`), allowed: 200 },
  { name: 'GET rollback-candidates', permission: READ, send: get(`${ENTITY_PATH}/rollback-candidates?environment=prod`), allowed: 200 },
  { name: 'GET promotions of the entity', permission: READ, send: get(`/api/gitops/v1/promotions?entityRef=${encodeURIComponent(ENTITY_REF)}`), allowed: 200 },
  { name: 'GET one promotion', permission: READ, send: (backend, id) => get(`/api/gitops/v1/promotions/${id}`)(backend), allowed: 200 },
  { name: 'POST promotion preview', permission: READ, send: post('/api/gitops/v1/promotions/preview', { entityRef: ENTITY_REF, from: 'staging', to: 'prod' }), allowed: 200 },
  { name: 'POST promotion', permission: PROMOTE, send: post('/api/gitops/v1/promotions', { entityRef: ENTITY_REF, from: 'staging', to: 'prod' }), allowed: 201 },
  { name: 'POST cancel', permission: PROMOTE, send: post(id => `/api/gitops/v1/promotions/${id}/cancel`, {}), allowed: 200 },
  { name: 'POST approve', permission: APPROVE, send: post(id => `/api/gitops/v1/promotions/${id}/approve`, { comment: 'lgtm' }, bob), allowed: 200 },
  { name: 'POST reject', permission: APPROVE, send: post(id => `/api/gitops/v1/promotions/${id}/reject`, { comment: 'no' }, bob), allowed: 200 },
  { name: 'POST rollback', permission: ROLLBACK, send: post('/api/gitops/v1/rollbacks', { entityRef: ENTITY_REF, environment: 'prod', tag: '1.3.0' }), allowed: 201 },
  { name: 'POST argocd-rollback', permission: ROLLBACK, send: post(`${ENTITY_PATH}/argocd-rollback`, { environment: 'prod', application: 'payments-api-prod', historyId: 1 }), allowed: 200 },
  ...['sync', 'refresh', 'hard-refresh', 'terminate'].map(action => ({
    name: `POST applications/${action}`,
    permission: SYNC,
    send: post(`${ENTITY_PATH}/applications/${action}`, { environment: 'prod', instance: 'main', application: 'payments-api-prod' }),
    allowed: 200,
  })),
  ...['promote', 'promote-full', 'abort', 'retry', 'pause', 'restart'].map(action => ({
    name: `POST rollouts/${action}`,
    permission: CONTROL,
    send: post(`${ENTITY_PATH}/rollouts/${action}`, rollout),
    // The live Rollout is complete: some actions make no sense now (409), none is refused.
    allowed: action === 'restart' ? 200 : 409,
  })),
];

describe('authorization', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let world: World;
  let backend: Backend;
  let promotionId: string;
  const denied = new Set<string>();
  const permissions = mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(({ permission }) => ({
        result: denied.has(permission.name) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
      })),
  });

  beforeEach(async () => {
    denied.clear();
    world = await createWorld(databases);
    backend = await startWorldBackend(world, { features: [permissions.factory] });
    // alice asks to promote dev to staging; it awaits an approval.
    const created = await request(backend)
      .post('/api/gitops/v1/promotions')
      .set('authorization', alice)
      .send({ entityRef: ENTITY_REF, from: 'dev', to: 'staging' });
    if (created.status !== 201) throw new Error(`setup: ${created.text}`);
    promotionId = created.body.id;
  });
  afterEach(() => world.dispose());

  it('knows every gitops permission it tests', () => {
    expect(gitopsPermissions.map(p => p.name)).toEqual(expect.arrayContaining([READ, PROMOTE, APPROVE, ROLLBACK, CONTROL]));
  });

  it.each(guarded.map(g => [g.name, g.permission, g] as const))('%s is refused without %s and changes nothing', async (_name, permission, route) => {
    const before = await world.fingerprint();
    denied.add(permission);
    const refused = await route.send(backend, promotionId);
    expect({ status: refused.status, error: refused.body.error }).toEqual({
      status: 403,
      error: { name: 'NotAllowedError', message: expect.stringMatching(/^Not allowed to /) },
    });
    // Leaks nothing of what it refused: no version, gate or requester.
    expect(refused.text).not.toMatch(/1\.5\.0|1\.4\.2|user:default\/alice/);
    await world.engine();
    expect(await world.fingerprint()).toEqual(before);

    denied.clear();
    const granted = await route.send(backend, promotionId);
    expect({ status: granted.status, text: granted.text }).toEqual({ status: route.allowed, text: expect.any(String) });
  });

  it('with every permission denied, reads and changes nothing anywhere', async () => {
    const before = await world.fingerprint();
    for (const permission of gitopsPermissions) denied.add(permission.name);
    for (const route of guarded) {
      const response = await route.send(backend, promotionId);
      expect({ route: route.name, status: response.status }).toEqual({ route: route.name, status: 403 });
    }
    // Lists leave out what the caller may not read, rather than refusing.
    const fleet = await request(backend).get('/api/gitops/v1/fleet').set('authorization', alice).expect(200);
    expect(fleet.body.items).toEqual([]);
    const all = await request(backend).get('/api/gitops/v1/promotions').set('authorization', alice).expect(200);
    expect(all.body.items).toEqual([]);
    const awaiting = await request(backend).get('/api/gitops/v1/promotions?awaitingMyApproval=true').set('authorization', bob).expect(200);
    expect(awaiting.body.items).toEqual([]);

    await world.engine();
    expect(await world.fingerprint()).toEqual(before);
    expect(world.log()).toEqual(['Deploy payments-api 1.4.0 to prod', 'seed']);
  });
});
