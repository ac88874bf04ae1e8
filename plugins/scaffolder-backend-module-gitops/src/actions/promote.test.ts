import {
  mockCredentials,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { Promotion, PromotionPreview } from '@gitops-suite/backstage-plugin-gitops-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import yaml from 'yaml';
import { createPromoteAction } from './promote';
import { examples } from './promote.examples';

const BASE = 'http://localhost:0/api/gitops';
const ENTITY = 'component:default/payments-api';

const promotion = (overrides: Partial<Promotion> = {}): Promotion => ({
  id: 'prm-1',
  kind: 'promotion',
  entityRef: ENTITY,
  from: 'staging',
  to: 'prod',
  version: { tag: '1.5.0' },
  requestedBy: 'user:default/mock',
  status: 'awaiting-approval',
  gates: [{ gate: 'vulnerabilities', passed: true, evidence: '0 critical (max 0)' }],
  approvals: [],
  requiredApprovals: 1,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  events: [],
  ...overrides,
});

describe('gitops:promote', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const action = () =>
    createPromoteAction({ discovery: mockServices.discovery(), auth: mockServices.auth() });
  const input = { entityRef: ENTITY, from: 'staging', to: 'prod' };
  /** What the backend receives: the user's identity, forwarded as a token for gitops. */
  const expectedAuthorization = mockCredentials.service.header({
    onBehalfOf: mockCredentials.user(),
    targetPluginId: 'gitops',
  });

  function capture(route: string, status: number, body: object) {
    const requests: Array<{ body: unknown; authorization: string | null }> = [];
    server.use(
      http.post(`${BASE}${route}`, async ({ request }) => {
        requests.push({ body: await request.json(), authorization: request.headers.get('authorization') });
        return HttpResponse.json(body, { status });
      }),
    );
    return requests;
  }

  it('starts the promotion on behalf of the user and outputs its id and status', async () => {
    const requests = capture('/v1/promotions', 201, promotion());
    const ctx = createMockActionContext({ input: { ...input, comment: 'Release 1.5.0' } });
    await action().handler(ctx);
    expect(requests).toEqual([
      {
        body: { entityRef: ENTITY, from: 'staging', to: 'prod', comment: 'Release 1.5.0' },
        authorization: expectedAuthorization,
      },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('promotionId', 'prm-1');
    expect(ctx.output).toHaveBeenCalledWith('status', 'awaiting-approval');
    expect(ctx.output).toHaveBeenCalledWith('version', '1.5.0');
  });

  it('completes a short entity reference the way the catalog does', async () => {
    const requests = capture('/v1/promotions', 201, promotion({ status: 'writing' }));
    await action().handler(createMockActionContext({ input: { ...input, entityRef: 'payments-api' } }));
    expect(requests[0].body).toEqual({ entityRef: ENTITY, from: 'staging', to: 'prod' });
  });

  it('fails with every failed gate and its evidence on a 409', async () => {
    capture('/v1/promotions', 409, {
      error: { name: 'GatesFailedError', message: '2 gates failed' },
      gates: [
        { gate: 'source-healthy', passed: true, evidence: 'Healthy' },
        { gate: 'vulnerabilities', passed: false, evidence: '2 critical with a fix (max 0)' },
        { gate: 'policies', passed: false, evidence: '1 enforced policy failing: require-non-root' },
      ],
    });
    const run = action().handler(createMockActionContext({ input }));
    await expect(run).rejects.toThrow(
      `Promotion of ${ENTITY} from staging to prod blocked by 2 failed gate(s): ` +
        'vulnerabilities FAILED: 2 critical with a fix (max 0); policies FAILED: 1 enforced policy failing: require-non-root',
    );
  });

  it.each([
    [409, { error: { name: 'ConflictError', message: 'A promotion of payments-api to prod is already active' } }, /\(409\): A promotion of payments-api to prod is already active/],
    [403, { error: { name: 'NotAllowedError', message: 'Not allowed to promote component:default/payments-api' } }, /\(403\): Not allowed to promote/],
    [404, { error: { name: 'NotFoundError', message: 'No entity component:default/payments-api in the catalog' } }, /\(404\): No entity/],
  ])('fails with the backend message on a %i', async (status, body, message) => {
    capture('/v1/promotions', status, body);
    await expect(action().handler(createMockActionContext({ input }))).rejects.toThrow(message);
  });

  it('fails clearly when the backend answers without a JSON body', async () => {
    server.use(http.post(`${BASE}/v1/promotions`, () => new HttpResponse('upstream down', { status: 502, statusText: 'Bad Gateway' })));
    await expect(action().handler(createMockActionContext({ input }))).rejects.toThrow(/\(502\): Bad Gateway/);
  });

  it('previews instead of promoting in a dry run, and logs the gates', async () => {
    const preview: PromotionPreview = {
      entityRef: ENTITY,
      from: 'staging',
      to: 'prod',
      version: { tag: '1.5.0' },
      gates: [
        { gate: 'vulnerabilities', passed: false, evidence: '1 critical with a fix (max 0)' },
        { gate: 'source-healthy', passed: true, evidence: 'Healthy' },
      ],
      requiredApprovals: 1,
      approverGroups: ['group:default/sre'],
    };
    const previews = capture('/v1/promotions/preview', 200, preview);
    const creates = capture('/v1/promotions', 201, promotion());
    const ctx = { ...createMockActionContext({ input }), isDryRun: true };
    const info = jest.spyOn(ctx.logger, 'info');
    await action().handler(ctx);
    expect(previews).toHaveLength(1);
    expect(previews[0].authorization).toBe(expectedAuthorization);
    expect(creates).toHaveLength(0);
    expect(info).toHaveBeenCalledWith('Gate vulnerabilities FAILED: 1 critical with a fix (max 0)');
    expect(info).toHaveBeenCalledWith('Gate source-healthy passed: Healthy');
    expect(ctx.output).toHaveBeenCalledWith('status', 'preview');
    expect(ctx.output).not.toHaveBeenCalledWith('promotionId', expect.anything());
  });

  it.each([
    [{ entityRef: 'component:' }, /entityRef 'component:' is not an entity reference/],
    [{ from: 'Staging' }, /from 'Staging' must be a DNS label/],
    [{ to: 'prod env' }, /to 'prod env' must be a DNS label/],
    [{ to: 'staging' }, /from and to are both 'staging'/],
  ])('refuses %j without calling the backend', async (bad, message) => {
    const requests = capture('/v1/promotions', 201, promotion());
    await expect(action().handler(createMockActionContext({ input: { ...input, ...bad } }))).rejects.toThrow(message);
    expect(requests).toHaveLength(0);
  });

  it('runs its documented example', async () => {
    const requests = capture('/v1/promotions', 201, promotion());
    const step = yaml.parse(examples[0].example).steps[0];
    const ctx = createMockActionContext({ input: step.input });
    await action().handler(ctx);
    expect(requests[0].body).toEqual(step.input);
    expect(ctx.output).toHaveBeenCalledWith('promotionId', 'prm-1');
  });
});
