import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import {
  ARGOCD_URL,
  paymentsEntity,
  setupUpstreamServer,
  startGitopsTestBackend,
} from '../__testUtils__/testBackend';
import { git } from '@gitops-suite/backstage-plugin-gitops-node';

const VALUES = (tag: string) => `# payments-api (team-payments)
image:
  repository: ghcr.io/example/payments-api
  # the deployed version
  tag: "${tag}"
resources: {requests: {cpu: 50m}}
`;

const KUSTOMIZATION = (tag: string) => `resources:
  - ../base
images:
  # bumped by promotions
  - name: ghcr.io/example/payments-api
    newTag: "${tag}"
`;

const alice = mockCredentials.user.header('user:default/alice');
const bob = mockCredentials.user.header('user:default/bob');

// Each test drives a backend, a git repository and several engine runs: give a busy CI
// machine room.
jest.setTimeout(30_000);

describe('promotions', () => {
  const { server } = setupUpstreamServer();
  let root: string;
  let remote: string;
  let staging: { revision: string; health: string; sync: string };
  /** The repository URL the Argo CD applications name; default the bare repository. */
  let repoURL: string | undefined;
  /** The file in apps/payments-api/staging whose tag staging runs (what Argo CD renders). */
  let stagingVersionFile = 'values.yaml';
  let scheduler: ReturnType<typeof mockServices.scheduler> & { triggerTask(id: string): Promise<void> };

  const labels = (env: string) => ({ 'app.kubernetes.io/name': 'payments-api', env });
  const app = (env: string, tag: string, state = { revision: 'seed', health: 'Healthy', sync: 'Synced' }) => {
    const application = argoApplication(`payments-api-${env}`, {
      labels: labels(env),
      image: `ghcr.io/example/payments-api:${tag}`,
      revision: state.revision,
      health: state.health,
      sync: state.sync,
    });
    application.spec.source = { repoURL: repoURL ?? `file://${remote}`, path: `apps/payments-api/${env}`, targetRevision: 'main' };
    return application;
  };

  /** What staging runs at a revision: the tag its values file holds there. */
  async function stagingTagAt(revision: string) {
    const text = await git(root, ['--git-dir', remote, 'show', `${revision}:apps/payments-api/staging/${stagingVersionFile}`]).catch(() => undefined);
    return text?.match(/[tT]ag: "([^"]+)"/)?.[1] ?? '1.5.0';
  }

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-promotions-'));
    remote = path.join(root, 'gitops.git');
    const seed = path.join(root, 'seed');
    await git(root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    await git(root, ['clone', '--quiet', remote, seed]);
    for (const [env, tag] of [['dev', '1.5.0'], ['staging', '1.4.2'], ['prod', '1.4.2']]) {
      fs.mkdirSync(path.join(seed, 'apps/payments-api', env), { recursive: true });
      fs.writeFileSync(path.join(seed, 'apps/payments-api', env, 'values.yaml'), VALUES(tag));
      fs.writeFileSync(path.join(seed, 'apps/payments-api', env, 'kustomization.yaml'), KUSTOMIZATION(tag));
    }
    await git(seed, ['add', '.']);
    await git(seed, ['commit', '--quiet', '-m', 'seed'], { author: { name: 'seed', email: 'seed@example.com' } });
    await git(seed, ['push', '--quiet', 'origin', 'HEAD:main']);
    const seedSha = await git(seed, ['rev-parse', 'HEAD']);
    staging = { revision: seedSha, health: 'Healthy', sync: 'Synced' };

    server.use(
      http.get(`${ARGOCD_URL}/api/v1/applications`, async () =>
        HttpResponse.json({
          items: [
            app('dev', '1.5.0', { revision: seedSha, health: 'Healthy', sync: 'Synced' }),
            app('staging', await stagingTagAt(staging.revision), staging),
            app('prod', '1.4.2', { revision: seedSha, health: 'Healthy', sync: 'Synced' }),
          ],
        }),
      ),
      http.get(`${ARGOCD_URL}/api/v1/applications/:name`, ({ params }) =>
        HttpResponse.json(app(String(params.name).replace('payments-api-', ''), '1.5.0')),
      ),
    );
    scheduler = mockServices.scheduler() as typeof scheduler;
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    repoURL = undefined;
    stagingVersionFile = 'values.yaml';
  });

  const config = {
    gitops: {
      environments: [
        { name: 'dev', match: { labels: { env: 'dev' } } },
        { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } }, promotion: { verifyTimeoutMinutes: 5, autoRollback: true } },
        {
          name: 'prod',
          promotesFrom: 'staging',
          match: { labels: { env: 'prod' } },
          promotion: { approvals: { required: 1 }, gates: { requireSourceHealthy: true } },
        },
      ],
      argocd: { stream: false, instances: [{ name: 'main', url: ARGOCD_URL, token: 't' }] },
      git: { workDir: '' },
    },
  };

  async function start() {
    config.gitops.git.workDir = path.join(root, 'work');
    return startGitopsTestBackend({ config, scheduler, entities: [{ ...paymentsEntity, metadata: { ...paymentsEntity.metadata, annotations: { 'argocd/app-selector': 'app.kubernetes.io/name=payments-api' } } }] });
  }
  /** The backend with staging's promotion config changed (and more root config). */
  async function startWithStaging(promotion: object, rootConfig: object = {}) {
    const stagingConfig = config.gitops.environments[1] as { promotion: object };
    const original = stagingConfig.promotion;
    stagingConfig.promotion = { ...original, ...promotion };
    try {
      config.gitops.git.workDir = path.join(root, 'work');
      return await startGitopsTestBackend({
        config: { ...config, ...rootConfig },
        scheduler,
        entities: [{ ...paymentsEntity, metadata: { ...paymentsEntity.metadata, annotations: { 'argocd/app-selector': 'app.kubernetes.io/name=payments-api' } } }],
      });
    } finally {
      stagingConfig.promotion = original;
    }
  }
  const engine = () => scheduler.triggerTask('gitops-promotion-engine');
  const refresh = () => scheduler.triggerTask('gitops-argocd-inventory-refresh');
  const remoteLog = async () => (await git(root, ['--git-dir', remote, 'log', '--format=%s', 'main'])).split('\n');
  const promote = (backend: Awaited<ReturnType<typeof start>>, body: object, as = alice) =>
    request(backend).post('/api/gitops/v1/promotions').set('authorization', as).send({ entityRef: 'component:default/payments-api', ...body });
  const get = async (backend: Awaited<ReturnType<typeof start>>, id: string) =>
    (await request(backend).get(`/api/gitops/v1/promotions/${id}`).set('authorization', alice)).body;

  it('moves dev -> staging through every state to succeeded with exactly one commit', async () => {
    const backend = await start();
    const created = await promote(backend, { from: 'dev', to: 'staging', comment: 'ship it' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'approved',
      version: { tag: '1.5.0' },
      previousVersion: { tag: '1.4.2' },
      requestedBy: 'user:default/alice',
      gates: [{ gate: 'source-healthy', passed: true }],
    });
    const { id } = created.body;

    await engine();
    const committed = await get(backend, id);
    expect(committed.status).toBe('committed');
    expect(await git(root, ['--git-dir', remote, 'rev-parse', 'main'])).toBe(committed.commit.sha);
    expect(await git(root, ['--git-dir', remote, 'show', 'main:apps/payments-api/staging/values.yaml'])).toBe(VALUES('1.5.0').trim());
    expect(await git(root, ['--git-dir', remote, 'log', '-1', '--format=%B', 'main'])).toContain(`Promotion-Id: ${id}`);

    await engine();
    expect((await get(backend, id)).status).toBe('syncing');
    await engine();
    expect((await get(backend, id)).status).toBe('syncing');

    staging = { revision: committed.commit.sha, health: 'Progressing', sync: 'Synced' };
    await refresh();
    await engine();
    expect((await get(backend, id)).status).toBe('syncing');

    staging.health = 'Healthy';
    await refresh();
    await engine();
    const done = await get(backend, id);
    expect(done.status).toBe('succeeded');
    expect(done.events.map((e: { type: string }) => e.type)).toEqual(['requested', 'writing', 'committed', 'syncing', 'succeeded']);
    expect(await remoteLog()).toEqual(['Promote payments-api 1.5.0 from dev to staging', 'seed']);
  });

  it('refuses a second active promotion to the same environment with 409 naming the first', async () => {
    const backend = await start();
    const first = await promote(backend, { from: 'dev', to: 'staging' });
    const second = await promote(backend, { from: 'dev', to: 'staging' });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(first.body.id);
  });

  it('needs an approval from someone else for prod', async () => {
    // staging must run something other than prod: let the first promotion land
    const backend = await start();
    const seedSha = staging.revision;
    await promote(backend, { from: 'dev', to: 'staging' });
    await engine();
    const sha = await git(root, ['--git-dir', remote, 'rev-parse', 'main']);
    staging = { revision: sha, health: 'Healthy', sync: 'Synced' };
    expect(sha).not.toBe(seedSha);
    await refresh();

    const created = await promote(backend, { from: 'staging', to: 'prod' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'awaiting-approval', requiredApprovals: 1 });
    const { id } = created.body;

    const awaiting = (as: string) =>
      request(backend).get('/api/gitops/v1/promotions').query({ awaitingMyApproval: 'true' }).set('authorization', as);
    expect((await awaiting(bob)).body.items.map((p: { id: string }) => p.id)).toEqual([id]);
    expect((await awaiting(alice)).body.items).toEqual([]);

    const own = await request(backend).post(`/api/gitops/v1/promotions/${id}/approve`).set('authorization', alice).send({});
    expect(own.status).toBe(403);
    expect(own.body.error.message).toBe('You requested this promotion: another person must approve it');

    await engine();
    expect((await get(backend, id)).status).toBe('awaiting-approval');

    const approved = await request(backend).post(`/api/gitops/v1/promotions/${id}/approve`).set('authorization', bob).send({ comment: 'lgtm' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', approvals: [{ approver: 'user:default/bob', decision: 'approved', comment: 'lgtm' }] });

    const again = await request(backend).post(`/api/gitops/v1/promotions/${id}/approve`).set('authorization', bob).send({});
    expect(again.status).toBe(409);

    await engine();
    expect((await get(backend, id)).status).toBe('committed');
    expect(await git(root, ['--git-dir', remote, 'show', 'main:apps/payments-api/prod/values.yaml'])).toContain('tag: "1.5.0"');
  });

  it('can be rejected, or cancelled before it is written but not after', async () => {
    const backend = await start();
    const first = await promote(backend, { from: 'dev', to: 'staging' });
    const cancelled = await request(backend).post(`/api/gitops/v1/promotions/${first.body.id}/cancel`).set('authorization', alice).send({});
    expect(cancelled.body.status).toBe('cancelled');

    const second = await promote(backend, { from: 'dev', to: 'staging' });
    expect(second.status).toBe(201);
    await engine();
    const late = await request(backend).post(`/api/gitops/v1/promotions/${second.body.id}/cancel`).set('authorization', alice).send({});
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('only promotions not yet written can be cancelled');
  });

  it('fails when the target becomes Degraded after syncing the commit', async () => {
    const backend = await start();
    const { body } = await promote(backend, { from: 'dev', to: 'staging' });
    await engine();
    await engine();
    const { commit } = await get(backend, body.id);
    staging = { revision: commit.sha, health: 'Degraded', sync: 'Synced' };
    await refresh();
    await engine();
    const failed = await get(backend, body.id);
    expect(failed.status).toBe('failed');
    expect(failed.failureReason).toContain('payments-api-staging is Degraded');

    // staging rolls back on its own, once, to what it ran before: approved, and written
    // in the same engine run (the run leases what is there to do, one after another).
    const list = async () =>
      (await request(backend).get('/api/gitops/v1/promotions').query({ entityRef: 'component:default/payments-api' }).set('authorization', alice)).body.items;
    const [rollback] = await list();
    expect(rollback).toMatchObject({
      kind: 'rollback',
      rollbackOf: body.id,
      from: 'staging',
      to: 'staging',
      version: { tag: '1.4.2' },
      status: 'committed',
      events: expect.arrayContaining([expect.objectContaining({ type: 'requested', actor: 'system:gitops/auto-rollback' })]),
      requestedBy: 'system:gitops/auto-rollback',
      gates: [{ gate: 'source-healthy', passed: true, evidence: expect.stringContaining('skipped') }],
    });
    await engine();
    expect(await remoteLog()).toEqual([
      'Roll back payments-api in staging to 1.4.2',
      'Promote payments-api 1.5.0 from dev to staging',
      'seed',
    ]);
    expect(await git(root, ['--git-dir', remote, 'show', 'main:apps/payments-api/staging/values.yaml'])).toBe(VALUES('1.4.2').trim());

    // The rollback itself fails (still Degraded at its commit): no second rollback.
    await engine();
    const rollbackCommit = (await get(backend, rollback.id)).commit.sha;
    staging = { revision: rollbackCommit, health: 'Degraded', sync: 'Synced' };
    await refresh();
    await engine();
    expect((await get(backend, rollback.id)).status).toBe('failed');
    expect((await list()).length).toBe(2);

    // 1.5.0 is now known bad in staging.
    staging = { revision: rollbackCommit, health: 'Healthy', sync: 'Synced' };
    await refresh();
    const again = await promote(backend, { from: 'dev', to: 'staging' });
    expect(again.status).toBe(409);
    expect(again.body.gates).toContainEqual(
      expect.objectContaining({ gate: 'known-bad', passed: false, evidence: expect.stringContaining(`1.5.0 failed in staging before (promotion ${body.id}`) }),
    );
  });

  it('rolls an environment back by hand to a version it ran before, as one commit', async () => {
    const backend = await start();
    const { body } = await promote(backend, { from: 'dev', to: 'staging' });
    await engine();
    await engine();
    const { commit } = await get(backend, body.id);
    staging = { revision: commit.sha, health: 'Healthy', sync: 'Synced' };
    await refresh();
    await engine();
    expect((await get(backend, body.id)).status).toBe('succeeded');

    const candidates = await request(backend)
      .get('/api/gitops/v1/entities/component/default/payments-api/rollback-candidates')
      .query({ environment: 'staging' })
      .set('authorization', alice);
    expect(candidates.body.items).toEqual([
      expect.objectContaining({ tag: '1.4.2', message: 'seed' }),
    ]);

    const unknown = await request(backend).post('/api/gitops/v1/rollbacks').set('authorization', alice)
      .send({ entityRef: 'component:default/payments-api', environment: 'staging', tag: '0.9.0' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('tag: 0.9.0 is not a version staging ran before (candidates: 1.4.2)');

    const rollback = await request(backend).post('/api/gitops/v1/rollbacks').set('authorization', alice)
      .send({ entityRef: 'component:default/payments-api', environment: 'staging', tag: '1.4.2', comment: 'revert' });
    expect(rollback.status).toBe(201);
    expect(rollback.body).toMatchObject({ kind: 'rollback', status: 'approved', previousVersion: { tag: '1.5.0' } });
    await engine();
    expect(await remoteLog()).toEqual([
      'Roll back payments-api in staging to 1.4.2',
      'Promote payments-api 1.5.0 from dev to staging',
      'seed',
    ]);
  });

  /** Promotes dev's 1.5.0 to staging (past its gates) and follows it to succeeded. */
  async function landStaging(backend: Awaited<ReturnType<typeof start>>) {
    const { body } = await promote(backend, { from: 'dev', to: 'staging', overrideGates: true });
    await engine();
    staging = { revision: (await get(backend, body.id)).commit.sha, health: 'Healthy', sync: 'Synced' };
    await refresh();
    await engine();
    await engine();
    expect((await get(backend, body.id)).status).toBe('succeeded');
  }

  it('records the gates a rollback skips by config, and evaluates the others on evidence', async () => {
    const gates = { requireSourceHealthy: true, soakMinutes: 30, maxCritical: 0 };
    const rollBack = (backend: Awaited<ReturnType<typeof start>>) =>
      request(backend).post('/api/gitops/v1/rollbacks').set('authorization', alice)
        .send({ entityRef: 'component:default/payments-api', environment: 'staging', tag: '1.4.2' });
    // staging runs 1.4.2 at the seed; let 1.5.0 land so 1.4.2 is a rollback candidate
    const byDefault = await startWithStaging({ gates });
    await landStaging(byDefault);
    const skipped = await rollBack(byDefault);
    expect(skipped.status).toBe(201);
    expect(skipped.body.gates).toEqual([
      { gate: 'source-healthy', passed: true, evidence: expect.stringContaining('a rollback has no source environment') },
      { gate: 'soak-time', passed: true, evidence: expect.stringContaining('promotion.rollback.skipGates') },
      { gate: 'vulnerabilities', passed: true, evidence: expect.stringContaining('promotion.rollback.skipGates') },
    ]);
  });

  it('blocks a rollback on a gate it does not skip, failing closed without evidence', async () => {
    const backend = await startWithStaging({
      gates: { requireSourceHealthy: false, maxCritical: 0 },
      rollback: { skipGates: [] },
    });
    await landStaging(backend);
    const before = await remoteLog();
    const blocked = await request(backend).post('/api/gitops/v1/rollbacks').set('authorization', alice)
      .send({ entityRef: 'component:default/payments-api', environment: 'staging', tag: '1.4.2' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.message).toContain('Rollback blocked by vulnerabilities');
    expect(await remoteLog()).toEqual(before);
  });

  it('writes a Kustomize images entry when the environment uses that strategy, and rolls back from its history', async () => {
    stagingVersionFile = 'kustomization.yaml';
    const backend = await startWithStaging({ write: { strategy: 'kustomize-image' } });
    await landStaging(backend);
    const kustomization = () => git(root, ['--git-dir', remote, 'show', 'main:apps/payments-api/staging/kustomization.yaml']);
    expect(await kustomization()).toBe(KUSTOMIZATION('1.5.0').trim());
    expect(await git(root, ['--git-dir', remote, 'show', 'main:apps/payments-api/staging/values.yaml'])).toBe(VALUES('1.4.2').trim());

    const candidates = await request(backend)
      .get('/api/gitops/v1/entities/component/default/payments-api/rollback-candidates')
      .query({ environment: 'staging' })
      .set('authorization', alice);
    expect(candidates.body.items).toEqual([expect.objectContaining({ tag: '1.4.2', message: 'seed' })]);
  });

  it('blocks on failed gates with the evidence, and writes nothing', async () => {
    // staging runs 1.5.0 but is not healthy; prod promotes from it
    staging = { revision: 'f'.repeat(40), health: 'Progressing', sync: 'Synced' };
    const backend = await start();
    const response = await promote(backend, { from: 'staging', to: 'prod' });
    expect(response.status).toBe(409);
    expect(response.body.gates).toEqual([
      { gate: 'source-healthy', passed: false, evidence: 'payments-api-staging is Progressing' },
    ]);
    expect(await remoteLog()).toEqual(['seed']);
    const list = await request(backend).get('/api/gitops/v1/promotions').query({ entityRef: 'component:default/payments-api' }).set('authorization', alice);
    expect(list.body.items).toEqual([]);
  });

  it.each([
    [{ from: 'dev', to: 'qa' }, 400, "to: environment 'qa' is not configured"],
    [{ from: 'dev', to: 'prod' }, 400, 'to: prod is promoted from staging, not from dev'],
    [{ from: 'dev', to: 'staging', entityRef: 'not a ref' }, 400, 'entityRef'],
    [{ from: 'dev', to: 'staging', entityRef: 'component:default/unknown' }, 404, 'No entity component:default/unknown'],
    [{ from: 'dev', to: 'staging', tag: '1.6.0\nmalicious: true' }, 400, 'must NOT have additional properties'],
    [{ from: '../dev', to: 'staging' }, 400, 'from'],
  ])('rejects %j with %i and writes nothing', async (body, status, message) => {
    const backend = await start();
    const response = await promote(backend, body);
    expect(response.status).toBe(status);
    expect(response.body.error.message).toContain(message);
    await engine();
    expect(await remoteLog()).toEqual(['seed']);
  });

  describe('through a GitHub pull request', () => {
    const GITHUB = 'https://github.com/acme/gitops';
    const API = 'https://api.github.com/repos/acme/gitops';
    let pullRequest: { state: string; merged_at: string | null; merge_commit_sha: string | null };
    const opened: Array<Record<string, string>> = [];

    beforeEach(() => {
      repoURL = GITHUB;
      // git's own URL rewriting stands in for github.com: pushes land in the bare repository.
      process.env.GIT_CONFIG_COUNT = '1';
      process.env.GIT_CONFIG_KEY_0 = `url.file://${remote}.insteadOf`;
      process.env.GIT_CONFIG_VALUE_0 = GITHUB;
      pullRequest = { state: 'open', merged_at: null, merge_commit_sha: null };
      opened.length = 0;
      const asGithub = (number: number) => ({
        url: `${API}/pulls/${number}`, html_url: `${GITHUB}/pull/${number}`, number, ...pullRequest,
      });
      server.use(
        http.get(`${API}/pulls`, () => HttpResponse.json(opened.length ? [asGithub(12)] : [])),
        http.post(`${API}/pulls`, async ({ request: req }) => {
          opened.push({ ...((await req.json()) as Record<string, string>), authorization: req.headers.get('authorization')! });
          return HttpResponse.json(asGithub(12), { status: 201 });
        }),
        http.get(`${API}/pulls/12`, () => HttpResponse.json(asGithub(12))),
      );
    });
    afterEach(() => {
      delete process.env.GIT_CONFIG_COUNT;
      delete process.env.GIT_CONFIG_KEY_0;
      delete process.env.GIT_CONFIG_VALUE_0;
    });

    const startWithPullRequests = () =>
      startWithStaging({ write: { method: 'pull-request' } }, { integrations: { github: [{ host: 'github.com', token: 'ghp_test' }] } });

    it('opens one pull request, waits for the merge, then follows its merge commit to succeeded', async () => {
      const backend = await startWithPullRequests();
      const { id } = (await promote(backend, { from: 'dev', to: 'staging' })).body;
      await engine();
      const open = await get(backend, id);
      expect(open).toMatchObject({ status: 'pull-request-open', pullRequestUrl: `${GITHUB}/pull/12` });
      expect(opened).toEqual([expect.objectContaining({
        base: 'main', head: `gitops/promotion-${id}`, title: 'Promote payments-api 1.5.0 from dev to staging',
        authorization: 'token ghp_test',
      })]);
      expect(opened[0].body).toContain(`Promotion-Id: ${id}`);
      // main is untouched until a person merges; the change waits on its branch
      expect(await remoteLog()).toEqual(['seed']);
      expect(await git(root, ['--git-dir', remote, 'show', `gitops/promotion-${id}:apps/payments-api/staging/values.yaml`])).toBe(VALUES('1.5.0').trim());

      await engine();
      expect((await get(backend, id)).status).toBe('pull-request-open');

      // The reviewer merges (a fast-forward here); GitHub reports the merge commit.
      const mergeSha = await git(root, ['--git-dir', remote, 'rev-parse', `gitops/promotion-${id}`]);
      await git(root, ['--git-dir', remote, 'update-ref', 'refs/heads/main', mergeSha]);
      pullRequest = { state: 'closed', merged_at: '2026-11-22T06:00:00Z', merge_commit_sha: mergeSha };
      await engine();
      expect(await get(backend, id)).toMatchObject({ status: 'committed', commit: { sha: mergeSha } });

      await engine();
      staging = { revision: mergeSha, health: 'Healthy', sync: 'Synced' };
      await refresh();
      await engine();
      const done = await get(backend, id);
      expect(done.status).toBe('succeeded');
      expect(done.events.map((e: { type: string }) => e.type)).toEqual(
        ['requested', 'writing', 'pull-request-opened', 'committed', 'syncing', 'succeeded'],
      );
      expect(opened).toHaveLength(1);
    });

    it('fails with the reason when the pull request is closed without merging', async () => {
      const backend = await startWithPullRequests();
      const { id } = (await promote(backend, { from: 'dev', to: 'staging' })).body;
      await engine();
      pullRequest = { state: 'closed', merged_at: null, merge_commit_sha: 'abc' };
      await engine();
      expect(await get(backend, id)).toMatchObject({
        status: 'failed', failureReason: 'Pull request #12 was closed without merging',
      });
      expect(await remoteLog()).toEqual(['seed']);
    });
  });
});
