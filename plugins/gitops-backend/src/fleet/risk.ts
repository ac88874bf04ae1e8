import type { FleetItem, FleetRisk } from './types';

/** How risks sort: the riskiest first. */
export const RISK_RANK: Record<FleetRisk, number> = { none: 0, low: 1, high: 2 };

/**
 * The fleet's risk policy: high when something is broken or critically vulnerable
 * somewhere (Degraded or Missing, an aborted or degraded rollout, critical
 * vulnerabilities, exposed secrets or exposed secrets unknown), low when something needs a look (not Healthy, a paused rollout,
 * OutOfSync, high vulnerabilities, policy failures). The reasons say which.
 */
export function assessRisk(item: FleetItem): { risk: FleetRisk; reasons: string[] } {
  const high: string[] = [];
  const low: string[] = [];
  for (const [env, status] of Object.entries(item.environments)) {
    if (status.health === 'Degraded' || status.health === 'Missing') {
      high.push(`${env}: ${status.health}`);
    } else if (status.health && status.health !== 'Healthy') {
      low.push(`${env}: ${status.health}`);
    }
    if (status.rolloutPhase === 'Aborted' || status.rolloutPhase === 'Degraded') {
      high.push(`${env}: rollout ${status.rolloutPhase}`);
    } else if (status.rolloutPhase === 'Paused' || status.rolloutPhase === 'Unknown') {
      low.push(`${env}: rollout ${status.rolloutPhase}`);
    }
    if (status.sync === 'OutOfSync') low.push(`${env}: OutOfSync`);
    if (status.vulnerabilities?.critical) {
      high.push(`${env}: ${status.vulnerabilities.critical} critical vulnerabilities`);
    } else if (status.vulnerabilities?.high) {
      low.push(`${env}: ${status.vulnerabilities.high} high vulnerabilities`);
    }
    // A leaked credential is exploitable as it is, like a critical vulnerability; not
    // knowing (no report, a cluster unread) is no reason to relax.
    if (status.exposedSecrets) {
      high.push(`${env}: ${status.exposedSecrets} exposed secret${status.exposedSecrets === 1 ? '' : 's'}`);
    } else if (status.exposedSecretsUnknown) {
      high.push(`${env}: exposed secrets unknown (${status.exposedSecretsUnknown})`);
    }
    if (status.policyFailures) low.push(`${env}: ${status.policyFailures} policy failures`);
  }
  if (high.length) return { risk: 'high', reasons: [...high, ...low] };
  return { risk: low.length ? 'low' : 'none', reasons: low };
}
