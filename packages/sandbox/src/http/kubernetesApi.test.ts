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
  /** The types the sandbox has objects of; the other built-in types list empty. */
  const SIMULATED = [
    'namespaces',
    'pods',
    'services',
    'replicasets',
    'rollouts',
    'vulnerabilityreports',
    'exposedsecretreports',
    'configauditreports',
    'policyreports',
    'clusterpolicies',
  ];

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

  const listOf = async (type: (typeof kubernetesResourceTypes)[number]) => {
    const base =
      type.groupVersion === 'v1' ? '/api/v1' : `/apis/${type.groupVersion}`;
    const { status, body } = await sandbox.kube(`${base}/${type.plural}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      apiVersion: type.groupVersion,
      kind: `${type.kind}List`,
      metadata: { resourceVersion: expect.any(String) },
    });
    return body;
  };

  it.each(
    kubernetesResourceTypes
      .filter(type => SIMULATED.includes(type.plural))
      .map(type => [type.plural, type] as const),
  )('lists %s as a typed List', async (_plural, type) => {
    const body = await listOf(type);
    expect(body.items.length).toBeGreaterThan(0);
    // built-in lists leave type meta out of their items, custom resource lists keep it
    expect(body.items[0].kind).toBe(type.builtIn ? undefined : type.kind);
  });

  it.each(
    kubernetesResourceTypes
      .filter(type => !SIMULATED.includes(type.plural))
      .map(type => [type.plural, type] as const),
  )(
    'lists %s, a built-in type it has no objects of, as an empty typed List',
    async (_plural, type) => {
      // as a real cluster does: never a 404
      expect((await listOf(type)).items).toEqual([]);
    },
  );

  it.each(
    kubernetesResourceTypes
      .filter(type => type.namespaced && SIMULATED.includes(type.plural))
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

  /**
   * What Backstage's Kubernetes backend lists for an entity: DEFAULT_OBJECTS of
   * @backstage/plugin-kubernetes-backend (KubernetesFanOutHandler), plus the extra
   * ALL_OBJECTS types, each at `/api/<v>` or `/apis/<group>/<v>`, with the
   * `backstage.io/kubernetes-id=<entity>` label selector (KubernetesConnection).
   */
  const KUBERNETES_PLUGIN_OBJECTS = [
    ['', 'v1', 'pods'],
    ['', 'v1', 'services'],
    ['', 'v1', 'configmaps'],
    ['', 'v1', 'limitranges'],
    ['', 'v1', 'resourcequotas'],
    ['apps', 'v1', 'deployments'],
    ['apps', 'v1', 'replicasets'],
    ['autoscaling', 'v2', 'horizontalpodautoscalers'],
    ['batch', 'v1', 'jobs'],
    ['batch', 'v1', 'cronjobs'],
    ['networking.k8s.io', 'v1', 'ingresses'],
    ['apps', 'v1', 'statefulsets'],
    ['apps', 'v1', 'daemonsets'],
    ['', 'v1', 'secrets'],
    ['', 'v1', 'persistentvolumes'],
    ['', 'v1', 'persistentvolumeclaims'],
  ] as const;
  const selector = `labelSelector=${encodeURIComponent(
    'backstage.io/kubernetes-id=orders-api',
  )}`;

  it.each(KUBERNETES_PLUGIN_OBJECTS)(
    "answers the Kubernetes plugin's request for %s/%s %s with a typed List",
    async (group, version, plural) => {
      const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
      for (const path of [
        `${base}/${plural}?${selector}`,
        // the entity's backstage.io/kubernetes-namespace annotation narrows it
        ...(plural === 'persistentvolumes'
          ? []
          : [`${base}/namespaces/orders-api-prod/${plural}?${selector}`]),
      ]) {
        const { status, body } = await sandbox.kube(path);
        expect({ path, status }).toEqual({ path, status: 200 });
        expect(body).toEqual({
          apiVersion: group ? `${group}/${version}` : version,
          kind: expect.stringMatching(/^[A-Z][A-Za-z]+List$/),
          metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
          items: expect.any(Array),
        });
      }
    },
  );

  it("finds a service's pods, replica sets, services and Rollouts by its backstage.io/kubernetes-id", async () => {
    const names = async (path: string) =>
      (await sandbox.kube(`${path}?${selector}`)).body.items.map(
        (item: any) => `${item.metadata.namespace}/${item.metadata.name}`,
      );
    const pods = await names('/api/v1/pods');
    // 1 + 3 + 3 replicas in dev, staging and prod
    expect(pods).toHaveLength(7);
    expect(pods.every((name: string) => /^orders-api-/.test(name))).toBe(true);
    expect(await names('/api/v1/services')).toEqual([
      'orders-api-dev/orders-api',
      'orders-api-dev/orders-api-preview',
      'orders-api-prod/orders-api',
      'orders-api-prod/orders-api-preview',
      'orders-api-staging/orders-api',
      'orders-api-staging/orders-api-preview',
    ]);
    expect(await names('/apis/apps/v1/replicasets')).toHaveLength(3);
    expect(await names(`${ROLLOUTS}/rollouts`)).toEqual([
      'orders-api-dev/orders-api',
      'orders-api-prod/orders-api',
      'orders-api-staging/orders-api',
    ]);
    // other services' objects carry their own id
    expect(await names('/apis/apps/v1/deployments')).toEqual([]);
    const payments = await sandbox.kube(
      `/api/v1/pods?labelSelector=${encodeURIComponent(
        'backstage.io/kubernetes-id=payments-api',
      )}`,
    );
    expect(
      payments.body.items.every(
        (pod: any) => pod.metadata.labels.app === 'payments-api',
      ),
    ).toBe(true);
  });

  it("serves pods complete enough for the Kubernetes plugin's pod table", async () => {
    const { body } = await sandbox.kube(
      `/api/v1/namespaces/orders-api-prod/pods?${selector}`,
    );
    const pod = body.items[0];
    expect(pod.metadata).toMatchObject({
      namespace: 'orders-api-prod',
      labels: {
        app: 'orders-api',
        'backstage.io/kubernetes-id': 'orders-api',
        'rollouts-pod-template-hash': expect.any(String),
      },
      ownerReferences: [
        expect.objectContaining({ kind: 'ReplicaSet', controller: true }),
      ],
    });
    expect(pod.spec.containers).toEqual([
      expect.objectContaining({
        name: 'orders-api',
        image: 'ghcr.io/example/orders-api:2.0.3',
        // from apps/orders-api/prod/values.yaml
        resources: {
          requests: { cpu: '50m', memory: '64Mi' },
          limits: { cpu: '500m', memory: '256Mi' },
        },
      }),
    ]);
    expect(pod.status).toMatchObject({
      phase: 'Running',
      conditions: [expect.objectContaining({ type: 'Ready', status: 'True' })],
      containerStatuses: [
        expect.objectContaining({
          name: 'orders-api',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: expect.any(String) } },
        }),
      ],
      podIP: expect.any(String),
      startTime: expect.any(String),
    });
  });

  it('serves the discovery documents of every type it serves', async () => {
    const api = await sandbox.kube('/api');
    expect(api.body).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [
        { clientCIDR: '0.0.0.0/0', serverAddress: expect.any(String) },
      ],
    });
    const apis = await sandbox.kube('/apis');
    expect(apis.body).toMatchObject({ kind: 'APIGroupList', apiVersion: 'v1' });
    expect(apis.body.groups).toContainEqual({
      name: 'batch',
      versions: [{ groupVersion: 'batch/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'batch/v1', version: 'v1' },
    });
    const apps = await sandbox.kube('/apis/apps');
    expect(apps.body).toEqual({
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    const core = await sandbox.kube('/api/v1');
    expect(core.body).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: 'v1',
    });
    expect(core.body.apiVersion).toBeUndefined();
    expect(core.body.resources).toContainEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get', 'list'],
      shortNames: ['po'],
    });
    const rollouts = await sandbox.kube(ROLLOUTS);
    expect(rollouts.body).toMatchObject({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'argoproj.io/v1alpha1',
    });
    expect(rollouts.body.resources.map((r: any) => r.name)).toEqual([
      'rollouts',
      'rollouts/status',
      'analysisruns',
    ]);

    // every served type is discoverable, in its group version's list
    for (const type of kubernetesResourceTypes) {
      const base =
        type.groupVersion === 'v1' ? '/api/v1' : `/apis/${type.groupVersion}`;
      const { body } = await sandbox.kube(base);
      expect(body.resources).toContainEqual(
        expect.objectContaining({
          name: type.plural,
          kind: type.kind,
          namespaced: type.namespaced,
        }),
      );
    }
    expect((await sandbox.kube('/apis/apps/v2')).status).toBe(404);
  });
});
