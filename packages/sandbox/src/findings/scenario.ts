import { promises as fs } from 'node:fs';
import { parse } from 'yaml';
import { isPlainObject } from '../mergePatch';
import {
  MEASUREMENT_PHASES,
  type MeasurementPhase,
  type MetricScript,
} from '../rollouts/analysis';

/**
 * The findings scenario: which vulnerabilities and secrets the (simulated) Trivy
 * Operator finds in each image, which of its config audit checks and which Kyverno
 * policy rules each image's workloads fail, and whether the image is signed (for
 * Kyverno's verifyImages rules). The findings are scripted per image, not computed
 * from the objects.
 */

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One entry of a VulnerabilityReport's `report.vulnerabilities`. */
export interface Vulnerability {
  vulnerabilityID: string;
  resource: string;
  installedVersion: string;
  fixedVersion?: string;
  severity: Severity;
  title: string;
  primaryLink?: string;
  score?: number;
  target?: string;
  links?: string[];
}

export interface PolicyFailure {
  policy: string;
  rule: string;
  /** Where in the pod spec validation fails, e.g. `containers/0/livenessProbe/`. */
  path?: string;
}

/** One entry of an ExposedSecretReport's `report.secrets`: a secret Trivy found in the image. */
export interface ExposedSecret {
  ruleID: string;
  category: string;
  severity: Severity;
  title: string;
  /** The file in the image. */
  target: string;
  /** The matching line, redacted as Trivy does (`*****`). */
  match: string;
}

/** A failing check of a ConfigAuditReport's `report.checks` (Trivy's KSV checks). */
export interface ConfigCheckFailure {
  checkID: string;
  severity: Exclude<Severity, 'UNKNOWN'>;
  title: string;
  description?: string;
  category?: string;
  remediation?: string;
  /** The finding, as Trivy words it; `{container}` and `{replicaSet}` are filled in. */
  message?: string;
}

export interface ImageFindings {
  vulnerabilities: Vulnerability[];
  policyFailures: PolicyFailure[];
  /** What Trivy Operator's secret scanner finds in the image. */
  exposedSecrets: ExposedSecret[];
  /** The config audit checks the pods running the image fail. */
  configAuditFailures: ConfigCheckFailure[];
  /**
   * Whether CI signed the image (cosign, keyless from GitHub Actions): the
   * verifyImages rules that cover it pass on it, else fail (no signatures found).
   */
  signed: boolean;
}

export interface PolicyRule {
  name: string;
  match?: {
    any?: Array<{ resources?: { kinds?: string[] } }>;
    resources?: { kinds?: string[] };
  };
  validate?: { failureAction?: 'Enforce' | 'Audit'; message?: string };
  /** Image signature checks: a rule has these instead of `validate`. */
  verifyImages?: VerifyImagesEntry[];
}

/** One entry of a Kyverno `verifyImages` rule, served as written; the fields the sandbox reads. */
export interface VerifyImagesEntry {
  /** Kyverno wildcards (`*`, `?`) on the images the entry checks. */
  imageReferences: string[];
  skipImageReferences?: string[];
  failureAction: 'Enforce' | 'Audit';
  /** Who must have signed (keyless subject and issuer, keys...): served, not checked. */
  attestors?: unknown[];
  [key: string]: unknown;
}

/** A Kyverno `kyverno.io/v1` ClusterPolicy, served as written in the scenario. */
export interface ClusterPolicy {
  apiVersion: string;
  kind: 'ClusterPolicy';
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { rules: PolicyRule[]; [key: string]: unknown };
}

export interface Scanner {
  name: string;
  vendor: string;
  version: string;
}

/**
 * An image whose containers exit right after they start, so their pods never become
 * ready (CrashLoopBackOff): the Rollout stalls, then times out or aborts.
 */
export interface PodFailure {
  /** `repository:tag`, or `repository:*` for every tag. */
  image: string;
  /** Only in these namespaces (e.g. one environment's); everywhere when omitted. */
  namespaces?: string[];
  /** The container's exit code. Default 1. */
  exitCode?: number;
}

/** The Argo CD resource hook phases a scenario can script (`argocd.argoproj.io/hook`). */
export const SYNC_HOOK_TYPES = ['PreSync', 'Sync', 'PostSync'] as const;
export type SyncHookType = (typeof SYNC_HOOK_TYPES)[number];

/**
 * A resource hook in an Application's manifests (as a chart's smoke-test Job with
 * `argocd.argoproj.io/hook: PostSync`): every sync of that Application runs it, and it
 * fails for the images listed in `failsFor`, else succeeds.
 */
