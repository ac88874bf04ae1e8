import type { ImageVersion } from './api';

/**
 * Splits an image reference into repository, tag and digest
 * (`ghcr.io/org/app:1.2.3@sha256:...`). A port in the registry host
 * (`localhost:5000/app`) is not mistaken for a tag.
 *
 * @public
 */
export function parseImageRef(image: string): ImageVersion {
  const [nameAndTag, digest] = image.split('@', 2);
  const lastSlash = nameAndTag.lastIndexOf('/');
  const lastColon = nameAndTag.lastIndexOf(':');
  const hasTag = lastColon > lastSlash;
  return {
    image,
    repository: hasTag ? nameAndTag.slice(0, lastColon) : nameAndTag,
    tag: hasTag ? nameAndTag.slice(lastColon + 1) : undefined,
    digest: digest || undefined,
  };
}

/**
 * An image reference in one spelling, the way container runtimes resolve it:
 * `docker.io/library/nginx` + `latest` for `nginx`.
 *
 * @public
 */
export interface CanonicalImage {
  /** `registry/repository`, Docker Hub as `docker.io`. */
  name: string;
  /** The tag; `latest` when the reference has neither tag nor digest. */
  tag?: string;
  /** The content digest (`sha256:...`), when the reference has one. */
  digest?: string;
}

/**
 * An image reference split into registry, repository, tag and digest the way Trivy
 * Operator reports an image (`report.registry.server`, `report.artifact`), through
 * go-containerregistry's `name.ParseReference`: Docker Hub is `index.docker.io`, with
 * `library/` before single-segment repositories.
 *
 * @public
 */
export interface RegistryImageReference {
  /** `ghcr.io`, `localhost:5000`; `index.docker.io` for Docker Hub. */
  registry: string;
  /** The repository within the registry: `example/app`, `library/nginx`. */
  repository: string;
  /** The tag; `latest` when the reference has neither tag nor digest. */
  tag?: string;
  /** The content digest (`sha256:...`), when the reference has one. */
  digest?: string;
}

/**
 * The image fields of a Trivy Operator report (VulnerabilityReport and the like).
 *
 * @public
 */
export interface ImageReportFields {
  /** `report.registry`: the registry host the image was pulled from. */
  registry?: { server?: string };
  /** `report.artifact`: the image's repository, tag and digest. */
  artifact?: { repository?: string; tag?: string; digest?: string };
}

const DOCKER_HUB_REGISTRY = 'index.docker.io';
const DOCKER_HUB_NAMES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);

/**
 * Splits `name` into registry and path. As with Docker, the first path segment is a
 * registry only if it has a `.` or `:` or is `localhost`; otherwise the image is on
 * Docker Hub.
 */
function splitRegistry(name: string): { registry?: string; path: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { path: name };
  const first = name.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    return { registry: first, path: name.slice(slash + 1) };
  }
  return { path: name };
}

/**
 * Splits an image reference into registry, repository, tag and digest as Trivy
 * Operator reports it (`nginx` is `index.docker.io` + `library/nginx` + `latest`,
 * `docker.io/x` is on `index.docker.io`, `localhost:5000/app:2` is on
 * `localhost:5000`). A reference with a digest has the tag it spells, if any.
 *
 * @public
 */
export function splitImageReference(image: string): RegistryImageReference {
  const { repository: name, tag, digest } = parseImageRef(image.trim());
  const { registry, path } = splitRegistry(name);
  const server =
    !registry || registry === 'docker.io' ? DOCKER_HUB_REGISTRY : registry;
  return {
    registry: server,
    repository:
      server === DOCKER_HUB_REGISTRY && !path.includes('/')
        ? `library/${path}`
        : path,
    tag: tag ?? (digest ? undefined : 'latest'),
    digest,
  };
}

/**
 * Canonicalises an image reference the way container runtimes resolve it, so that
 * `nginx:1.25` in a pod spec matches Trivy Operator's `index.docker.io` +
 * `library/nginx`, and an untagged reference means `:latest`.
 *
 * @public
 */
export function canonicalImage(reference: string): CanonicalImage {
  const { repository, tag, digest } = parseImageRef(reference.trim());
  return {
    name: canonicalName(repository),
    tag: tag ?? (digest ? undefined : 'latest'),
    digest,
  };
}

/**
 * The image a Trivy Operator report is for (`report.registry` + `report.artifact`),
 * in the form of {@link canonicalImage}.
 *
 * @public
 */
export function canonicalReportImage(
  report: ImageReportFields,
): CanonicalImage {
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
 *
 * @public
 */
export function sameImage(a: CanonicalImage, b: CanonicalImage): boolean {
  if (a.name !== b.name) return false;
  if (a.digest && b.digest) return a.digest === b.digest;
  return Boolean(a.tag) && a.tag === b.tag;
}

/**
 * `registry/repository:tag` of {@link canonicalImage} (no digest), the key CI scans
 * are stored and looked up by.
 *
 * @public
 */
export function imageKey(reference: string): string {
  const image = canonicalImage(reference);
  return image.tag ? `${image.name}:${image.tag}` : image.name;
}

/**
 * Display form of a canonical image: `registry/repository:tag` (or `@digest`).
 *
 * @public
 */
export function formatImage(image: CanonicalImage): string {
  if (image.tag) return `${image.name}:${image.tag}`;
  return image.digest ? `${image.name}@${image.digest}` : image.name;
}

/** `docker.io/library/nginx` for `nginx`, `index.docker.io/library/nginx` and the like. */
function canonicalName(repository: string): string {
  const { registry, path } = splitRegistry(repository);
  if (registry && !DOCKER_HUB_NAMES.has(registry)) return repository;
  return `docker.io/${path.includes('/') ? path : `library/${path}`}`;
}
