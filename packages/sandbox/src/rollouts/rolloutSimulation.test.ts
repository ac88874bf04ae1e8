import { discoverRolloutActions } from './rolloutActions';
import { rolloutHealth } from './rolloutHealth';
import { InvalidRolloutError, RolloutSimulation } from './rolloutSimulation';
import type { CanaryStep, RolloutSpec } from './rolloutTypes';

const STEPS: CanaryStep[] = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 50 },
  { pause: { duration: '10s' } },
  { setWeight: 80 },
  { pause: { duration: 10 } },
];

function spec(
  image: string,
  strategy: RolloutSpec['strategy'] = { canary: { steps: STEPS } },
): RolloutSpec {
  return {
    replicas: 3,
    revisionHistoryLimit: 3,
    selector: { matchLabels: { app: 'payments-api' } },
    strategy,
    template: {
      metadata: { labels: { app: 'payments-api' } },
      spec: { containers: [{ name: 'payments-api', image }] },
    },
  };
}

const BLUE_GREEN = {
  blueGreen: {
    activeService: 'payments-api',
    previewService: 'payments-api-preview',
    autoPromotionEnabled: false,
  },
};

/** A rollout whose clock the test moves; pods take 1 s to become ready. */
function simulate(strategy?: RolloutSpec['strategy']) {
  let now = Date.parse('2024-05-01T10:00:00Z');
  const log: string[] = [];
  const rollout = new RolloutSimulation({
    name: 'payments-api',
    namespace: 'payments-api-dev',
    instance: 'payments-api-dev',
    spec: spec('ghcr.io/example/payments-api:1.4.2', strategy),
    now,
    timing: { podStartupMs: 1000, timeScale: 1 },
    log: line => log.push(line),
  });
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i += 100) {
      now += 100;
      rollout.reconcile(now);
    }
  };
  return {
    rollout,
    log,
    advance,
    now: () => now,
    deploy: (image: string) => rollout.applySpec(spec(image, strategy), now),
    action: (name: string) => rollout.runAction(name, now),
    actions: () =>
      Object.fromEntries(
        discoverRolloutActions(rollout.object).map(a => [a.name, !a.disabled]),
      ),
  };
}

