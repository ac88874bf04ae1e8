import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseScenario } from '../findings/scenario';
import { startTestSandbox, TestSandbox } from '../testing/testSandbox';

/*
 * Sync operations with resource hooks, as Argo CD serves them: hooks in
 * `status.operationState.syncResult.resources` with `hookType`, `hookPhase` and
 * `syncPhase` (and no `status`), gitops-engine's operation messages, a failed hook
 * failing the operation without a history entry, and terminate.
 */

const SCENARIO = `
syncHooks:
  # orders-api's chart runs a smoke test after each sync to staging; 2.9.1 fails it.
  - application: orders-api-staging
    name: orders-api-smoke-test
    hook: PostSync
    durationSeconds: 4
    failsFor: [ghcr.io/example/orders-api:2.9.1]
  # shipping-api migrates its database before the apply in dev; 3.9.9's migration fails.
  - application: shipping-api-dev
    kind: Job
    name: shipping-api-db-migrate
    hook: PreSync
    durationSeconds: 2
    failsFor: [ghcr.io/example/shipping-api:3.9.9]
    message: 'Job has reached the specified backoff limit: column "label" already exists'
  # A long PostSync check, to terminate.
  - application: payments-api-prod
    kind: Pod
    name: payments-api-soak
    hook: PostSync
    durationSeconds: 600
`;

jest.setTimeout(60_000);

