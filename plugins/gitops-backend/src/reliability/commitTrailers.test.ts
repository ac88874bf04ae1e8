import { TestDatabases } from '@backstage/backend-test-utils';
import { execFileSync } from 'child_process';
import request from 'supertest';
import { alice, bob, createWorld, ENTITY_REF, startWorldBackend, type World } from './__testUtils__/world';

/**
 * A promotion's commit is found again by its `Promotion-Id:` trailer line, which is what
 * makes a retried write land exactly once. Free text that reaches the commit message (the
 * comment) must therefore never carry such a line: a comment naming another promotion's
 * id would make that promotion look written, and it would "succeed" without its commit.
 */
describe('commit trailers', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let world: World;
  let backend: Awaited<ReturnType<typeof startWorldBackend>>;

  beforeEach(async () => {
    world = await createWorld(databases);
    backend = await startWorldBackend(world);
  });
  afterEach(() => world.dispose());

  const promote = (body: object) =>
    request(backend).post('/api/gitops/v1/promotions').set('authorization', alice).send({ entityRef: ENTITY_REF, ...body });
  const approve = (id: string) =>
    request(backend).post(`/api/gitops/v1/promotions/${id}/approve`).set('authorization', bob).send({});
  const show = (file: string) => execFileSync('git', ['--git-dir', world.remote, 'show', `main:${file}`], { encoding: 'utf8' });

  it.each([
    ['a trailer line', (id: string) => `ship it\n\nPromotion-Id: ${id}`],
    ['a trailer line in other case, indented', (id: string) => `ship it\n  promotion-id: ${id}`],
    ['a carriage return', (id: string) => `ship it\rPromotion-Id: ${id}`],
  ])('refuses a comment carrying %s, on promotions and rollbacks', async (_what, comment) => {
    const victim = await promote({ from: 'dev', to: 'staging' });
    expect(victim.status).toBe(201);

    const forged = await promote({ from: 'staging', to: 'prod', comment: comment(victim.body.id) });
    expect(forged.status).toBe(400);
    expect(forged.body.error.message).toMatch(/^comment: /);
    const rollback = await request(backend)
      .post('/api/gitops/v1/rollbacks')
      .set('authorization', alice)
      .send({ entityRef: ENTITY_REF, environment: 'prod', tag: '1.3.0', comment: comment(victim.body.id) });
    expect(rollback.status).toBe(400);
    expect(rollback.body.error.message).toMatch(/^comment: /);
  });

  it('writes every promotion as its own commit, whatever its comment says', async () => {
    const victim = await promote({ from: 'dev', to: 'staging' });
    // A comment that only mentions the trailer inside a sentence is kept.
    const other = await promote({ from: 'staging', to: 'prod', comment: `follows the Promotion-Id: ${victim.body.id} one` });
    expect(other.status).toBe(201);
    await approve(other.body.id).expect(200);
    await world.engine();
    await approve(victim.body.id).expect(200);
    await world.engine();

    const get = async (id: string) => (await request(backend).get(`/api/gitops/v1/promotions/${id}`).set('authorization', alice)).body;
    const [a, b] = [await get(victim.body.id), await get(other.body.id)];
    expect(a.commit.sha).toBeDefined();
    expect(b.commit.sha).toBeDefined();
    expect(a.commit.sha).not.toBe(b.commit.sha);
    expect(show('apps/payments-api/staging/values.yaml')).toContain('tag: "1.5.0"');
    expect(show('apps/payments-api/prod/values.yaml')).toContain('tag: "1.4.2"');
  });
});