export interface SyncHook {
  /** The Argo CD Application whose manifests carry the hook. */
  application: string;
  /** The hook resource: a `batch/v1` Job (default) or a `v1` Pod. */
  kind: 'Job' | 'Pod';
  name: string;
  hook: SyncHookType;
  /** How long the hook runs (scaled by the sandbox's time scale). Default 3. */
  durationSeconds: number;
  /** `repository:tag` or `repository:*`: the versions the hook fails for. */
  failsFor: string[];
  /** The failed hook's message. Default: what Kubernetes says of a Job past its backoff limit. */
  message?: string;
}

/**
 * The measurements a metric of the AnalysisRuns of a Rollout reports while its canary
 * runs `image`: one value per measurement (the last repeats), whose phase follows from
 * the metric's successCondition/failureCondition unless `phase` says otherwise.
 */
export interface AnalysisRunScript extends MetricScript {
  /** `repository:tag`, or `repository:*` for every tag. */
  image: string;
  /** The metric's `name` in the AnalysisTemplate. */
  metric: string;
}

export interface Scenario {
  scanner: Scanner;
  clusterPolicies: ClusterPolicy[];
  /** Keyed by `repository:tag`, `repository:*` or `*`. */
  images: Record<string, ImageFindings>;
  podFailures: PodFailure[];
  syncHooks: SyncHook[];
  analysisRuns: AnalysisRunScript[];
}

const DEFAULT_SCANNER: Scanner = {
  name: 'Trivy',
  vendor: 'Aqua Security',
  version: '0.35.0',
};
const NO_FINDINGS: ImageFindings = {
  vulnerabilities: [],
  policyFailures: [],
  exposedSecrets: [],
  configAuditFailures: [],
  signed: false,
};

export async function loadScenario(file: string): Promise<Scenario> {
  return parseScenario(await fs.readFile(file, 'utf8'), file);
}

export function parseScenario(text: string, source: string): Scenario {
  const document = parse(text);
  const fail = (message: string): never => {
    throw new Error(`invalid scenario ${source}: ${message}`);
  };
  if (!isPlainObject(document)) fail('expected a mapping');
  const clusterPolicies = (document.clusterPolicies ?? []) as ClusterPolicy[];
  if (!Array.isArray(clusterPolicies)) fail('clusterPolicies must be a list');
  clusterPolicies.forEach((policy, i) =>
    checkPolicy(policy, `clusterPolicies[${i}]`, fail),
  );
  const images = (document.images ?? {}) as Record<
    string,
    Partial<ImageFindings>
  >;
  if (!isPlainObject(images)) fail('images must be a mapping');
  const normalized: Record<string, ImageFindings> = {};
  for (const [image, findings] of Object.entries(images)) {
    normalized[image] = {
      vulnerabilities: findings?.vulnerabilities ?? [],
      policyFailures: findings?.policyFailures ?? [],
      exposedSecrets: findings?.exposedSecrets ?? [],
      configAuditFailures: findings?.configAuditFailures ?? [],
      signed: findings?.signed ?? false,
    };
    if (typeof normalized[image].signed !== 'boolean') {
      fail(`images["${image}"].signed must be true or false`);
    }
    checkFindings(
      normalized[image],
      clusterPolicies,
      `images["${image}"]`,
      fail,
    );
  }
  const podFailures = (document.podFailures ?? []) as PodFailure[];
  if (!Array.isArray(podFailures)) fail('podFailures must be a list');
  podFailures.forEach((failure, i) => {
    if (typeof failure?.image !== 'string' || !/:[^/:]+$/.test(failure.image)) {
      fail(`podFailures[${i}].image must be repository:tag or repository:*`);
    }
    if (
      failure.namespaces !== undefined &&
      (!Array.isArray(failure.namespaces) ||
        !failure.namespaces.every(n => typeof n === 'string'))
    ) {
      fail(`podFailures[${i}].namespaces must be a list of namespaces`);
    }
    if (failure.exitCode !== undefined && !Number.isInteger(failure.exitCode)) {
      fail(`podFailures[${i}].exitCode must be an integer`);
    }
  });
  return {
    scanner: { ...DEFAULT_SCANNER, ...(document.scanner as Partial<Scanner>) },
    clusterPolicies,
    images: normalized,
    podFailures,
    syncHooks: parseSyncHooks(document.syncHooks, fail),
    analysisRuns: parseAnalysisRuns(document.analysisRuns, fail),
  };
}

