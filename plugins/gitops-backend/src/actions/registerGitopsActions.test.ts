import { createServiceFactory, type BackstageCredentials } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { actionsRegistryServiceFactory } from '@backstage/backend-defaults/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { http, HttpResponse } from 'msw';
import request from 'supertest';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { ARGOCD_URL, setupUpstreamServer, startGitopsTestBackend } from '../__testUtils__/testBackend';

jest.setTimeout(30_000);

const GITOPS_ACTIONS = [
  'get-entity-deployments',
  'list-fleet',
  'list-environment-findings',
  'preview-promotion',
  'request-promotion',
  'get-promotion',
  'approve-promotion',
  'reject-promotion',
  'run-rollout-control',
  'request-rollback',
];

const alice = mockCredentials.user('user:default/alice');
const bob = mockCredentials.user('user:default/bob');

const config = {
  gitops: {
    environments: [
      { name: 'dev', match: { labels: { env: 'dev' } } },
      { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } } },
      { name: 'prod', promotesFrom: 'staging', match: { labels: { env: 'prod' } }, promotion: { approvals: { required: 1 } } },
    ],
    argocd: { stream: false, instances: [{ name: 'main', url: ARGOCD_URL, token: 't' }] },
  },
};

const app = (env: string, tag: string) =>
  argoApplication(`payments-api-${env}`, {
    labels: { 'app.kubernetes.io/name': 'payments-api', env },
    image: `ghcr.io/example/payments-api:${tag}`,
    health: 'Healthy',
    sync: 'Synced',
  });

