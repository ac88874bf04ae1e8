import type { GateResult } from '@gitops-suite/backstage-plugin-gitops-common';
import type { PromotionConfig } from '../config/gitopsConfig';

type Gates = PromotionConfig['gates'];

/** Recorded for each gate a rollback skips, as the evidence of that gate. */
const SKIPPED_BY_CONFIG = 'skipped: a rollback restores a version that ran here before (promotion.rollback.skipGates)';
const NOT_APPLICABLE = 'skipped: a rollback has no source environment, it restores a version that ran here before';

/** The configured evidence gates a rollback skips: `promotion.rollback.skipGates` names. */
const SKIPPABLE: Array<{ name: string; configured: (gates: Gates) => boolean; unset: Partial<Gates> }> = [
  { name: 'soak-time', configured: g => g.soakMinutes !== undefined, unset: { soakMinutes: undefined } },
  {
    name: 'vulnerabilities',
    configured: g => g.maxCritical !== undefined || g.maxHigh !== undefined,
    unset: { maxCritical: undefined, maxHigh: undefined },
  },
  { name: 'policies', configured: g => g.maxPolicyFailures !== undefined, unset: { maxPolicyFailures: undefined } },
  { name: 'exposed-secrets', configured: g => g.maxExposedSecrets !== undefined, unset: { maxExposedSecrets: undefined } },
  { name: 'verified-images', configured: g => Boolean(g.requireVerifiedImages), unset: { requireVerifiedImages: undefined } },
];

/**
 * The gates a rollback evaluates: the environment's, less those it skips, and never
 * the source-healthy or source-hooks gates (a rollback has no source environment). Freeze windows and
 * the known-bad check always apply.
 */
export function rollbackGates(gates: Gates, skipGates: readonly string[]): Gates {
  const skips = new Set(skipGates);
  return SKIPPABLE.filter(gate => skips.has(gate.name)).reduce<Gates>(
    (evaluated, gate) => ({ ...evaluated, ...gate.unset }),
    { ...gates, requireSourceHealthy: false, requireSourceHooksPassed: false },
  );
}

/** What a rollback records for the gates it does not evaluate: passed, saying why. */
export function skippedRollbackGates(gates: Gates, skipGates: readonly string[]): GateResult[] {
  const skips = new Set(skipGates);
  const notApplicable = [
    ...(gates.requireSourceHealthy ? [{ gate: 'source-healthy', evidence: NOT_APPLICABLE }] : []),
    ...(gates.requireSourceHooksPassed ? [{ gate: 'source-hooks', evidence: NOT_APPLICABLE }] : []),
  ];
  const skipped = SKIPPABLE.filter(gate => skips.has(gate.name) && gate.configured(gates)).map(gate => ({
    gate: gate.name,
    evidence: SKIPPED_BY_CONFIG,
  }));
  return [...notApplicable, ...skipped].map(g => ({ ...g, passed: true }));
}
