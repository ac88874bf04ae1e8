import { ConflictError } from '@backstage/errors';
import type { GateResult } from '@gitops-suite/backstage-plugin-gitops-common';

/** Raised when gates fail: the router answers 409 with the gate results. */
export class GatesFailedError extends ConflictError {
  constructor(
    readonly gates: GateResult[],
    what = 'Promotion',
  ) {
    super(`${what} blocked by ${gates.filter(g => !g.passed).map(g => `${g.gate} (${g.evidence})`).join('; ')}`);
  }
}
