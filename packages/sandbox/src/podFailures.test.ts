import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_OPTIONS } from './options';
import { crashLoop } from './rollouts/workloadObjects';
import { startTestSandbox, TestSandbox } from './testing/testSandbox';

/**
 * Scenario `podFailures`: pods of an image that never become ready, and what Argo
 * Rollouts and Argo CD make of it (progress deadline, abort, Degraded).
 */

// A sandbox over real git, stepped through simulated rollouts: room for a busy CI machine.
jest.setTimeout(30_000);
describe('pods that never become ready', () => {
  let sandbox: TestSandbox;
  let scenarioDir: string;

  beforeEach(async () => {
    scenarioDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-scenario-'));
    const scenarioPath = path.join(scenarioDir, 'scenario.yaml');
    const base = await fs.readFile(DEFAULT_OPTIONS.scenarioPath, 'utf8');
    await fs.writeFile(
      scenarioPath,
      `${base.replace(/^podFailures:[\s\S]*?(?=^\S)/m, '')}
podFailures:
  - image: ghcr.io/example/payments-api:9.9.9
    namespaces: [payments-api-staging]
  - image: ghcr.io/example/orders-api:9.9.9
    exitCode: 2
`,
    );
    sandbox = await startTestSandbox({ scenarioPath });
  });

  afterEach(async () => {
    await sandbox.close();
    await fs.rm(scenarioDir, { recursive: true, force: true });
  });

  const app = (name: string) => sandbox.application(name);
  const rollout = (namespace: string, name: string) =>
    sandbox.rollout(namespace, name);
  const progressing = (object: any) =>
    object.status.conditions.find((c: any) => c.type === 'Progressing');

  /** Sets the tag and the rollout's progress deadline in one commit. */
  async function deploy(
    valuesFile: string,
    tag: string,
    deadline: { seconds: number; abort?: boolean },
  ) {
    const values = await sandbox.readFile(valuesFile);
    const updated = values
      .replace(/^\s*progressDeadline(Seconds|Abort):.*\n/gm, '')
      .replace(/^(\s*tag:\s*).*$/m, `$1"${tag}"`)
      .replace(
        /^rollout:\n/m,
        `rollout:\n  progressDeadlineSeconds: ${deadline.seconds}\n${
          deadline.abort !== undefined
            ? `  progressDeadlineAbort: ${deadline.abort}\n`
            : ''
        }`,
      );
    return sandbox.commit({ [valuesFile]: updated }, `Deploy ${tag}`);
  }

  it('keeps a canary waiting for its pods, then Degraded with ProgressDeadlineExceeded', async () => {
    await deploy('apps/payments-api/staging/values.yaml', '9.9.9', {
      seconds: 30,
    });
    await sandbox.advanceUntil(
      async () =>
        (
          await rollout('payments-api-staging', 'payments-api')
        ).status.updatedReplicas === 1,
    );
    const stuck = await rollout('payments-api-staging', 'payments-api');
    expect(stuck.spec).toMatchObject({ progressDeadlineSeconds: 30 });
    expect(stuck.status).toMatchObject({
      currentStepIndex: 0,
      phase: 'Progressing',
    });
    const pods = (
      await sandbox.kube(
        `/api/v1/namespaces/payments-api-staging/pods?labelSelector=rollouts-pod-template-hash=${stuck.status.currentPodHash}`,
      )
    ).body.items;
    expect(pods).toHaveLength(1);

    await sandbox.advanceUntil(
      async () =>
        (await app('payments-api-staging')).status.health.status === 'Degraded',
      60_000,
    );
    const timedOut = await rollout('payments-api-staging', 'payments-api');
    const newRs = `payments-api-${timedOut.status.currentPodHash}`;
    expect(progressing(timedOut)).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${newRs}" has timed out progressing.`,
    });
    expect(timedOut.status).toMatchObject({
      phase: 'Degraded',
      message: `ProgressDeadlineExceeded: ReplicaSet "${newRs}" has timed out progressing.`,
    });
    // Without progressDeadlineAbort the canary pod stays; the stable pods keep serving.
    expect(timedOut.status.abort).toBeUndefined();
    expect((await app('payments-api-staging')).status.health.status).toBe(
      'Degraded',
    );

    const [pod] = (
      await sandbox.kube(
        `/api/v1/namespaces/payments-api-staging/pods?labelSelector=rollouts-pod-template-hash=${timedOut.status.currentPodHash}`,
      )
    ).body.items;
    expect(pod.status.phase).toBe('Running');
    expect(pod.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Ready',
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unready status: [payments-api]',
      }),
    );
    const [container] = pod.status.containerStatuses;
    expect(container).toMatchObject({
      ready: false,
      started: false,
      state: {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: expect.stringMatching(
            /^back-off \d+s restarting failed container=payments-api pod=/,
          ),
        },
      },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
    });
    expect(container.restartCount).toBeGreaterThan(0);
  });

  it('aborts a blue-green update with progressDeadlineAbort and goes back to Healthy when git does', async () => {
    await deploy('apps/orders-api/staging/values.yaml', '9.9.9', {
      seconds: 20,
      abort: true,
    });
    await sandbox.advanceUntil(
      async () =>
        (await rollout('orders-api-staging', 'orders-api')).status.abort ===
        true,
      60_000,
    );
    await sandbox.advance(100);
    const aborted = await rollout('orders-api-staging', 'orders-api');
    const newRs = `orders-api-${aborted.status.currentPodHash}`;
    expect(progressing(aborted)).toMatchObject({
      status: 'False',
      reason: 'RolloutAborted',
      message: `Rollout aborted update to revision 2: ReplicaSet "${newRs}" has timed out progressing.`,
    });
    expect(aborted.status).toMatchObject({
      phase: 'Degraded',
      abortedAt: expect.any(String),
      blueGreen: { activeSelector: aborted.status.stableRS },
    });
    const app1 = await app('orders-api-staging');
    expect(app1.status.health.status).toBe('Degraded');
    expect(app1.status.sync.status).toBe('Synced');
    // The preview pods are scaled away: only the stable ones run.
    const replicaSets = (
      await sandbox.kube(
        '/apis/apps/v1/namespaces/orders-api-staging/replicasets',
      )
    ).body.items;
    expect(
      replicaSets.find((rs: any) => rs.metadata.name === newRs).spec.replicas,
    ).toBe(0);

    // Rolling back in git: the stable template again, Healthy at once.
    await sandbox.setImageTag('apps/orders-api/staging/values.yaml', '2.1.0');
    await sandbox.advanceUntil(
      async () =>
        (await app('orders-api-staging')).status.health.status === 'Healthy',
    );
    const healthy = await rollout('orders-api-staging', 'orders-api');
    expect(healthy.status.abort).toBeUndefined();
    expect(progressing(healthy).reason).toBe('NewReplicaSetAvailable');
  });

  it('fails an image only in the namespaces its entry names', async () => {
    await deploy('apps/payments-api/dev/values.yaml', '9.9.9', { seconds: 30 });
    await sandbox.advanceUntil(
      async () =>
        (await rollout('payments-api-dev', 'payments-api')).status.phase ===
        'Paused',
    );
    const dev = await rollout('payments-api-dev', 'payments-api');
    // The canary pod is ready beside the stable one the controller keeps.
    expect(dev.status).toMatchObject({ updatedReplicas: 1, readyReplicas: 2 });
    // A pause step does not count against the deadline.
    await sandbox.advance(45_000);
    expect(
      (await rollout('payments-api-dev', 'payments-api')).status.phase,
    ).toBe('Paused');
  });

  it('restarts a crashing container with the kubelet back-off', () => {
    expect(crashLoop(1_000, 500)).toBeUndefined();
    expect(crashLoop(0, 0)).toEqual({
      restarts: 0,
      lastStartedAt: 0,
      backOffSeconds: 10,
    });
    expect(crashLoop(0, 35_000)).toEqual({
      restarts: 2,
      lastStartedAt: 30_000,
      backOffSeconds: 40,
    });
  });
});