describe('RolloutSimulation, canary', () => {
  it('promotes a new Rollout fully, skipping the steps', () => {
    const { rollout } = simulate();
    const { metadata, status } = rollout.object;

    expect(metadata.annotations['rollout.argoproj.io/revision']).toBe('1');
    expect(status.currentStepIndex).toBe(6);
    expect(status.stableRS).toBe(status.currentPodHash);
    expect(status.currentPodHash).toMatch(
      /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/,
    );
    expect(status).toMatchObject({
      phase: 'Healthy',
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
    });
    expect(rolloutHealth(rollout.object)).toEqual({ status: 'Healthy' });
    expect(rollout.replicaSets().map(rs => rs.metadata.name)).toEqual([
      `payments-api-${status.currentPodHash}`,
    ]);
  });

  it('stops at an indefinite pause with CanaryPauseStep until resumed, then completes', () => {
    const sim = simulate();
    const stable = sim.rollout.object.status.currentPodHash;
    sim.deploy('ghcr.io/example/payments-api:1.5.0');

    const { metadata, spec: liveSpec } = sim.rollout.object;
    let { status } = sim.rollout.object;
    expect(metadata.generation).toBe(2);
    expect(metadata.annotations['rollout.argoproj.io/revision']).toBe('2');
    expect(liveSpec.template.spec.containers[0].image).toBe(
      'ghcr.io/example/payments-api:1.5.0',
    );
    expect(status.currentPodHash).not.toBe(stable);
    expect(status).toMatchObject({
      currentStepIndex: 0,
      stableRS: stable,
      phase: 'Progressing',
    });
    expect(rolloutHealth(sim.rollout.object).status).toBe('Progressing');

    sim.advance(1000); // the canary pod becomes ready
    status = sim.rollout.object.status;
    expect(status).toMatchObject({
      currentStepIndex: 1,
      phase: 'Paused',
      message: 'CanaryPauseStep',
      controllerPause: true,
      pauseConditions: [
        { reason: 'CanaryPauseStep', startTime: expect.any(String) },
      ],
    });
    // A basic canary splits traffic by replicas: Argo Rollouts reports no weights then
    // (rollout/trafficrouting.go, "No TrafficRouting Reconcilers found").
    expect(status.canary.weights).toBeUndefined();
    expect(sim.rollout.object.spec.paused).toBeUndefined();
    expect(rolloutHealth(sim.rollout.object)).toEqual({
      status: 'Suspended',
      message: 'Rollout is paused',
    });
    expect(sim.actions()).toMatchObject({
      resume: true,
      abort: true,
      'promote-full': true,
      retry: false,
      pause: true,
    });

    sim.advance(60_000); // an indefinite pause does not end by itself
    expect(sim.rollout.object.status.currentStepIndex).toBe(1);

    sim.action('resume');
    sim.advance(1000); // 50%: one more canary pod
    expect(sim.rollout.object.status).toMatchObject({
      currentStepIndex: 3,
      phase: 'Paused',
    });
    sim.advance(10_000); // pause 10s, then 80%
    sim.advance(1000);
    expect(sim.rollout.object.status.currentStepIndex).toBe(5);
    sim.advance(10_000); // pause 10, then full promotion
    sim.advance(1000);

    status = sim.rollout.object.status;
    expect(status).toMatchObject({
      currentStepIndex: 6,
      phase: 'Healthy',
      stableRS: status.currentPodHash,
    });
    expect(status.pauseConditions).toBeUndefined();
    expect(status.controllerPause).toBeUndefined();
    const replicas = Object.fromEntries(
      sim.rollout
        .replicaSets()
        .map(rs => [
          rs.metadata.labels!['rollouts-pod-template-hash'],
          rs.spec.replicas,
        ]),
    );
    expect(replicas).toEqual({ [stable!]: 0, [status.currentPodHash!]: 3 });
    expect(rolloutHealth(sim.rollout.object)).toEqual({ status: 'Healthy' });
    expect(sim.actions()).toMatchObject({
      resume: false,
      abort: false,
      'promote-full': false,
    });
  });

  it('aborts back to the stable version (Degraded) and retries from the first step', () => {
    const sim = simulate();
    sim.deploy('ghcr.io/example/payments-api:1.5.0');
    sim.advance(1000);

    sim.action('abort');
    let { status } = sim.rollout.object;
    expect(status).toMatchObject({
      abort: true,
      abortedAt: expect.any(String),
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
      currentStepIndex: 0,
    });
    expect(status.canary.weights).toBeUndefined();
    expect(status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Progressing',
        status: 'False',
        reason: 'RolloutAborted',
      }),
    );
    expect(status.pauseConditions).toBeUndefined();
    expect(rolloutHealth(sim.rollout.object)).toEqual({
      status: 'Degraded',
      message: 'Rollout aborted update to revision 2',
    });
    expect(sim.actions()).toMatchObject({
      retry: true,
      abort: false,
      pause: false,
    });

    sim.action('retry');
    sim.advance(1000);
    status = sim.rollout.object.status;
    expect(status.abort).toBeUndefined();
    expect(status.abortedAt).toBeUndefined();
    expect(status).toMatchObject({
      currentStepIndex: 1,
      phase: 'Paused',
      message: 'CanaryPauseStep',
    });
  });

  it('pauses manually with spec.paused and resumes', () => {
    const sim = simulate();
    sim.deploy('ghcr.io/example/payments-api:1.5.0');
    sim.action('pause');

    expect(sim.rollout.object.spec.paused).toBe(true);
    expect(sim.rollout.object.metadata.generation).toBe(3);
    expect(sim.rollout.object.status).toMatchObject({
      phase: 'Paused',
      message: 'manually paused',
    });
    sim.advance(5000);
    expect(sim.rollout.object.status.currentStepIndex).toBe(0);

    sim.action('resume');
    sim.advance(1000);
    expect(sim.rollout.object.spec.paused).toBe(false);
    expect(sim.rollout.object.status).toMatchObject({
      currentStepIndex: 1,
      message: 'CanaryPauseStep',
    });
  });

  it('promote-full skips the remaining steps', () => {
    const sim = simulate();
    sim.deploy('ghcr.io/example/payments-api:1.5.0');
    sim.advance(1000);

    sim.action('promote-full');
    expect(sim.rollout.object.status).toMatchObject({
      promoteFull: true,
      currentStepIndex: 6,
    });
    sim.advance(1000);

    const { status } = sim.rollout.object;
    expect(status.promoteFull).toBeUndefined();
    expect(status).toMatchObject({
      phase: 'Healthy',
      stableRS: status.currentPodHash,
    });
  });

  it('restart sets spec.restartAt and replaces the pods', () => {
    const sim = simulate();
    const before = sim.rollout.pods().map(pod => pod.metadata.name);

    sim.action('restart');
    const { spec: liveSpec, status } = sim.rollout.object;
    expect(liveSpec.restartAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(status.restartedAt).toBe(liveSpec.restartAt);
    const after = sim.rollout.pods().map(pod => pod.metadata.name);
    expect(after).toHaveLength(3);
    expect(after.filter(name => before.includes(name))).toEqual([]);
  });

  it('follows kubectl-plugin merge patches of the status subresource', () => {
    const sim = simulate();
    sim.deploy('ghcr.io/example/payments-api:1.5.0');
    sim.advance(1000);

    // `kubectl argo rollouts promote` at a step pause
    sim.rollout.patch(
      { status: { pauseConditions: null } },
      'status',
      sim.now(),
    );
    expect(sim.rollout.object.status.currentStepIndex).toBe(2);
    // the main resource ignores status, the status subresource ignores spec
    sim.rollout.patch({ status: { abort: true } }, 'main', sim.now());
    sim.rollout.patch({ spec: { paused: true } }, 'status', sim.now());
    expect(sim.rollout.object.status.abort).toBeUndefined();
    expect(sim.rollout.object.spec.paused).toBeUndefined();
    expect(() =>
      sim.rollout.patch(
        { status: { currentStepIndex: 'two' } },
        'status',
        sim.now(),
      ),
    ).toThrow(InvalidRolloutError);
  });

  it('logs one line per transition', () => {
    const sim = simulate();
    sim.deploy('ghcr.io/example/payments-api:1.5.0');
    sim.advance(2000);

    expect(sim.log).toEqual([
      expect.stringMatching(/revision 1 image=.*:1\.4\.2 step 6\/6 Healthy$/),
      expect.stringMatching(
        /revision 2 image=.*:1\.5\.0 step 0\/6 Progressing \(more replicas need to be updated\)$/,
      ),
      expect.stringMatching(
        /revision 2 image=.*:1\.5\.0 step 1\/6 Paused \(CanaryPauseStep\)$/,
      ),
    ]);
  });
});

