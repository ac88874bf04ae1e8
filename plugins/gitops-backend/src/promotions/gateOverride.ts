import type { GateResult } from '@gitops-suite/backstage-plugin-gitops-common';
import { GatesFailedError } from './GatesFailedError';

/** How a request asks to go past failed gates. */
export interface GateOverrideRequest {
  overrideGates?: boolean;
  /** Checks the override permission; throws (403) without it. Absent: never overridable. */
  authorizeOverride?: () => Promise<void>;
}

/**
 * Passes when every gate passed; otherwise only with an override the caller is allowed
 * to make, and then the failed gates are marked overridden (the caller records who).
 * Throws {@link GatesFailedError} (409 with the gates) when not overridden.
 */
export async function passGates(
  gates: GateResult[],
  request: GateOverrideRequest,
  what = 'Promotion',
): Promise<{ gates: GateResult[]; overridden: GateResult[] }> {
  const failed = gates.filter(g => !g.passed);
  if (!failed.length) return { gates, overridden: [] };
  if (!request.overrideGates || !request.authorizeOverride) throw new GatesFailedError(gates, what);
  await request.authorizeOverride();
  return { gates: gates.map(g => (g.passed ? g : { ...g, overridden: true })), overridden: failed };
}

/** The event that records who let a promotion past which failed gates. */
export function overrideEvent(requestedBy: string, failed: GateResult[]) {
  return {
    type: 'gates-overridden',
    message: `${requestedBy} overrode the failed gates: ${failed.map(g => `${g.gate} (${g.evidence})`).join('; ')}`,
    actor: requestedBy,
  };
}