describe('gitops actions', () => {
  const { server } = setupUpstreamServer();
  beforeEach(() => {
    server.use(
      http.get(`${ARGOCD_URL}/api/v1/applications`, () =>
        HttpResponse.json({ items: [app('dev', '1.5.0'), app('staging', '1.5.0'), app('prod', '1.4.2')] }),
      ),
    );
  });

  /** The plugin with the mock registry (invoked directly) and an auditor that records events. */
  async function start(options: { permissions?: AuthorizeResult.ALLOW | AuthorizeResult.DENY } = {}) {
    const registry = actionsRegistryServiceMock();
    const events: Array<{ eventId: string; meta?: object; outcome?: string }> = [];
    const auditor = mockServices.auditor.mock({
      createEvent: async ({ eventId, meta }) => {
        const event: (typeof events)[number] = { eventId, meta };
        events.push(event);
        return {
          success: async () => void (event.outcome = 'succeeded'),
          fail: async () => void (event.outcome = 'failed'),
        };
      },
    });
    await startGitopsTestBackend({
      config,
      features: [
        createServiceFactory({ service: actionsRegistryServiceRef, deps: {}, factory: () => registry }),
        auditor.factory,
        ...(options.permissions ? [mockServices.permissions.factory({ result: options.permissions })] : []),
      ],
    });
    const invoke = (name: string, input: object, credentials: BackstageCredentials = alice) =>
      registry.invoke({ id: `test:${name}`, input: input as never, credentials });
    return { registry, events, invoke };
  }

  /** Deployments once the inventory has read Argo CD. */
  async function deployments(invoke: Awaited<ReturnType<typeof start>>['invoke']) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const { output } = await invoke('get-entity-deployments', { entityRef: 'component:default/payments-api' });
      const body = output as { environments: Array<{ name: string; applications: Array<{ name: string }>; version?: { tag: string } }> };
      if (body.environments.every(e => e.applications.length)) return body;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error('the inventory was never refreshed');
  }

  it('registers every action with its attributes', async () => {
    const { registry } = await start();
    const { actions } = await registry.list();
    expect(actions.map(a => a.name).sort()).toEqual([...GITOPS_ACTIONS].sort());
    const attributes = Object.fromEntries(actions.map(a => [a.name, a.attributes]));
    for (const name of ['get-entity-deployments', 'list-fleet', 'list-environment-findings', 'preview-promotion', 'get-promotion']) {
      expect(attributes[name]).toEqual({ readOnly: true, destructive: false, idempotent: true });
    }
    expect(attributes['request-promotion']).toEqual({ readOnly: false, destructive: false, idempotent: false });
    expect(attributes['run-rollout-control']).toMatchObject({ readOnly: false, destructive: true });
    expect(attributes['reject-promotion']).toMatchObject({ readOnly: false, destructive: true });
    // Every action is listed only to callers allowed its twin permission.
    for (const [, action] of registry.actions) {
      expect(action.visibilityPermission?.name).toMatch(/^gitops\.actions\./);
    }
    const schema = actions.find(a => a.name === 'run-rollout-control')!.schema.input as { properties: Record<string, { enum?: string[] }> };
    expect(schema.properties.action.enum).toEqual(['promote', 'promote-full', 'abort', 'retry', 'pause', 'restart']);
  });

  it('reads deployments, the fleet and a promotion preview as the REST routes serve them', async () => {
    const { invoke } = await start();
    const body = await deployments(invoke);
    expect(body.environments.map(e => [e.name, e.applications.map(a => a.name), e.version?.tag])).toEqual([
      ['dev', ['payments-api-dev'], '1.5.0'],
      ['staging', ['payments-api-staging'], '1.5.0'],
      ['prod', ['payments-api-prod'], '1.4.2'],
    ]);

    const fleet = (await invoke('list-fleet', {})).output as { items: Array<{ entityRef: string }> };
    expect(fleet.items.map(i => i.entityRef)).toEqual(['component:default/payments-api']);

    const preview = (await invoke('preview-promotion', { entityRef: 'component:default/payments-api', from: 'staging', to: 'prod' }))
      .output as { version: { tag: string }; previousVersion: { tag: string }; requiredApprovals: number; blockedBy?: string };
    expect(preview).toMatchObject({ version: { tag: '1.5.0' }, previousVersion: { tag: '1.4.2' }, requiredApprovals: 1 });
    expect(preview.blockedBy).toBeUndefined();

    await expect(invoke('get-entity-deployments', { entityRef: 'not a ref' })).rejects.toMatchObject({ name: 'InputError' });
  });

  it('requests a promotion, audited as the REST route audits it, and refuses the requester approving it', async () => {
    const { invoke, events } = await start();
    await deployments(invoke);

    const { output } = await invoke('request-promotion', {
      entityRef: 'component:default/payments-api',
      from: 'staging',
      to: 'prod',
      comment: 'via an agent',
    });
    const promotion = output as { id: string; status: string; requestedBy: string; version: { tag: string } };
    expect(promotion).toMatchObject({ status: 'awaiting-approval', requestedBy: 'user:default/alice', version: { tag: '1.5.0' } });
    expect(events).toContainEqual({
      eventId: 'promotion-create',
      meta: { entityRef: 'component:default/payments-api', from: 'staging', to: 'prod', actor: 'user:default/alice' },
      outcome: 'succeeded',
    });

    expect((await invoke('get-promotion', { id: promotion.id })).output).toMatchObject({ id: promotion.id, status: 'awaiting-approval' });

    await expect(invoke('approve-promotion', { id: promotion.id })).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'You requested this promotion: another person must approve it',
    });
    expect(events).toContainEqual({ eventId: 'promotion-approve', meta: { promotionId: promotion.id, actor: 'user:default/alice' }, outcome: 'failed' });
    // A service is no approver either, as on the REST route (users only).
    await expect(invoke('approve-promotion', { id: promotion.id }, mockCredentials.service('external:ci'))).rejects.toMatchObject({
      name: 'NotAllowedError',
    });

    const approved = (await invoke('approve-promotion', { id: promotion.id, comment: 'ok' }, bob)).output;
    expect(approved).toMatchObject({ status: 'approved', approvals: [{ approver: 'user:default/bob', decision: 'approved' }] });
    await expect(invoke('reject-promotion', { id: promotion.id }, bob)).rejects.toMatchObject({ name: 'ConflictError' });
  });

  it('refuses the calls of a caller the policy denies', async () => {
    const { invoke, events } = await start({ permissions: AuthorizeResult.DENY });
    await expect(invoke('get-entity-deployments', { entityRef: 'component:default/payments-api' })).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'Not allowed to read the deployments of component:default/payments-api',
    });
    await expect(
      invoke('run-rollout-control', {
        entityRef: 'component:default/payments-api',
        action: 'abort',
        environment: 'prod',
        namespace: 'payments',
        name: 'payments-api',
      }),
    ).rejects.toMatchObject({ name: 'NotAllowedError', message: 'Not allowed to control the rollouts of component:default/payments-api' });
    expect(events).toContainEqual(expect.objectContaining({ eventId: 'rollout-action', outcome: 'failed' }));
    await expect(
      invoke('request-promotion', { entityRef: 'component:default/payments-api', from: 'staging', to: 'prod' }),
    ).rejects.toMatchObject({ name: 'NotAllowedError', message: 'Not allowed to promote component:default/payments-api' });
  });

  describe('in the real actions registry', () => {
    async function startWithRegistry(result: AuthorizeResult.ALLOW | AuthorizeResult.DENY) {
      return startGitopsTestBackend({
        config: { ...config, backend: { actions: { pluginSources: ['gitops'] } } },
        features: [actionsRegistryServiceFactory, mockServices.permissions.factory({ result })],
      });
    }
    const header = mockCredentials.user.header('user:default/alice');

    it('lists the actions to a caller the policy allows', async () => {
      const httpServer = await startWithRegistry(AuthorizeResult.ALLOW);
      const res = await request(httpServer).get('/api/gitops/.backstage/actions/v1/actions').set('Authorization', header);
      expect(res.status).toBe(200);
      expect(res.body.actions.map((a: { id: string }) => a.id).sort()).toEqual(GITOPS_ACTIONS.map(n => `gitops:${n}`).sort());
    });

    it('hides every action from a caller the policy denies, and will not run one', async () => {
      const httpServer = await startWithRegistry(AuthorizeResult.DENY);
      const res = await request(httpServer).get('/api/gitops/.backstage/actions/v1/actions').set('Authorization', header);
      expect(res.status).toBe(200);
      expect(res.body.actions).toEqual([]);
      const invoked = await request(httpServer)
        .post('/api/gitops/.backstage/actions/v1/actions/gitops:get-entity-deployments/invoke')
        .set('Authorization', header)
        .send({ entityRef: 'component:default/payments-api' });
      expect(invoked.status).toBe(404);
    });
  });
});