function parseAnalysisRuns(
  value: unknown,
  fail: (m: string) => never,
): AnalysisRunScript[] {
  const entries = (value ?? []) as Array<Partial<AnalysisRunScript>>;
  if (!Array.isArray(entries)) fail('analysisRuns must be a list');
  const isPhase = (phase: unknown) =>
    MEASUREMENT_PHASES.includes(phase as MeasurementPhase);
  return entries.map((entry, i) => {
    const at = `analysisRuns[${i}]`;
    if (!isPlainObject(entry)) fail(`${at} must be a mapping`);
    if (typeof entry.image !== 'string' || !/:[^/:]+$/.test(entry.image)) {
      fail(`${at}.image must be repository:tag or repository:*`);
    }
    if (typeof entry.metric !== 'string' || !entry.metric) {
      fail(`${at}.metric must name a metric of an AnalysisTemplate`);
    }
    const values = entry.values;
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      !values.every(v => typeof v === 'number' || typeof v === 'string')
    ) {
      fail(`${at}.values must be a non-empty list of numbers or strings`);
    }
    const { phase } = entry;
    if (
      phase !== undefined &&
      !isPhase(phase) &&
      !(Array.isArray(phase) && phase.every(p => p === null || isPhase(p)))
    ) {
      fail(
        `${at}.phase must be one of ${MEASUREMENT_PHASES.join(
          ', ',
        )}, or a list of them (null: from the metric's conditions)`,
      );
    }
    const { intervalSeconds } = entry;
    if (
      intervalSeconds !== undefined &&
      (typeof intervalSeconds !== 'number' || !(intervalSeconds > 0))
    ) {
      fail(`${at}.intervalSeconds must be a positive number of seconds`);
    }
    return {
      image: entry.image!,
      metric: entry.metric!,
      values: values!,
      ...(phase !== undefined ? { phase } : {}),
      ...(intervalSeconds !== undefined ? { intervalSeconds } : {}),
    };
  });
}

/**
 * The script of `metric` for canary pods running `images`: an entry for one of the
 * images' `repository:tag` first, then for its `repository:*`.
 */
export function analysisScriptFor(
  scenario: Pick<Scenario, 'analysisRuns'>,
  images: string[],
  metric: string,
): AnalysisRunScript | undefined {
  const entries = scenario.analysisRuns.filter(e => e.metric === metric);
  const wildcards = images.map(image => `${image.replace(/:[^/:]+$/, '')}:*`);
  return (
    entries.find(entry => images.includes(entry.image)) ??
    entries.find(entry => wildcards.includes(entry.image))
  );
}

function parseSyncHooks(
  value: unknown,
  fail: (m: string) => never,
): SyncHook[] {
  const hooks = (value ?? []) as Array<Partial<SyncHook>>;
  if (!Array.isArray(hooks)) fail('syncHooks must be a list');
  return hooks.map((hook, i) => {
    const at = `syncHooks[${i}]`;
    if (!isPlainObject(hook)) fail(`${at} must be a mapping`);
    if (typeof hook.application !== 'string' || !hook.application) {
      fail(`${at}.application must name an Argo CD Application`);
    }
    if (
      typeof hook.name !== 'string' ||
      !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(hook.name)
    ) {
      fail(`${at}.name must be a Kubernetes object name`);
    }
    const kind = hook.kind ?? 'Job';
    if (kind !== 'Job' && kind !== 'Pod') fail(`${at}.kind must be Job or Pod`);
    if (!SYNC_HOOK_TYPES.includes(hook.hook as SyncHookType)) {
      fail(`${at}.hook must be one of ${SYNC_HOOK_TYPES.join(', ')}`);
    }
    const durationSeconds = hook.durationSeconds ?? 3;
    if (typeof durationSeconds !== 'number' || durationSeconds < 0) {
      fail(`${at}.durationSeconds must be a number of seconds`);
    }
    const failsFor = hook.failsFor ?? [];
    if (
      !Array.isArray(failsFor) ||
      !failsFor.every(
        image => typeof image === 'string' && /:[^/:]+$/.test(image),
      )
    ) {
      fail(`${at}.failsFor must be a list of repository:tag or repository:*`);
    }
    if (hook.message !== undefined && typeof hook.message !== 'string') {
      fail(`${at}.message must be text`);
    }
    return {
      application: hook.application!,
      kind,
      name: hook.name!,
      hook: hook.hook!,
      durationSeconds,
      failsFor,
      ...(hook.message ? { message: hook.message } : {}),
    };
  });
}

/** The hooks of `application` (in scenario order). */
export function syncHooksOf(
  scenario: Pick<Scenario, 'syncHooks'>,
  application: string,
): SyncHook[] {
  return scenario.syncHooks.filter(hook => hook.application === application);
}

