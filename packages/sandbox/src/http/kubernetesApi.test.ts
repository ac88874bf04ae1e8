import { startTestSandbox, TestSandbox } from '../testing/testSandbox';
import { kubernetesResourceTypes } from './kubernetesResources';


// A sandbox over real git, stepped through simulated rollouts: room for a busy CI machine.
jest.setTimeout(30_000);
describe('Kubernetes API', () => {
  let sandbox: TestSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });

  afterAll(() => sandbox.close());

  const ROLLOUTS = '/apis/argoproj.io/v1alpha1';

  it('answers 401 with a Status object without a valid bearer token', async () => {
    const response = await fetch(
      `${sandbox.kubernetesUrl}${ROLLOUTS}/rollouts`,
      {
        headers: { authorization: 'Bearer wrong' },
      },
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it.each(kubernetesResourceTypes.map(type => [type.plural, type] as const))(
    'lists %s as a typed List',
    async (_plural, type) => {
      const base =
        type.groupVersion === 'v1' ? '/api/v1' : `/apis/${type.groupVersion}`;
      const { status, body } = await sandbox.kube(`${base}/${type.plural}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        apiVersion: type.groupVersion,
        kind: `${type.kind}List`,
        metadata: { resourceVersion: expect.any(String) },
      });
      expect(body.items.length).toBeGreaterThan(0);
      // built-in lists leave type meta out of their items, custom resource lists keep it
      expect(body.items[0].kind).toBe(type.builtIn ? undefined : type.kind);
    },
  );

  it.each(
    kubernetesResourceTypes
      .filter(type => type.namespaced)
      .map(type => [type.plural, type] as const),
  )('lists %s of one namespace', async (_plural, type) => {
    const base =
      type.groupVersion === 'v1' ? '/api/v1' : `/apis/${type.groupVersion}`;
    const { body } = await sandbox.kube(
      `${base}/namespaces/payments-api-dev/${type.plural}`,
    );
    const namespaces = new Set(
      body.items.map((item: any) => item.metadata.namespace),
    );
    expect(namespaces).toEqual(new Set(['payments-api-dev']));
  });

  it('gets single objects, and 404s with a Status object', async () => {
    const rollout = await sandbox.kube(
      `${ROLLOUTS}/namespaces/orders-api-prod/rollouts/orders-api`,
    );
    expect(rollout.body).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'orders-api' },
    });

    expect(
      await sandbox.kube(
        `${ROLLOUTS}/namespaces/orders-api-prod/rollouts/nope`,
      ),
    ).toEqual({
      status: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'rollouts.argoproj.io "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', group: 'argoproj.io', kind: 'rollouts' },
        code: 404,
      },
    });
    const policy = await sandbox.kube(
      '/apis/kyverno.io/v1/clusterpolicies/require-run-as-non-root',
    );
    expect(policy.body.spec.rules[0].validate.failureAction).toBe('Enforce');
  });

  it('filters lists with labelSelector', async () => {
    const { body } = await sandbox.kube(
      `/apis/aquasecurity.github.io/v1alpha1/vulnerabilityreports?labelSelector=${encodeURIComponent(
        'trivy-operator.resource.kind=ReplicaSet,trivy-operator.resource.namespace in (payments-api-dev,payments-api-prod)',
      )}`,
    );
    expect(body.items.map((r: any) => r.metadata.namespace)).toEqual([
      'payments-api-dev',
      'payments-api-prod',
    ]);
    const invalid = await sandbox.kube(
      '/api/v1/pods?labelSelector=a%20in%20(b',
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      code: 400,
    });
  });

  it('pages with limit and continue', async () => {
    const all = (await sandbox.kube('/api/v1/pods')).body.items.map(
      (p: any) => p.metadata.name,
    );
    const pages: Array<{ names: string[]; remaining?: number }> = [];
    let token: string | undefined;
    do {
      const query = `limit=4${token ? `&continue=${token}` : ''}`;
      const { body } = await sandbox.kube(`/api/v1/pods?${query}`);
      pages.push({
        names: body.items.map((p: any) => p.metadata.name),
        remaining: body.metadata.remainingItemCount,
      });
      token = body.metadata.continue;
    } while (token);
    expect(pages.flatMap(page => page.names)).toEqual(all);
    expect(pages.map(page => page.names.length)).toEqual(
      pages.map((_, i) => Math.min(4, all.length - 4 * i)),
    );
    expect(pages.map(page => page.remaining)).toEqual(
      pages.map((_, i) =>
        i < pages.length - 1 ? all.length - 4 * (i + 1) : undefined,
      ),
    );
    expect(
      (await sandbox.kube('/api/v1/pods?limit=2&continue=garbage')).status,
    ).toBe(400);
  });

  it('applies merge patches to a Rollout and rejects other patch types and invalid values', async () => {
    const url = `${ROLLOUTS}/namespaces/payments-api-prod/rollouts/payments-api`;
    const patch = (
      body: unknown,
      contentType = 'application/merge-patch+json',
      path = url,
    ) =>
      sandbox.kube(path, {
        method: 'PATCH',
        headers: { 'content-type': contentType },
        body: JSON.stringify(body),
      });

    const paused = await patch({ spec: { paused: true } });
    expect(paused.status).toBe(200);
    expect(paused.body.spec.paused).toBe(true);
    expect(paused.body.status).toMatchObject({
      phase: 'Paused',
      message: 'manually paused',
    });
    expect(paused.body.metadata.generation).toBe(2);

    expect(
      (await patch({ spec: { paused: false } }, 'application/json-patch+json'))
        .status,
    ).toBe(415);
    const invalid = await patch(
      { status: { currentStepIndex: -1 } },
      undefined,
      `${url}/status`,
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body.reason).toBe('Invalid');
    expect(
      (
        await patch(
          { spec: { paused: false } },
          undefined,
          `${ROLLOUTS}/namespaces/payments-api-prod/rollouts/nope`,
        )
      ).status,
    ).toBe(404);
  });
});
