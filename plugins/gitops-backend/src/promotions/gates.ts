import type {
  EnvironmentDeployment,
  ExposedSecretSummary,
  GateResult,
  ImageSignature,
  VulnerabilitySummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { PromotionConfig } from '../config/gitopsConfig';

/** Kyverno results of the source version, as the policy gate counts them. */
export interface PolicyFailures {
  failures: number;
  enforcedFailures: number;
}

/** Everything the gates look at: the source environment's evidence. */
export interface GateEvidence {
  source: EnvironmentDeployment;
  vulnerabilities?: VulnerabilitySummary;
  policies?: PolicyFailures;
  exposedSecrets?: ExposedSecretSummary;
  /** Each image the source runs, verified or not (Kyverno verifyImages). */
  imageSignatures?: ImageSignature[];
  now: Date;
}

type Gates = PromotionConfig['gates'];

/**
 * Evaluates the target environment's gates on the source environment's evidence.
 * Each configured gate reports pass or fail with the evidence in words; a gate
 * without evidence to look at fails (closed), saying so.
 */
export function evaluateGates(gates: Gates, evidence: GateEvidence): GateResult[] {
  return [
    gates.requireSourceHealthy ? sourceHealthyGate(evidence.source) : undefined,
    gates.requireSourceHooksPassed ? sourceHooksGate(evidence.source) : undefined,
    gates.soakMinutes !== undefined ? soakGate(gates.soakMinutes, evidence) : undefined,
    gates.maxCritical !== undefined || gates.maxHigh !== undefined
      ? vulnerabilityGate(gates, evidence.vulnerabilities)
      : undefined,
    gates.maxPolicyFailures !== undefined ? policyGate(gates, evidence.policies) : undefined,
    gates.maxExposedSecrets !== undefined
      ? exposedSecretsGate(gates.maxExposedSecrets, evidence.exposedSecrets)
      : undefined,
    gates.requireVerifiedImages ? verifiedImagesGate(evidence.imageSignatures) : undefined,
    gates.freezeWindows.length ? freezeGate(gates.freezeWindows, evidence.now) : undefined,
  ].filter((g): g is GateResult => Boolean(g));
}

/**
 * The source's last sync, and every hook it ran, succeeded: checks run as Argo CD
 * hooks (PostSync smoke tests, scans) vouch for the version. No sync on record is no
 * evidence, and fails.
 */
function sourceHooksGate(source: EnvironmentDeployment): GateResult {
  const problems: string[] = [];
  const passed: string[] = [];
  if (!source.applications.length) problems.push(`nothing is deployed in ${source.name}`);
  for (const app of source.applications) {
    const operation = app.operation;
    if (!operation) {
      problems.push(`${app.name} has no sync on record`);
      continue;
    }
    const failed = operation.hooks.filter(h => h.hookPhase !== 'Succeeded');
    for (const hook of failed) problems.push(`${app.name}: ${hook.hookType} hook ${hook.name} ${hook.hookPhase}`);
    if (!failed.length && operation.phase !== 'Succeeded') problems.push(`${app.name}: last sync ${operation.phase}`);
    if (!failed.length && operation.phase === 'Succeeded') {
      passed.push(operation.hooks.length ? `${app.name}: ${operation.hooks.length} hook${operation.hooks.length === 1 ? '' : 's'} succeeded` : `${app.name}: synced (no hooks)`);
    }
  }
  return problems.length
    ? { gate: 'source-hooks', passed: false, evidence: problems.join('; ') }
    : { gate: 'source-hooks', passed: true, evidence: passed.join('; ') };
}

function sourceHealthyGate(source: EnvironmentDeployment): GateResult {
  const problems: string[] = [];
  if (!source.applications.length) problems.push(`nothing is deployed in ${source.name}`);
  for (const app of source.applications) {
    if (app.sync.status !== 'Synced') problems.push(`${app.name} is ${app.sync.status}`);
    if (app.health.status !== 'Healthy') problems.push(`${app.name} is ${app.health.status}`);
  }
  for (const rollout of source.rollouts) {
    if (!rollout.completed || rollout.paused || rollout.aborted) {
      const step = rollout.step ? ` at step ${rollout.step.index}/${rollout.step.count}` : '';
      problems.push(`rollout ${rollout.name} is ${rollout.phase}${step}`);
    }
  }
  // A Rollout that could not be read is not proven complete.
  for (const rollout of source.unknownRollouts ?? []) {
    problems.push(`rollout ${rollout.name} state unknown: ${rollout.message}`);
  }
  return {
    gate: 'source-healthy',
    passed: problems.length === 0,
    evidence: problems.length
      ? problems.join('; ')
      : `${source.applications.map(a => a.name).join(', ')} Synced and Healthy, rollouts complete`,
  };
}

function soakGate(minutes: number, { source, now }: GateEvidence): GateResult {
  if (!source.lastDeployedAt) {
    return { gate: 'soak-time', passed: false, evidence: `no deployment time known in ${source.name}` };
  }
  const ran = (now.getTime() - new Date(source.lastDeployedAt).getTime()) / 60_000;
  return {
    gate: 'soak-time',
    passed: ran >= minutes,
    evidence: `running in ${source.name} for ${Math.floor(ran)} min (minimum ${minutes})`,
  };
}

function vulnerabilityGate(gates: Gates, summary?: VulnerabilitySummary): GateResult {
  if (!summary) {
    return { gate: 'vulnerabilities', passed: false, evidence: 'no vulnerability report for this version' };
  }
  const counts = gates.onlyFixable ? summary.fixable : summary.counts;
  const qualifier = gates.onlyFixable ? ' with a fix' : '';
  const checks = [
    gates.maxCritical !== undefined ? { label: 'critical', count: counts.critical, max: gates.maxCritical } : undefined,
    gates.maxHigh !== undefined ? { label: 'high', count: counts.high, max: gates.maxHigh } : undefined,
  ].filter((c): c is { label: string; count: number; max: number } => Boolean(c));
  return {
    gate: 'vulnerabilities',
    passed: checks.every(c => c.count <= c.max),
    evidence: checks.map(c => `${c.count} ${c.label}${qualifier} (max ${c.max})`).join(', '),
  };
}

function policyGate(gates: Gates, policies?: PolicyFailures): GateResult {
  if (!policies) {
    return { gate: 'policies', passed: false, evidence: 'no policy report for this version' };
  }
  const count = gates.onlyEnforcedPolicies ? policies.enforcedFailures : policies.failures;
  const kind = gates.onlyEnforcedPolicies ? 'Enforce-rule failures' : 'policy failures';
  return {
    gate: 'policies',
    passed: count <= gates.maxPolicyFailures!,
    evidence: `${count} ${kind} (max ${gates.maxPolicyFailures}; ${policies.failures} failures in all)`,
  };
}

function freezeGate(windows: Gates['freezeWindows'], now: Date): GateResult {
  const active = windows.find(
    w => new Date(w.start) <= now && now < new Date(w.end),
  );
  return {
    gate: 'freeze-window',
    passed: !active,
    evidence: active
      ? `frozen until ${active.end}${active.reason ? `: ${active.reason}` : ''}`
      : 'no freeze window now',
  };
}

/** Secrets found in the source version's images; unknown (no report, a cluster unread) fails closed. */
function exposedSecretsGate(max: number, secrets?: ExposedSecretSummary): GateResult {
  if (!secrets) {
    return {
      gate: 'exposed-secrets',
      passed: false,
      evidence: 'no exposed-secret report for this version (not scanned yet, or a cluster could not be read)',
    };
  }
  const { critical, high } = secrets.counts;
  const noun = secrets.total === 1 ? 'secret' : 'secrets';
  const worst = secrets.total ? `: ${critical} critical, ${high} high` : '';
  return {
    gate: 'exposed-secrets',
    passed: secrets.total <= max,
    evidence: `${secrets.total} exposed ${noun} in its images (max ${max})${worst}`,
  };
}

/**
 * Every image the source version runs is verified by Kyverno's verifyImages rules. A
 * failed check, and an image nothing verified (no result, Kyverno could not check it,
 * a cluster unread), fail the gate, each named with its evidence.
 */
function verifiedImagesGate(signatures?: ImageSignature[]): GateResult {
  if (!signatures?.length) {
    return {
      gate: 'verified-images',
      passed: false,
      evidence: 'no image signature evidence for this version (no running image known)',
    };
  }
  const unverified = signatures.filter(s => s.status !== 'verified');
  if (!unverified.length) {
    const noun = signatures.length === 1 ? 'image' : 'images';
    return {
      gate: 'verified-images',
      passed: true,
      evidence: `${signatures.length} ${noun} verified: ${signatures.map(s => s.image).join(', ')}`,
    };
  }
  return {
    gate: 'verified-images',
    passed: false,
    evidence: unverified
      .map(s => {
        const what = s.status === 'failed' ? 'signature check failed' : 'not verified';
        return `${s.image}: ${what}${s.message ? ` (${s.message})` : ''}`;
      })
      .join('; '),
  };
}