describe('sync hooks', () => {
  let sandbox: TestSandbox;
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-hooks-'));
    await fs.writeFile(path.join(dir, 'scenario.yaml'), SCENARIO);
    sandbox = await startTestSandbox({
      scenarioPath: path.join(dir, 'scenario.yaml'),
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const operationOf = async (name: string) =>
    (await sandbox.application(name)).status.operationState;
  /** Advances until the application's operation for `revision` is no longer running. */
  const syncFinished = (name: string, revision: string) =>
    sandbox.advanceUntil(async () => {
      const operation = await operationOf(name);
      return (
        operation.operation.sync.revision === revision &&
        operation.phase !== 'Running'
      );
    });
  const hookOf = (operation: any, name: string) =>
    operation.syncResult?.resources.find((r: any) => r.name === name);

  it('runs a PostSync hook once the applied resources are Healthy, then succeeds with a history entry', async () => {
    const historyBefore = (await sandbox.application('orders-api-staging'))
      .status.history.length;
    const revision = await sandbox.setImageTag(
      'apps/orders-api/staging/values.yaml',
      '2.9.0',
    );
    const messages = new Set<string>();
    await sandbox.advanceUntil(async () => {
      const operation = await operationOf('orders-api-staging');
      if (operation.operation.sync.revision !== revision) return false;
      messages.add(operation.message);
      return operation.phase !== 'Running';
    });
    const app = await sandbox.application('orders-api-staging');
    const operation = app.status.operationState;
    expect(operation).toMatchObject({
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
    });
    expect(messages).toContain(
      'waiting for completion of hook batch/Job/orders-api-smoke-test',
    );
    expect(hookOf(operation, 'orders-api-smoke-test')).toEqual({
      group: 'batch',
      version: 'v1',
      kind: 'Job',
      namespace: 'orders-api-staging',
      name: 'orders-api-smoke-test',
      message: 'Reached expected number of succeeded pods',
      hookType: 'PostSync',
      hookPhase: 'Succeeded',
      syncPhase: 'PostSync',
    });
    expect(operation.syncResult.revision).toBe(revision);
    expect(app.status.history).toHaveLength(historyBefore + 1);
    expect(app.status.history.at(-1).revision).toBe(revision);
  });

  it('fails the operation when a PostSync hook fails: applied, no history entry, not retried by auto-sync', async () => {
    const historyBefore = (await sandbox.application('orders-api-staging'))
      .status.history.length;
    const revision = await sandbox.setImageTag(
      'apps/orders-api/staging/values.yaml',
      '2.9.1',
    );
    await syncFinished('orders-api-staging', revision);
    const app = await sandbox.application('orders-api-staging');
    const operation = app.status.operationState;
    expect(operation).toMatchObject({
      phase: 'Failed',
      message: 'one or more synchronization tasks completed unsuccessfully',
    });
    expect(hookOf(operation, 'orders-api-smoke-test')).toMatchObject({
      hookType: 'PostSync',
      hookPhase: 'Failed',
      message: 'Job has reached the specified backoff limit',
    });
    expect(hookOf(operation, 'orders-api-smoke-test').status).toBeUndefined();
    // The Sync phase ran: the new version is applied, and Argo CD says Synced.
    expect(app.status.sync).toMatchObject({ status: 'Synced', revision });
    expect(app.status.history).toHaveLength(historyBefore);
    await sandbox.advance(10_000);
    expect((await operationOf('orders-api-staging')).startedAt).toBe(
      operation.startedAt,
    );
  });

  it('fails before the apply when a PreSync hook fails, with the hook message', async () => {
    const before = await sandbox.rollout('shipping-api-dev', 'shipping-api');
    const revision = await sandbox.setImageTag(
      'apps/shipping-api/dev/values.yaml',
      '3.9.9',
    );
    await syncFinished('shipping-api-dev', revision);
    const app = await sandbox.application('shipping-api-dev');
    expect(app.status.operationState.phase).toBe('Failed');
    expect(app.status.operationState.syncResult.resources).toEqual([
      expect.objectContaining({
        kind: 'Job',
        name: 'shipping-api-db-migrate',
        hookType: 'PreSync',
        hookPhase: 'Failed',
        message:
          'Job has reached the specified backoff limit: column "label" already exists',
      }),
    ]);
    expect(app.status.sync.status).toBe('OutOfSync');
    const after = await sandbox.rollout('shipping-api-dev', 'shipping-api');
    expect(after.spec.template.spec.containers[0].image).toBe(
      before.spec.template.spec.containers[0].image,
    );
  });

  it('terminates a running operation (Terminating, then Failed "Operation terminated"), and refuses when none runs', async () => {
    const sync = await sandbox.argocd(
      '/api/v1/applications/payments-api-prod/sync',
      { method: 'POST', body: '{}' },
    );
    expect(sync.status).toBe(200);
    await sandbox.advanceUntil(
      async () =>
        hookOf(await operationOf('payments-api-prod'), 'payments-api-soak')
          ?.hookPhase === 'Running',
    );
    expect((await operationOf('payments-api-prod')).message).toBe(
      'waiting for completion of hook /Pod/payments-api-soak',
    );

    const terminate = await sandbox.argocd(
      '/api/v1/applications/payments-api-prod/operation',
      { method: 'DELETE' },
    );
    expect(terminate).toEqual({ status: 200, body: {} });
    expect((await operationOf('payments-api-prod')).phase).toBe('Terminating');
    await sandbox.advance(500);
    const operation = await operationOf('payments-api-prod');
    expect(operation).toMatchObject({
      phase: 'Failed',
      message: 'Operation terminated',
    });
    expect(hookOf(operation, 'payments-api-soak')).toMatchObject({
      hookPhase: 'Failed',
      message: 'Terminated',
    });
    expect(
      (await sandbox.application('payments-api-prod')).operation,
    ).toBeUndefined();

    const again = await sandbox.argocd(
      '/api/v1/applications/payments-api-prod/operation',
      { method: 'DELETE' },
    );
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({
      code: 3,
      message: 'Unable to terminate operation. No operation is in progress',
    });
  });

  it('rejects a scenario hook without a valid phase, naming the field', () => {
    expect(() =>
      parseScenario(
        'syncHooks:\n  - application: a\n    name: smoke\n    hook: Later\n',
        'test.yaml',
      ),
    ).toThrow(
      'invalid scenario test.yaml: syncHooks[0].hook must be one of PreSync, Sync, PostSync',
    );
  });
});
