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
