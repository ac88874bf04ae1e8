import type { Entity } from '@backstage/catalog-model';
import type { EnvironmentDeployment } from '@gitops-suite/backstage-plugin-gitops-common';
import { assembleGates, type PromotionGatesSources } from './promotionGates';

const entity: Entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'orders-api', namespace: 'default' } };
const staging: EnvironmentDeployment = { name: 'staging', title: 'Staging', applications: [], rollouts: [] };
const gates = { onlyFixable: true, onlyEnforcedPolicies: true, requireSourceHealthy: false, freezeWindows: [] };
const zero = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };

function sources(bad: { tag: string; promotionId: string; reason?: string }[] = []) {
  const evidence = {
    vulnerabilities: jest.fn(async () => ({ counts: zero, fixable: zero })),
    policies: jest.fn(async () => ({ failures: 0, enforcedFailures: 0 })),
    exposedSecrets: jest.fn(async () => ({ total: 0, counts: zero })),
  };
  const store = { badVersions: jest.fn(async () => bad) };
  const now = () => new Date('2026-12-02T12:00:00Z');
  return { evidence, store, now } as unknown as PromotionGatesSources & { evidence: typeof evidence; store: typeof store };
}

describe('assembleGates', () => {
  it('reads only the evidence a configured gate needs, from the source environment', async () => {
    const from = sources();
    const results = await assembleGates(from, { entity, target: 'prod', gates: { ...gates, maxCritical: 0 }, source: staging, tag: '2.1.0' });
    expect(results.map(r => [r.gate, r.passed])).toEqual([['vulnerabilities', true]]);
    expect(from.evidence.vulnerabilities).toHaveBeenCalledWith(entity, 'staging');
    expect(from.evidence.policies).not.toHaveBeenCalled();
    expect(from.evidence.exposedSecrets).not.toHaveBeenCalled();
    expect(from.store.badVersions).toHaveBeenCalledWith('component:default/orders-api', 'prod');
  });

  it('fails the evidence gates closed when no environment runs the version', async () => {
    const from = sources();
    const results = await assembleGates(from, { entity, target: 'prod', gates: { ...gates, maxPolicyFailures: 0 }, tag: '2.0.0' });
    expect(results).toEqual([{ gate: 'policies', passed: false, evidence: 'no policy report for this version' }]);
    expect(from.evidence.policies).not.toHaveBeenCalled();
  });

  it('adds a failed known-bad gate for a version that failed in the target before', async () => {
    const from = sources([{ tag: '2.2.0', promotionId: 'p-1', reason: 'health check failed' }]);
    const results = await assembleGates(from, { entity, target: 'prod', gates, source: staging, tag: '2.2.0' });
    expect(results).toEqual([
      { gate: 'known-bad', passed: false, evidence: '2.2.0 failed in prod before (promotion p-1: health check failed)' },
    ]);
    expect(await assembleGates(from, { entity, target: 'prod', gates, source: staging, tag: '2.1.0' })).toEqual([]);
  });
});
