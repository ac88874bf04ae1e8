import { mockCredentials, mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { alice, bob, ci, createWorld, ENTITY_REF, startWorldBackend, type World } from './__testUtils__/world';

/*
 * Issue 16: a service (CI calling with an external access token) may request a
 * promotion where the permission policy lets it: it is recorded as the service it is
 * (`service:<subject>`), never as a person. Approvals stay with people: a service
 * cannot approve, so it never counts as the second person of an approval rule, and
 * asking what awaits "my" approval answers nothing rather than failing.
 */
describe('service principals', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let world: World;
  let backend: Awaited<ReturnType<typeof startWorldBackend>>;
  const deniedToServices = new Set<string>();
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, options) =>
      requests.map(({ permission }) => ({
        result:
          options?.credentials.principal && (options.credentials.principal as { type: string }).type === 'service' &&
          deniedToServices.has(permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      })),
  });

  beforeEach(async () => {
    deniedToServices.clear();
    world = await createWorld(databases);
    backend = await startWorldBackend(world, { features: [permissions.factory] });
  });
  afterEach(() => world.dispose());

  const promote = (as: string, body: object = {}) =>
    request(backend).post('/api/gitops/v1/promotions').set('authorization', as).send({ entityRef: ENTITY_REF, from: 'dev', to: 'staging', ...body });
  const decide = (id: string, decision: string, as: string) =>
    request(backend).post(`/api/gitops/v1/promotions/${id}/${decision}`).set('authorization', as).send({});

  it('records a promotion requested by a service as that service, and leaves the approval to a person', async () => {
    const created = await promote(ci, { comment: 'release pipeline #812' });
    expect({ status: created.status, body: created.body }).toMatchObject({
      status: 201,
      body: {
        status: 'awaiting-approval',
        requestedBy: 'service:external:test-service',
        events: [expect.objectContaining({ type: 'requested', actor: 'service:external:test-service' })],
      },
    });
    const { id } = created.body;

    // A service cannot approve (not even its own request): it is not a second person.
    for (const decision of ['approve', 'reject']) {
      const refused = await decide(id, decision, ci);
      expect(refused.status).toBe(403);
    }
    const awaiting = await request(backend).get('/api/gitops/v1/promotions?awaitingMyApproval=true').set('authorization', ci);
    expect({ status: awaiting.status, items: awaiting.body.items }).toEqual({ status: 200, items: [] });
    expect((await request(backend).get(`/api/gitops/v1/promotions/${id}`).set('authorization', alice)).body.status).toBe('awaiting-approval');

    // A person approves: alice did not request it, so she may.
    const approved = await decide(id, 'approve', alice);
    expect(approved.body).toMatchObject({ status: 'approved', approvals: [{ approver: 'user:default/alice', decision: 'approved' }] });
    await world.engine();
    expect(world.log()[0]).toBe('Promote payments-api 1.5.0 from dev to staging');
    expect(
      (await request(backend).get('/api/gitops/v1/promotions?awaitingMyApproval=true').set('authorization', bob)).body.items,
    ).toEqual([]);
  });

  it('refuses a service with 403, changing nothing, where the permission policy does not let services promote', async () => {
    deniedToServices.add('gitops.promotion.create');
    const before = await world.fingerprint();
    const refused = await promote(ci);
    expect({ status: refused.status, error: refused.body.error }).toEqual({
      status: 403,
      error: { name: 'NotAllowedError', message: 'Not allowed to promote component:default/payments-api' },
    });
    expect(await world.fingerprint()).toEqual(before);
    // The same request by a person goes through.
    expect((await promote(alice)).status).toBe(201);
  });

  it('names the service that overrode a failed gate', async () => {
    await world.knex('gitops_bad_versions').insert({
      entity_ref: ENTITY_REF, environment: 'staging', tag: '1.5.0', promotion_id: 'earlier', reason: 'Degraded', created_at: new Date(),
    });
    const subject = 'external:release-bot';
    const created = await promote(mockCredentials.service.header({ onBehalfOf: mockCredentials.service(subject), targetPluginId: 'gitops' }), { overrideGates: true });
    expect(created.status).toBe(201);
    expect(created.body.requestedBy).toBe(`service:${subject}`);
    expect(created.body.events).toContainEqual(
      expect.objectContaining({ type: 'gates-overridden', actor: `service:${subject}` }),
    );
  });
});
