/** An image reference split the way Trivy Operator reports it (`artifact`, `registry`). */
export interface ImageReference {
  registry: string;
  repository: string;
  tag: string;
}

/**
 * Parses `registry/repository:tag`. As with Docker, the first path segment is a
 * registry only if it looks like a host; otherwise the image is on Docker Hub.
 */
export function parseImageReference(image: string): ImageReference {
  const tagMatch = /:([^/:]+)$/.exec(image);
  const tag = tagMatch ? tagMatch[1] : 'latest';
  const name = tagMatch ? image.slice(0, tagMatch.index) : image;
  const [first, ...rest] = name.split('/');
  if (
    rest.length > 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  ) {
    return { registry: first, repository: rest.join('/'), tag };
  }
  return {
    registry: 'index.docker.io',
    repository: rest.length > 0 ? name : `library/${name}`,
    tag,
  };
}
