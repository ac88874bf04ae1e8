import { wildcardMatch } from '@gitops-suite/backstage-plugin-gitops-common';
import { containersOf, KubeObject } from '../kubeTypes';
import {
  ClusterPolicy,
  findingsForImage,
  PolicyRule,
  Scenario,
  VerifyImagesEntry,
} from './scenario';

/**
 * The annotation Kyverno's mutating webhook writes on a resource whose images it
 * checked at admission: JSON of image to `pass` or `fail`
 * (pkg/engine/api/imageverificationmetadata.go).
 */
export const VERIFY_IMAGES_ANNOTATION = 'kyverno.io/verify-images';

/**
 * The image as Kyverno's `ImageInfo.String()` writes it into messages and the
 * annotation: `registry/path:tag` (`docker.io` added for Docker Hub, `latest` when
 * untagged), `registry/path@digest` when the reference has a digest.
 */
export function kyvernoImage(image: string): string {
  const [nameAndTag, digest] = image.split('@', 2);
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const name = colon > slash ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : 'latest';
  const first = name.split('/')[0];
  const hasRegistry =
    name.includes('/') &&
    (first.includes('.') || first.includes(':') || first === 'localhost');
  const full = hasRegistry ? name : `docker.io/${name}`;
  return digest ? `${full}@${digest}` : `${full}:${tag}`;
}

/** The rule's entry that checks this image: its references match, its skips do not. */
function entryFor(
  rule: PolicyRule,
  image: string,
): VerifyImagesEntry | undefined {
  const reference = kyvernoImage(image);
  return rule.verifyImages?.find(
    entry =>
      entry.imageReferences.some(pattern =>
        wildcardMatch(pattern, reference),
      ) &&
      !(entry.skipImageReferences ?? []).some(pattern =>
        wildcardMatch(pattern, reference),
      ),
  );
}

/**
 * The results of a verifyImages rule on one resource (a Pod, or through autogen its
 * ReplicaSet), one per image the rule checks, with the messages of Kyverno's image
 * verifier (pkg/engine/internal/imageverifier.go): a signed image passes, an unsigned
 * one fails as cosign finds no signature for the keyless attestor.
 */
export function verifyImagesResults(
  resource: KubeObject,
  policy: ClusterPolicy,
  rule: PolicyRule,
  ruleName: string,
  scenario: Scenario,
) {
  const annotations = policy.metadata.annotations ?? {};
  const category = annotations['policies.kyverno.io/category'];
  const severity = annotations['policies.kyverno.io/severity'];
  return containersOf(resource)
    .filter(container => entryFor(rule, container.image))
    .map(container => {
      const image = kyvernoImage(container.image);
      const { signed } = findingsForImage(scenario, container.image);
      return {
        ...(category ? { category } : {}),
        message: signed
          ? `verified image signatures for ${image}`
          : `failed to verify image ${image}: .attestors[0].entries[0].keyless: no signatures found`,
        policy: policy.metadata.name,
        result: signed ? 'pass' : 'fail',
        rule: ruleName,
        scored: true,
        ...(severity ? { severity } : {}),
        source: 'kyverno',
        timestamp: {
          nanos: 0,
          seconds: Math.floor(
            Date.parse(resource.metadata.creationTimestamp) / 1000,
          ),
        },
      };
    });
}

/**
 * A Pod as Kyverno's mutating webhook admitted it: annotated with the verdict on each
 * image a verifyImages rule of a ClusterPolicy checked (`pass` or `fail`; an Audit
 * rule admits a failing pod). The policies are there before any pod is, so every pod
 * went through admission. Images are not rewritten to digests: the sandbox's
 * policies set `mutateDigest: false` (its registry has no digests to resolve).
 */
export function admittedPod<T extends KubeObject>(
  pod: T,
  scenario: Scenario,
): T {
  const verdicts: Record<string, 'pass' | 'fail'> = {};
  for (const policy of scenario.clusterPolicies) {
    for (const rule of policy.spec.rules) {
      if (!rule.verifyImages?.length || !matchesPods(rule)) continue;
      for (const container of containersOf(pod)) {
        if (!entryFor(rule, container.image)) continue;
        const image = kyvernoImage(container.image);
        const { signed } = findingsForImage(scenario, container.image);
        // One failing rule fails the image.
        if (verdicts[image] !== 'fail')
          verdicts[image] = signed ? 'pass' : 'fail';
      }
    }
  }
  if (!Object.keys(verdicts).length) return pod;
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      annotations: {
        ...pod.metadata.annotations,
        [VERIFY_IMAGES_ANNOTATION]: JSON.stringify(verdicts),
      },
    },
  };
}

function matchesPods(rule: PolicyRule): boolean {
  return [
    ...(rule.match?.resources?.kinds ?? []),
    ...(rule.match?.any ?? []).flatMap(filter => filter.resources?.kinds ?? []),
  ].some(kind => kind.split('/').at(-1) === 'Pod');
}
