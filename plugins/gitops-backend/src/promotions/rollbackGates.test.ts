import { rollbackGates, skippedRollbackGates } from './rollbackGates';

const gates = {
  onlyFixable: true,
  onlyEnforcedPolicies: true,
  requireSourceHealthy: true,
  soakMinutes: 30,
  maxCritical: 0,
  maxPolicyFailures: 0,
  maxExposedSecrets: 0,
  freezeWindows: [{ start: '2026-12-24T00:00:00Z', end: '2026-12-27T00:00:00Z', reason: 'holidays' }],
};

describe('rollbackGates', () => {
  it('drops the skipped evidence gates and source health, and keeps the rest with freeze windows', () => {
    const evaluated = rollbackGates(gates, ['soak-time', 'vulnerabilities']);
    expect(evaluated).toEqual({
      ...gates,
      requireSourceHealthy: false,
      requireSourceHooksPassed: false,
      soakMinutes: undefined,
      maxCritical: undefined,
      maxHigh: undefined,
    });
  });

  it('records each skipped gate that is configured as passed, saying why', () => {
    const skipped = skippedRollbackGates({ ...gates, soakMinutes: undefined }, ['soak-time', 'vulnerabilities', 'policies']);
    expect(skipped.map(g => [g.gate, g.passed])).toEqual([
      ['source-healthy', true],
      ['vulnerabilities', true],
      ['policies', true],
    ]);
    expect(skipped[1].evidence).toMatch(/promotion\.rollback\.skipGates/);
  });
});
