import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type { EnvironmentDeployment, GateResult } from '@gitops-suite/backstage-plugin-gitops-common';
import type { PromotionConfig } from '../config/gitopsConfig';
import type { PromotionStore } from '../database/PromotionStore';
import { evaluateGates, type GateEvidence } from './gates';
import type { PromotionEvidence } from './PromotionEvidence';

type Gates = PromotionConfig['gates'];

/** What gate assembly reads from: the findings and the promotion history. */
export interface PromotionGatesSources {
  evidence: PromotionEvidence;
  store: Pick<PromotionStore, 'badVersions'>;
  now: () => Date;
}

/** A request for the gates of one change to one environment. */
export interface GatesRequest {
  entity: Entity;
  /** The environment the change goes to (whose known-bad versions apply). */
  target: string;
  /** The gates to evaluate (a rollback passes them with its skips applied). */
  gates: Gates;
  /** Where the version runs now, whose evidence the gates read; none fails them closed. */
  source?: EnvironmentDeployment;
  /** The version going to `target`. */
  tag?: string;
}

/**
 * The one way promotions and rollbacks assemble their gates: the evidence the
 * configured gates need (read only when a gate needs it), evaluated, plus the
 * known-bad check of the version in the target environment.
 */
export async function assembleGates(sources: PromotionGatesSources, request: GatesRequest): Promise<GateResult[]> {
  const { entity, target, gates, source, tag } = request;
  const evidence = await readGateEvidence(sources.evidence, entity, source, gates);
  const results = evaluateGates(gates, {
    ...evidence,
    source: source ?? { name: `no environment running ${tag ?? 'this version'}`, title: '', applications: [], rollouts: [] },
    now: sources.now(),
  });
  const knownBad = await knownBadGate(sources.store, stringifyEntityRef(entity), target, tag);
  return knownBad ? [...results, knownBad] : results;
}

/** The findings the configured gates look at, from the environment the version runs in. */
export async function readGateEvidence(
  evidence: PromotionEvidence,
  entity: Entity,
  source: EnvironmentDeployment | undefined,
  gates: Gates,
): Promise<Omit<GateEvidence, 'source' | 'now'>> {
  if (!source) return {};
  const needsFindings = gates.maxCritical !== undefined || gates.maxHigh !== undefined;
  const needsPolicies = gates.maxPolicyFailures !== undefined;
  const needsSecrets = gates.maxExposedSecrets !== undefined;
  const needsSignatures = Boolean(gates.requireVerifiedImages);
  const [vulnerabilities, policies, exposedSecrets, imageSignatures] = await Promise.all([
    needsFindings ? evidence.vulnerabilities(entity, source.name) : undefined,
    needsPolicies ? evidence.policies(entity, source.name) : undefined,
    needsSecrets ? evidence.exposedSecrets(entity, source.name) : undefined,
    needsSignatures ? evidence.imageSignatures(entity, source.name) : undefined,
  ]);
  return { vulnerabilities, policies, exposedSecrets, imageSignatures };
}

/** Fails when `tag` failed in `environment` before (and was rolled back). */
export async function knownBadGate(
  store: Pick<PromotionStore, 'badVersions'>,
  entityRef: string,
  environment: string,
  tag: string | undefined,
): Promise<GateResult | undefined> {
  if (!tag) return undefined;
  const bad = (await store.badVersions(entityRef, environment)).find(b => b.tag === tag);
  if (!bad) return undefined;
  return {
    gate: 'known-bad',
    passed: false,
    evidence: `${tag} failed in ${environment} before (promotion ${bad.promotionId}${bad.reason ? `: ${bad.reason}` : ''})`,
  };
}