/** Whether `hook` fails when the sync deploys `image` (`repository:tag`). */
export function hookFailsFor(hook: SyncHook, image: string): boolean {
  const repository = image.replace(/:[^/:]+$/, '');
  return hook.failsFor.some(
    entry => entry === image || entry === `${repository}:*`,
  );
}

/** The failure scripted for pods running `image` in `namespace`, if any. */
export function podFailureFor(
  scenario: Pick<Scenario, 'podFailures'>,
  image: string,
  namespace: string,
): PodFailure | undefined {
  const repository = image.replace(/:[^/:]+$/, '');
  return scenario.podFailures.find(
    failure =>
      (failure.image === image || failure.image === `${repository}:*`) &&
      (!failure.namespaces || failure.namespaces.includes(namespace)),
  );
}

/** The most specific entry: `repository:tag`, then `repository:*`, then `*`. */
export function findingsForImage(
  scenario: Scenario,
  image: string,
): ImageFindings {
  const repository = image.replace(/:[^/:]+$/, '');
  return (
    scenario.images[image] ??
    scenario.images[`${repository}:*`] ??
    scenario.images['*'] ??
    NO_FINDINGS
  );
}

function checkPolicy(
  policy: ClusterPolicy,
  where: string,
  fail: (m: string) => never,
) {
  if (
    policy?.kind !== 'ClusterPolicy' ||
    typeof policy.metadata?.name !== 'string'
  ) {
    fail(`${where} must be a ClusterPolicy with metadata.name`);
  }
  if (!Array.isArray(policy.spec?.rules) || policy.spec.rules.length === 0) {
    fail(`${where}.spec.rules must not be empty`);
  }
  for (const rule of policy.spec.rules) {
    if (rule.verifyImages !== undefined) {
      checkVerifyImages(rule, where, fail);
      continue;
    }
    const action = rule.validate?.failureAction;
    if (action !== 'Enforce' && action !== 'Audit') {
      fail(
        `${where} rule ${rule.name}: validate.failureAction must be Enforce or Audit`,
      );
    }
  }
}

function checkVerifyImages(
  rule: PolicyRule,
  where: string,
  fail: (m: string) => never,
) {
  const entries = rule.verifyImages;
  if (!Array.isArray(entries) || entries.length === 0) {
    fail(`${where} rule ${rule.name}: verifyImages must not be empty`);
  }
  entries!.forEach((entry, i) => {
    const at = `${where} rule ${rule.name} verifyImages[${i}]`;
    const references = entry?.imageReferences;
    if (
      !Array.isArray(references) ||
      !references.length ||
      !references.every(r => typeof r === 'string')
    ) {
      fail(`${at}: imageReferences must be a list of image patterns`);
    }
    if (entry.failureAction !== 'Enforce' && entry.failureAction !== 'Audit') {
      fail(`${at}: failureAction must be Enforce or Audit`);
    }
  });
}

function checkFindings(
  findings: ImageFindings,
  policies: ClusterPolicy[],
  where: string,
  fail: (m: string) => never,
) {
  for (const vulnerability of findings.vulnerabilities) {
    if (
      typeof vulnerability.vulnerabilityID !== 'string' ||
      !SEVERITIES.includes(vulnerability.severity)
    ) {
      fail(
        `${where}: each vulnerability needs a vulnerabilityID and a severity in ${SEVERITIES.join(
          ', ',
        )}`,
      );
    }
  }
  findings.exposedSecrets.forEach((secret, i) => {
    const missing = (
      ['ruleID', 'category', 'title', 'target', 'match'] as const
    ).filter(field => typeof secret?.[field] !== 'string');
    if (missing.length || !SEVERITIES.includes(secret.severity)) {
      fail(
        `${where}.exposedSecrets[${i}]: needs ruleID, category, title, target, match and a severity in ${SEVERITIES.join(
          ', ',
        )}`,
      );
    }
  });
  findings.configAuditFailures.forEach((check, i) => {
    if (
      typeof check?.checkID !== 'string' ||
      typeof check.title !== 'string' ||
      !SEVERITIES.slice(0, 4).includes(check.severity)
    ) {
      fail(
        `${where}.configAuditFailures[${i}]: needs a checkID, a title and a severity in ${SEVERITIES.slice(
          0,
          4,
        ).join(', ')}`,
      );
    }
  });
  for (const failure of findings.policyFailures) {
    const policy = policies.find(p => p.metadata.name === failure.policy);
    if (!policy?.spec.rules.some(rule => rule.name === failure.rule)) {
      fail(
        `${where}: policy failure ${failure.policy}/${failure.rule} names no rule of clusterPolicies`,
      );
    }
  }
}
