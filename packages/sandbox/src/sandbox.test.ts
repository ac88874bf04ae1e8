import { startTestSandbox, TestSandbox } from './testing/testSandbox';

/**
 * End to end through both APIs: commits to the bare repository drive syncs and
 * rollouts; actions and patches drive the Rollouts.
 */

// A sandbox over real git, stepped through simulated rollouts: room for a busy CI machine.
jest.setTimeout(30_000);
describe('sandbox', () => {
  let sandbox: TestSandbox;

  beforeEach(async () => {
    sandbox = await startTestSandbox();
  });

  afterEach(() => sandbox.close());

  const app = (name: string) => sandbox.application(name);
  const rollout = (namespace: string, name: string) =>
    sandbox.rollout(namespace, name);
  const rolloutRef = (namespace: string, name: string) =>
    `namespace=${namespace}&resourceName=${name}&version=v1alpha1&group=argoproj.io&kind=Rollout`;

  it('starts every Application Synced and Healthy at the seed commit, rollout fully promoted', async () => {
    const { body } = await sandbox.argocd('/api/v1/applications');
    expect(body.items).toHaveLength(9);
    for (const item of body.items) {
      expect(item.status.sync.status).toBe('Synced');
      expect(item.status.health.status).toBe('Healthy');
      expect(item.status.history).toHaveLength(1);
      expect(item.spec.source.repoURL).toBe(`file://${sandbox.repoPath}`);
    }
    const payments = await rollout('payments-api-dev', 'payments-api');
    expect(payments.status).toMatchObject({
      currentStepIndex: 6,
      phase: 'Healthy',
    });
    expect(payments.status.stableRS).toBe(payments.status.currentPodHash);
  });

  it('picks up a new image.tag commit: OutOfSync, then a sync operation, then Synced with a history entry', async () => {
    const before = await app('payments-api-prod');
    const sha = await sandbox.setImageTag(
      'apps/payments-api/prod/values.yaml',
      '1.5.0',
    );

    await sandbox.advance(0); // the next poll
    let current = await app('payments-api-prod');
    expect(current.status.sync).toMatchObject({
      status: 'OutOfSync',
      revision: sha,
    });
    expect(current.status.resources).toContainEqual(
      expect.objectContaining({ kind: 'Rollout', status: 'OutOfSync' }),
    );
    expect(current.status.history).toHaveLength(1);

    await sandbox.advance(1000); // syncDelayMs
    current = await app('payments-api-prod');
    expect(current.operation).toMatchObject({
      sync: { revision: sha },
      initiatedBy: { automated: true },
    });
    expect(current.status.operationState).toMatchObject({
      phase: 'Running',
      operation: { sync: { revision: sha } },
    });

    await sandbox.advance(500); // operationMs
    current = await app('payments-api-prod');
    expect(current.operation).toBeUndefined();
    expect(current.status.sync).toMatchObject({
      status: 'Synced',
      revision: sha,
    });
    expect(current.status.operationState).toMatchObject({
      phase: 'Succeeded',
      syncResult: { revision: sha },
      finishedAt: expect.any(String),
    });
    expect(current.status.history.at(-1)).toEqual({
      id: 1,
      revision: sha,
      deployStartedAt: expect.any(String),
      deployedAt: expect.any(String),
      source: current.spec.source,
      initiatedBy: { automated: true },
    });
    expect(current.status.summary.images).toEqual([
      'ghcr.io/example/payments-api:1.4.2',
      'ghcr.io/example/payments-api:1.5.0',
    ]);
    expect(current.status.health.status).toBe('Progressing');
    expect(Date.parse(current.status.reconciledAt)).toBeGreaterThan(
      Date.parse(before.status.reconciledAt),
    );
    // a commit that does not touch the application moves its revision but keeps it Synced
    const other = await sandbox.setImageTag(
      'apps/orders-api/dev/values.yaml',
      '2.2.0',
    );
    await sandbox.advance(0);
    expect((await app('payments-api-prod')).status.sync).toEqual(
      expect.objectContaining({ status: 'Synced', revision: other }),
    );
  });

  it('stops a canary at pause {} (Suspended) until resume, then finishes Healthy', async () => {
    await sandbox.setImageTag('apps/payments-api/dev/values.yaml', '1.5.1');
    await sandbox.advanceUntil(
      async () =>
        (await app('payments-api-dev')).status.health.status === 'Suspended',
    );

    const paused = await rollout('payments-api-dev', 'payments-api');
    expect(paused.status).toMatchObject({
      currentStepIndex: 1,
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep' }],
      phase: 'Paused',
      message: 'CanaryPauseStep',
    });
    const actions = await sandbox.argocd(
      `/api/v1/applications/payments-api-dev/resource/actions?${rolloutRef(
        'payments-api-dev',
        'payments-api',
      )}`,
    );
    const enabled = actions.body.actions
      .filter((a: any) => !a.disabled)
      .map((a: any) => a.name);
    expect(enabled.sort()).toEqual([
      'abort',
      'pause',
      'promote-full',
      'restart',
      'resume',
      'skip-current-step',
    ]);

    // the older action route: resource in the query, action name as a JSON string body
    const resumed = await sandbox.argocd(
      `/api/v1/applications/payments-api-dev/resource/actions?${rolloutRef(
        'payments-api-dev',
        'payments-api',
      )}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify('resume'),
      },
    );
    expect(resumed).toEqual({ status: 200, body: {} });

    await sandbox.advanceUntil(
      async () =>
        (await app('payments-api-dev')).status.health.status === 'Healthy',
    );
    const done = await rollout('payments-api-dev', 'payments-api');
    expect(done.status).toMatchObject({
      currentStepIndex: 6,
      phase: 'Healthy',
    });
    expect(done.status.stableRS).toBe(done.status.currentPodHash);
    expect(done.spec.template.spec.containers[0].image).toBe(
      'ghcr.io/example/payments-api:1.5.1',
    );
    expect((await app('payments-api-dev')).status.summary.images).toEqual([
      'ghcr.io/example/payments-api:1.5.1',
    ]);
  });

  it('makes an aborted canary Degraded (actions v2) and a retried one resume its steps', async () => {
    await sandbox.setImageTag('apps/payments-api/dev/values.yaml', '1.5.1');
    await sandbox.advanceUntil(
      async () =>
        (await app('payments-api-dev')).status.health.status === 'Suspended',
    );
    const run = (action: string) =>
      sandbox.argocd(
        '/api/v1/applications/payments-api-dev/resource/actions/v2',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            name: 'payments-api-dev',
            namespace: 'payments-api-dev',
            resourceName: 'payments-api',
            version: 'v1alpha1',
            group: 'argoproj.io',
            kind: 'Rollout',
            action,
          }),
        },
      );

    expect(await run('abort')).toEqual({ status: 200, body: {} });
    await sandbox.advance(100);
    const aborted = await app('payments-api-dev');
    expect(aborted.status.health.status).toBe('Degraded');
    expect(
      (await rollout('payments-api-dev', 'payments-api')).status,
    ).toMatchObject({
      abort: true,
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
    });
    const again = await run('abort');
    expect(again.status).toBe(400);
    expect(again.body.message).toMatch(/disabled/);

    await run('retry');
    await sandbox.advanceUntil(
      async () =>
        (await app('payments-api-dev')).status.health.status === 'Suspended',
    );
    expect(
      (await rollout('payments-api-dev', 'payments-api')).status.abort,
    ).toBeUndefined();
  });

  it('promotes a paused blue-green Rollout through a kubectl-plugin merge patch', async () => {
    await sandbox.setImageTag('apps/orders-api/prod/values.yaml', '2.2.0');
    await sandbox.advanceUntil(
      async () =>
        (await rollout('orders-api-prod', 'orders-api')).status.phase ===
        'Paused',
    );
    const paused = await rollout('orders-api-prod', 'orders-api');
    expect(paused.status.pauseConditions).toEqual([
      { reason: 'BlueGreenPause', startTime: expect.any(String) },
    ]);
    expect(paused.status.blueGreen.previewSelector).toBe(
      paused.status.currentPodHash,
    );
    expect(paused.status.blueGreen.activeSelector).toBe(paused.status.stableRS);

    const patched = await sandbox.kube(
      '/apis/argoproj.io/v1alpha1/namespaces/orders-api-prod/rollouts/orders-api/status',
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ status: { pauseConditions: null } }),
      },
    );

    expect(patched.status).toBe(200);
    expect(patched.body.status).toMatchObject({
      phase: 'Healthy',
      stableRS: paused.status.currentPodHash,
      blueGreen: { activeSelector: paused.status.currentPodHash },
    });
  });

  it('serves findings for the ReplicaSets currently running', async () => {
    const reportsFor = async (namespace: string) =>
      (
        await sandbox.kube(
          `/apis/aquasecurity.github.io/v1alpha1/namespaces/${namespace}/vulnerabilityreports`,
        )
      ).body.items;
    const [before] = await reportsFor('payments-api-dev');
    expect(before.report.summary.criticalCount).toBe(1);

    await sandbox.setImageTag('apps/payments-api/dev/values.yaml', '1.5.1');
    await sandbox.advanceUntil(
      async () =>
        (await app('payments-api-dev')).status.health.status === 'Suspended',
    );
    expect(
      (await reportsFor('payments-api-dev'))
        .map((r: any) => r.report.artifact.tag)
        .sort(),
    ).toEqual(['1.5.0', '1.5.1']);

    await sandbox.argocd(
      `/api/v1/applications/payments-api-dev/resource/actions?${rolloutRef(
        'payments-api-dev',
        'payments-api',
      )}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify('promote-full'),
      },
    );
    await sandbox.advanceUntil(
      async () =>
        (await app('payments-api-dev')).status.health.status === 'Healthy',
    );
    const after = await reportsFor('payments-api-dev');
    expect(
      after.map((r: any) => [
        r.report.artifact.tag,
        r.report.summary.criticalCount,
      ]),
    ).toEqual([['1.5.1', 0]]);
    const policy = await sandbox.kube(
      '/apis/wgpolicyk8s.io/v1alpha2/namespaces/payments-api-dev/policyreports',
    );
    expect(
      policy.body.items
        .flatMap((r: any) => r.results)
        .filter((r: any) => r.result === 'fail'),
    ).toEqual([]);
  });

  it('removes an Application whose manifest is deleted from the repository', async () => {
    await sandbox.commit(
      { 'argocd/orders-api-staging.yaml': null },
      'Retire orders-api staging',
    );
    await sandbox.advance(0);

    expect(
      (await sandbox.argocd('/api/v1/applications/orders-api-staging')).status,
    ).toBe(404);
    expect(
      (await sandbox.argocd('/api/v1/applications')).body.items,
    ).toHaveLength(8);
    expect(
      (
        await sandbox.kube(
          '/apis/argoproj.io/v1alpha1/namespaces/orders-api-staging/rollouts',
        )
      ).body.items,
    ).toEqual([]);
  });

  it('runs a manual sync and refuses a second one while it runs', async () => {
    const sync = () =>
      sandbox.argocd('/api/v1/applications/orders-api-prod/sync', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'orders-api-prod' }),
      });
    const first = await sync();
    expect(first.body.status.operationState).toMatchObject({
      phase: 'Running',
      operation: { initiatedBy: { username: 'admin' } },
    });
    expect((await sync()).body).toEqual(
      expect.objectContaining({
        code: 9,
        message: 'another operation is already in progress',
      }),
    );

    await sandbox.advance(500);
    const history = (await app('orders-api-prod')).status.history;
    expect(history.at(-1)).toMatchObject({
      id: 1,
      initiatedBy: { username: 'admin' },
    });
  });
});
