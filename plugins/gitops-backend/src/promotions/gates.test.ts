import type { Entity } from '@backstage/catalog-model';
import type { EnvironmentDeployment, ImageSignature } from '@gitops-suite/backstage-plugin-gitops-common';
import { evaluateGates } from './gates';
import { readGateEvidence } from './promotionGates';
import type { PromotionEvidence } from './PromotionEvidence';

const now = new Date('2026-11-22T12:00:00Z');
const healthy: EnvironmentDeployment = {
  name: 'dev',
  title: 'Development',
  applications: [
    { instance: 'main', name: 'payments-api-dev', sync: { status: 'Synced' }, health: { status: 'Healthy' }, images: [], history: [] },
  ],
  rollouts: [],
  lastDeployedAt: '2026-11-22T11:00:00Z',
};
const defaults = {
  onlyFixable: true,
  onlyEnforcedPolicies: true,
  requireSourceHealthy: true,
  freezeWindows: [],
};
const zero = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };

describe('evaluateGates', () => {
  it('passes a healthy, soaked, clean source with the evidence in words', () => {
    const results = evaluateGates(
      { ...defaults, soakMinutes: 30, maxCritical: 0, maxHigh: 2, maxPolicyFailures: 0 },
      { source: healthy, now, vulnerabilities: { counts: { ...zero, high: 5 }, fixable: { ...zero, high: 1 } }, policies: { failures: 2, enforcedFailures: 0 } },
    );
    expect(results).toEqual([
      { gate: 'source-healthy', passed: true, evidence: 'payments-api-dev Synced and Healthy, rollouts complete' },
      { gate: 'soak-time', passed: true, evidence: 'running in dev for 60 min (minimum 30)' },
      { gate: 'vulnerabilities', passed: true, evidence: '0 critical with a fix (max 0), 1 high with a fix (max 2)' },
      { gate: 'policies', passed: true, evidence: '0 Enforce-rule failures (max 0; 2 failures in all)' },
    ]);
  });

  it('blocks a critical vulnerability with a fix', () => {
    const [gate] = evaluateGates(
      { ...defaults, requireSourceHealthy: false, maxCritical: 0 },
      { source: healthy, now, vulnerabilities: { counts: { ...zero, critical: 1 }, fixable: { ...zero, critical: 1 } } },
    );
    expect(gate).toEqual({ gate: 'vulnerabilities', passed: false, evidence: '1 critical with a fix (max 0)' });
  });

  it('fails closed without evidence', () => {
    const results = evaluateGates(
      { ...defaults, requireSourceHealthy: false, maxCritical: 0, maxPolicyFailures: 0 },
      { source: healthy, now },
    );
    expect(results.map(r => [r.gate, r.passed, r.evidence])).toEqual([
      ['vulnerabilities', false, 'no vulnerability report for this version'],
      ['policies', false, 'no policy report for this version'],
    ]);
  });

  it('blocks an unhealthy source, a paused rollout, a short soak and a freeze window', () => {
    const source: EnvironmentDeployment = {
      ...healthy,
      applications: [{ ...healthy.applications[0], health: { status: 'Suspended' } }],
      rollouts: [
        { name: 'payments-api', namespace: 'ns', strategy: 'canary', phase: 'Paused', paused: true, pauseReasons: [], aborted: false, completed: false, step: { index: 1, count: 4 }, steps: [], images: [] },
      ],
      lastDeployedAt: '2026-11-22T11:50:00Z',
    };
    const results = evaluateGates(
      { ...defaults, soakMinutes: 30, freezeWindows: [{ start: '2026-11-22T00:00:00Z', end: '2026-11-23T00:00:00Z', reason: 'Black Friday' }] },
      { source, now },
    );
    expect(results.map(r => [r.gate, r.passed, r.evidence])).toEqual([
      ['source-healthy', false, 'payments-api-dev is Suspended; rollout payments-api is Paused at step 1/4'],
      ['soak-time', false, 'running in dev for 10 min (minimum 30)'],
      ['freeze-window', false, 'frozen until 2026-11-23T00:00:00Z: Black Friday'],
    ]);
  });

  it('counts exposed secrets against maxExposedSecrets, and fails closed without a report', () => {
    const gates = { ...defaults, requireSourceHealthy: false, maxExposedSecrets: 0 };
    const counts = { ...zero, critical: 1 };
    expect(evaluateGates(gates, { source: healthy, now, exposedSecrets: { total: 1, counts } })).toEqual([
      { gate: 'exposed-secrets', passed: false, evidence: '1 exposed secret in its images (max 0): 1 critical, 0 high' },
    ]);
    expect(evaluateGates(gates, { source: healthy, now, exposedSecrets: { total: 0, counts: zero } })).toEqual([
      { gate: 'exposed-secrets', passed: true, evidence: '0 exposed secrets in its images (max 0)' },
    ]);
    expect(evaluateGates(gates, { source: healthy, now })[0]).toMatchObject({ gate: 'exposed-secrets', passed: false });
  });

  describe('requireSourceHooksPassed', () => {
    const gates = { ...defaults, requireSourceHealthy: false, requireSourceHooksPassed: true };
    const withOperation = (operation?: object) => ({
      ...healthy,
      applications: [{ ...healthy.applications[0], ...(operation ? { operation } : {}) }],
    }) as never;
    const hook = (hookPhase: string) => ({ hookType: 'PostSync', hookPhase, kind: 'Job', name: 'payments-api-postsync-smoke' });

    it("passes when the source's last sync and every hook succeeded", () => {
      expect(evaluateGates(gates, { source: withOperation({ phase: 'Succeeded', hooks: [hook('Succeeded')] }), now })).toEqual([
        { gate: 'source-hooks', passed: true, evidence: 'payments-api-dev: 1 hook succeeded' },
      ]);
    });

    it('fails on a failed or running hook, a failed sync, and no sync on record', () => {
      const evidence = (operation?: object) => evaluateGates(gates, { source: withOperation(operation), now })[0];
      expect(evidence({ phase: 'Failed', hooks: [hook('Failed')] })).toEqual({
        gate: 'source-hooks',
        passed: false,
        evidence: 'payments-api-dev: PostSync hook payments-api-postsync-smoke Failed',
      });
      expect(evidence({ phase: 'Running', hooks: [hook('Running')] }).passed).toBe(false);
      expect(evidence({ phase: 'Error', hooks: [] }).evidence).toBe('payments-api-dev: last sync Error');
      expect(evidence(undefined).evidence).toBe('payments-api-dev has no sync on record');
    });
  });

  describe('requireVerifiedImages', () => {
    const gates = { ...defaults, requireSourceHealthy: false, requireVerifiedImages: true };
    const payments = 'ghcr.io/example/payments-api:1.4.2';
    const sidecar = 'ghcr.io/example/audit-agent:0.9.0';

    it('passes when every image the source runs is verified, naming them', () => {
      expect(
        evaluateGates(gates, {
          source: healthy,
          now,
          imageSignatures: [
            { image: payments, status: 'verified', message: `verified image signatures for ${payments}` },
            { image: sidecar, status: 'verified' },
          ],
        }),
      ).toEqual([{ gate: 'verified-images', passed: true, evidence: `2 images verified: ${payments}, ${sidecar}` }]);
    });

    it('fails on a failed signature check and on an image nothing verified, with the evidence of each', () => {
      const [gate] = evaluateGates(gates, {
        source: healthy,
        now,
        imageSignatures: [
          { image: payments, status: 'verified' },
          {
            image: sidecar,
            status: 'failed',
            message: `failed to verify image ${sidecar}: .attestors[0].entries[0].keyless: no signatures found`,
            policy: 'verify-image-signatures',
            rule: 'verify-signature',
          },
          { image: 'ghcr.io/example/orders-api:2.0.3', status: 'unknown', message: 'no Kyverno verifyImages result for ghcr.io/example/orders-api:2.0.3' },
        ],
      });
      expect(gate).toEqual({
        gate: 'verified-images',
        passed: false,
        evidence:
          `${sidecar}: signature check failed (failed to verify image ${sidecar}: .attestors[0].entries[0].keyless: no signatures found); ` +
          'ghcr.io/example/orders-api:2.0.3: not verified (no Kyverno verifyImages result for ghcr.io/example/orders-api:2.0.3)',
      });
    });

    it('fails closed without evidence, and is not evaluated unless configured', () => {
      expect(evaluateGates(gates, { source: healthy, now })).toEqual([
        { gate: 'verified-images', passed: false, evidence: 'no image signature evidence for this version (no running image known)' },
      ]);
      expect(evaluateGates(gates, { source: healthy, now, imageSignatures: [] })[0]).toMatchObject({ passed: false });
      expect(evaluateGates({ ...gates, requireVerifiedImages: false }, { source: healthy, now })).toEqual([]);
      expect(evaluateGates({ ...defaults, requireSourceHealthy: false }, { source: healthy, now })).toEqual([]);
    });

    it('has its evidence read from the source environment only when configured', async () => {
      const evidence: jest.Mocked<PromotionEvidence> = {
        vulnerabilities: jest.fn(),
        policies: jest.fn(),
        exposedSecrets: jest.fn(),
        imageSignatures: jest.fn(async (_entity: Entity, _environment: string): Promise<ImageSignature[] | undefined> => [
          { image: payments, status: 'verified' },
        ]),
      };
      const entity: Entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments-api' } };
      expect(await readGateEvidence(evidence, entity, healthy, gates)).toMatchObject({
        imageSignatures: [{ image: payments, status: 'verified' }],
      });
      expect(evidence.imageSignatures).toHaveBeenCalledWith(entity, 'dev');
      evidence.imageSignatures.mockClear();
      await readGateEvidence(evidence, entity, healthy, { ...defaults, maxCritical: 0 });
      expect(evidence.imageSignatures).not.toHaveBeenCalled();
      expect(await readGateEvidence(evidence, entity, undefined, gates)).toEqual({});
    });
  });
});
