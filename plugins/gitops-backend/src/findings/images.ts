import { parseImageRef } from '@gitops-suite/backstage-plugin-gitops-common';

/** An image reference in one spelling: `docker.io/library/nginx` for `nginx`. */
export interface CanonicalImage {
  /** registry/repository */
  name: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);

/**
 * Canonicalises an image reference the way container runtimes resolve it, so that
 * `nginx:1.25` in a pod spec matches Trivy Operator's `index.docker.io` +
 * `library/nginx`, and an untagged reference means `:latest`.
 */
export function canonicalImage(reference: string): CanonicalImage {
  const { repository, tag, digest } = parseImageRef(reference.trim());
  return {
    name: canonicalName(repository),
    tag: tag ?? (digest ? undefined : 'latest'),
    digest,
  };
}

/** The image a Trivy Operator report is for (`report.registry` + `report.artifact`). */
export function canonicalReportImage(report: {
  registry?: { server?: string };
  artifact?: { repository?: string; tag?: string; digest?: string };
}): CanonicalImage {
  const server = report.registry?.server;
  const repository = report.artifact?.repository ?? '';
  return {
    name: canonicalName(server ? `${server}/${repository}` : repository),
    tag: report.artifact?.tag || undefined,
    digest: report.artifact?.digest || undefined,
  };
}

/**
 * Same image: by digest when both know it (a tag can be re-pushed), else by tag.
 */
export function sameImage(a: CanonicalImage, b: CanonicalImage): boolean {
  if (a.name !== b.name) return false;
  if (a.digest && b.digest) return a.digest === b.digest;
  return Boolean(a.tag) && a.tag === b.tag;
}

/** `registry/repository:tag`, the key CI scans are stored and looked up by. */
export function imageKey(reference: string): string {
  const image = canonicalImage(reference);
  return image.tag ? `${image.name}:${image.tag}` : image.name;
}

/** Display form: `registry/repository:tag` (or `@digest`). */
export function formatImage(image: CanonicalImage): string {
  if (image.tag) return `${image.name}:${image.tag}`;
  return image.digest ? `${image.name}@${image.digest}` : image.name;
}

function canonicalName(repository: string): string {
  const [first, ...rest] = repository.split('/');
  const hasRegistry =
    rest.length > 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry && !DOCKER_HUB.has(first)) return repository;
  const path = hasRegistry ? rest.join('/') : repository;
  return `docker.io/${path.includes('/') ? path : `library/${path}`}`;
}
