import {
  canonicalImage,
  sameImage,
  type CanonicalImage,
  wildcardMatch,
  type ImageSignature,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { KubeObject } from '../kubernetes/types';
import {
  KyvernoPolicies,
  policyResults,
  type KyvernoPolicy,
  type KyvernoRule,
  type PolicyReport,
} from './kyverno';
import type { PolicyResult, Workload } from './types';
import { resourceRefs, type WorkloadResources } from './workloadResources';

/**
 * The annotation Kyverno's mutating webhook writes on a resource whose images it
 * checked at admission: a JSON map of image (with the digest it resolved) to `pass`,
 * `fail` or `skip` (Kyverno before 1.10: true or false).
 */
export const VERIFY_IMAGES_ANNOTATION = 'kyverno.io/verify-images';

/** Counts of the images per status. */
export type ImageSignatureCounts = Record<ImageSignature['status'], number>;

/** One piece of evidence about one image: a verifyImages result or an admission annotation. */
interface Verdict {
  outcome: 'pass' | 'fail' | 'error';
  message: string;
  policy?: string;
  rule?: string;
}

/** A container of a reported object: the workload image it runs, and its other spellings. */
interface ReportedContainer {
  image: string;
  /** The references as written (spec, status), for image patterns. */
  references: string[];
  spellings: CanonicalImage[];
}

/**
 * The messages of Kyverno's image verifier that name the image
 * (pkg/engine/internal/imageverifier.go): `verified image signatures for <image>`,
 * `verified image attestations for <image>`, `failed to verify image <image>: <why>`
 * (a registry error: `failed to verify image <image>`), and skips.
 */
const IMAGE_IN_MESSAGE = [
  /^verified image (?:signatures|attestations) for (\S+)$/,
  /^failed to verify image (\S+?)(?::\s|$)/,
  /^skipping image reference image (\S+), policy /,
];

/** What the verifier writes when it names no image: a cache hit, a failed attestation. */
const VERIFY_IMAGES_MESSAGE =
  /^(verified from cache|image attestations verification failed|mutated image digest|failed to update digest)/;

/**
 * Whether each image of a workload is signed as Kyverno's verifyImages rules require,
 * from the PolicyReport results about the workload, its running ReplicaSets and Pods
 * (background scans and admission reports) and the `kyverno.io/verify-images`
 * annotation of its Pods. A failure on an image wins over a pass (two policies, or
 * one pod admitted before a signature was revoked); an `error` result (the registry
 * could not be reached) is no verdict; an image nothing speaks for is unknown.
 */
export function imageSignatures(options: {
  workload: Workload;
  resources: WorkloadResources;
  reports: PolicyReport[];
  policies: KyvernoPolicy[];
}): ImageSignature[] {
  const { workload, resources, reports, policies } = options;
  const images = distinctImages(workload.images);
  const verdicts = new Map<string, Verdict[]>(images.map(image => [image, []]));
  const add = (image: string, verdict: Verdict) =>
    verdicts.get(image)?.push(verdict);
  const containers = containersByObject(images, resources);
  const index = new KyvernoPolicies(policies);

  for (const result of policyResults(
    reports,
    resourceRefs(resources),
    policies,
  )) {
    const rule = index.rule(
      result.policy,
      result.rule,
      result.resource.namespace,
    );
    if (
      !isVerifyImagesResult(
        result,
        rule,
        Boolean(index.policy(result.policy, result.resource.namespace)),
      )
    )
      continue;
    if (
      result.result !== 'pass' &&
      result.result !== 'fail' &&
      result.result !== 'error'
    )
      continue;
    const on =
      containers.get(`${result.resource.kind}/${result.resource.name}`) ?? [];
    for (const image of imagesOfResult(result.message, on, rule)) {
      add(image, {
        outcome: result.result,
        message:
          result.message ?? `${result.policy}/${result.rule}: ${result.result}`,
        policy: result.policy,
        rule: result.rule,
      });
    }
  }

  for (const pod of resources.pods) {
    const on = containers.get(`Pod/${pod.metadata.name}`) ?? [];
    for (const [reference, outcome] of admissionVerdicts(pod)) {
      for (const image of imagesNamed(reference, on)) {
        add(image, {
          outcome,
          message:
            outcome === 'pass'
              ? `Kyverno verified ${reference} when it admitted Pod ${pod.metadata.name} (${VERIFY_IMAGES_ANNOTATION})`
              : `Kyverno did not verify ${reference} when it admitted Pod ${pod.metadata.name} (${VERIFY_IMAGES_ANNOTATION}: fail)`,
        });
      }
    }
  }

  return images.map(image => decide(image, verdicts.get(image) ?? []));
}

/** Counts per status. */
export function countImageSignatures(
  items: Pick<ImageSignature, 'status'>[],
): ImageSignatureCounts {
  const counts: ImageSignatureCounts = { verified: 0, failed: 0, unknown: 0 };
  for (const item of items) counts[item.status]++;
  return counts;
}

/**
 * The same image run by several workloads (or spelled twice, with and without its
 * digest) once, each with its verdicts together; the first spelling and evidence win.
 */
export function mergeImageSignatures(
  items: ImageSignature[],
): ImageSignature[] {
  const merged: ImageSignature[] = [];
  const rank = { failed: 2, unknown: 1, verified: 0 };
  for (const item of items) {
    const at = merged.findIndex(m =>
      sameImage(canonicalImage(m.image), canonicalImage(item.image)),
    );
    if (at < 0) merged.push(item);
    // Verified only where every workload running it is.
    else if (rank[item.status] > rank[merged[at].status])
      merged[at] = { ...item, image: merged[at].image };
  }
  return merged;
}

function decide(image: string, verdicts: Verdict[]): ImageSignature {
  const pick = (outcome: Verdict['outcome']) =>
    verdicts.find(v => v.outcome === outcome);
  const failed = pick('fail');
  if (failed) return signature(image, 'failed', failed);
  const passed = pick('pass');
  if (passed) return signature(image, 'verified', passed);
  const error = pick('error');
  if (error) {
    return signature(image, 'unknown', {
      ...error,
      message: `Kyverno could not check the signature: ${error.message}`,
    });
  }
  return {
    image,
    status: 'unknown',
    message: `no Kyverno verifyImages result for ${image} (no policy checks it, or not scanned yet)`,
  };
}

function signature(
  image: string,
  status: ImageSignature['status'],
  verdict: Omit<Verdict, 'outcome'>,
): ImageSignature {
  return {
    image,
    status,
    message: verdict.message,
    ...(verdict.policy ? { policy: verdict.policy } : {}),
    ...(verdict.rule ? { rule: verdict.rule } : {}),
  };
}

/**
 * A result of a verifyImages rule: its rule has verifyImages entries, or (its policy
 * unknown, e.g. deleted since) its message is one only the image verifier writes.
 */
function isVerifyImagesResult(
  result: PolicyResult,
  rule: KyvernoRule | undefined,
  policyKnown: boolean,
) {
  if (rule) return Boolean(rule.verifyImages?.length);
  if (policyKnown) return false;
  const message = result.message ?? '';
  return (
    IMAGE_IN_MESSAGE.some(pattern => pattern.test(message)) ||
    VERIFY_IMAGES_MESSAGE.test(message)
  );
}

/**
 * The workload images a result is about: the one its message names, else every
 * image of the object the rule's image references cover.
 */
function imagesOfResult(
  message: string | undefined,
  on: ReportedContainer[],
  rule: KyvernoRule | undefined,
): string[] {
  const named = imageInMessage(message ?? '');
  if (named) return imagesNamed(named, on);
  const patterns = (rule?.verifyImages ?? []).flatMap(entry => [
    ...(entry.imageReferences ?? []),
    ...(entry.image ? [entry.image] : []),
  ]);
  const covered = on.filter(
    container =>
      !patterns.length ||
      [...container.references, ...container.spellings.map(spellingText)].some(
        text => patterns.some(pattern => wildcardMatch(pattern, text)),
      ),
  );
  return distinct(covered.map(c => c.image));
}

function imageInMessage(message: string): string | undefined {
  for (const pattern of IMAGE_IN_MESSAGE) {
    const match = pattern.exec(message.trim());
    if (match) return match[1];
  }
  return undefined;
}

/** The workload images of the containers running `reference` (any spelling of it). */
function imagesNamed(reference: string, on: ReportedContainer[]): string[] {
  const wanted = canonicalImage(reference);
  return distinct(
    on
      .filter(c => c.spellings.some(s => sameImage(s, wanted)))
      .map(c => c.image),
  );
}

/** What a Pod's `kyverno.io/verify-images` annotation says, per image it names. */
function admissionVerdicts(pod: KubeObject): Array<[string, 'pass' | 'fail']> {
  const raw = pod.metadata.annotations?.[VERIFY_IMAGES_ANNOTATION];
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  return Object.entries(parsed as Record<string, unknown>).flatMap(
    ([reference, value]): Array<[string, 'pass' | 'fail']> => {
      if (value === 'pass' || value === true) return [[reference, 'pass']];
      if (value === 'fail' || value === false) return [[reference, 'fail']];
      return []; // skip: excluded from verification, no verdict
    },
  );
}

/**
 * The containers of each reported object (`Kind/name`): a Pod's with the image its
 * spec names (a digest Kyverno added included) and the one its status resolved, a
 * ReplicaSet's from its pod template, the workload's as the inventory knows them.
 * Only containers running one of the workload's images count (not injected sidecars).
 */
function containersByObject(
  images: string[],
  resources: WorkloadResources,
): Map<string, ReportedContainer[]> {
  const workloadImage = (reference: string) =>
    images.find(image =>
      sameImage(canonicalImage(image), canonicalImage(reference)),
    );
  const containersOf = (references: string[][]): ReportedContainer[] =>
    references.flatMap(spellings => {
      const image = spellings.map(workloadImage).find(Boolean);
      return image
        ? [
            {
              image,
              references: spellings,
              spellings: [...spellings, image].map(canonicalImage),
            },
          ]
        : [];
    });
  const byObject = new Map<string, ReportedContainer[]>();
  byObject.set(
    `${resources.workload.kind}/${resources.workload.name}`,
    containersOf(images.map(image => [image])),
  );
  for (const rs of resources.replicaSets) {
    const template = (rs as PodSpecHolder).spec?.template?.spec;
    byObject.set(
      `ReplicaSet/${rs.metadata.name}`,
      containersOf(specImages(template).map(image => [image])),
    );
  }
  for (const pod of resources.pods) {
    const spec = (pod as PodObject).spec;
    const statuses = (pod as PodObject).status?.containerStatuses ?? [];
    byObject.set(
      `Pod/${pod.metadata.name}`,
      containersOf(
        (spec?.containers ?? []).map(container => {
          const status = statuses.find(s => s.name === container.name);
          return [
            container.image,
            status?.image,
            runtimeImage(status?.imageID),
          ].filter((s): s is string => Boolean(s));
        }),
      ),
    );
  }
  return byObject;
}

interface ContainerSpec {
  name: string;
  image: string;
}

interface PodSpecHolder extends KubeObject {
  spec?: {
    template?: {
      spec?: { containers?: ContainerSpec[]; initContainers?: ContainerSpec[] };
    };
  };
}

interface PodObject extends KubeObject {
  spec?: { containers?: ContainerSpec[] };
  status?: {
    containerStatuses?: { name: string; image?: string; imageID?: string }[];
  };
}

function specImages(spec?: { containers?: ContainerSpec[] }): string[] {
  return (spec?.containers ?? []).map(c => c.image);
}

/** `docker-pullable://ghcr.io/a/b@sha256:...` (a container runtime's image id) as a reference. */
function runtimeImage(imageID?: string): string | undefined {
  if (!imageID) return undefined;
  const reference = imageID.replace(/^[a-z-]+:\/\//, '');
  // A bare `sha256:...` (the local image id) names no repository.
  return reference.includes('/') || reference.includes('@')
    ? reference
    : undefined;
}

function spellingText(image: CanonicalImage): string {
  return `${image.name}${image.tag ? `:${image.tag}` : ''}${
    image.digest ? `@${image.digest}` : ''
  }`;
}

function distinctImages(images: string[]): string[] {
  const out: string[] = [];
  for (const image of images) {
    if (
      !out.some(seen => sameImage(canonicalImage(seen), canonicalImage(image)))
    )
      out.push(image);
  }
  return out;
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}