describe('RolloutSimulation, blue-green', () => {
  it('brings the new version up as preview, pauses with BlueGreenPause and switches on promote', () => {
    const sim = simulate(BLUE_GREEN);
    const stable = sim.rollout.object.status.currentPodHash!;
    expect(sim.rollout.object.status.blueGreen).toEqual({
      activeSelector: stable,
      previewSelector: stable,
    });

    sim.deploy('ghcr.io/example/payments-api:1.5.0');
    sim.advance(1000);
    let { status } = sim.rollout.object;
    const preview = status.currentPodHash!;
    expect(status).toMatchObject({
      blueGreen: { activeSelector: stable, previewSelector: preview },
      stableRS: stable,
      controllerPause: true,
      pauseConditions: [{ reason: 'BlueGreenPause' }],
      phase: 'Paused',
      message: 'BlueGreenPause',
    });
    expect(status.currentStepIndex).toBeUndefined();
    const services = Object.fromEntries(
      sim.rollout.services().map(s => [s.metadata.name, s.spec.selector]),
    );
    expect(services).toEqual({
      'payments-api': {
        app: 'payments-api',
        'rollouts-pod-template-hash': stable,
      },
      'payments-api-preview': {
        app: 'payments-api',
        'rollouts-pod-template-hash': preview,
      },
    });
    expect(rolloutHealth(sim.rollout.object).status).toBe('Suspended');

    sim.action('resume');
    status = sim.rollout.object.status;
    expect(status).toMatchObject({
      blueGreen: { activeSelector: preview, previewSelector: preview },
      stableRS: preview,
      phase: 'Healthy',
    });
    expect(rolloutHealth(sim.rollout.object).status).toBe('Healthy');
  });
});
