import {
  canonicalImage,
  canonicalReportImage,
  formatImage,
  imageKey,
  parseImageRef,
  sameImage,
  splitImageReference,
} from './imageRef';

describe('parseImageRef', () => {
  it.each([
    ['nginx', { repository: 'nginx', tag: undefined, digest: undefined }],
    [
      'ghcr.io/example/payments-api:1.4.2',
      { repository: 'ghcr.io/example/payments-api', tag: '1.4.2' },
    ],
    [
      'localhost:5000/app',
      { repository: 'localhost:5000/app', tag: undefined },
    ],
    [
      'localhost:5000/app:v1@sha256:abc',
      { repository: 'localhost:5000/app', tag: 'v1', digest: 'sha256:abc' },
    ],
    [
      'repo/app@sha256:def',
      { repository: 'repo/app', tag: undefined, digest: 'sha256:def' },
    ],
  ])('parses %s', (image, expected) => {
    expect(parseImageRef(image)).toMatchObject({ image, ...expected });
  });
});

describe('splitImageReference', () => {
  it.each([
    // sandbox cases (Trivy Operator's report.registry + report.artifact)
    [
      'ghcr.io/example/payments-api:1.5.0',
      { registry: 'ghcr.io', repository: 'example/payments-api', tag: '1.5.0' },
    ],
    [
      'localhost:5000/app:2',
      { registry: 'localhost:5000', repository: 'app', tag: '2' },
    ],
    [
      'nginx',
      {
        registry: 'index.docker.io',
        repository: 'library/nginx',
        tag: 'latest',
      },
    ],
    [
      'argoproj/rollouts-demo:blue',
      {
        registry: 'index.docker.io',
        repository: 'argoproj/rollouts-demo',
        tag: 'blue',
      },
    ],
    // go-containerregistry: docker.io is index.docker.io, library/ implied there only
    [
      'docker.io/nginx:1.25',
      { registry: 'index.docker.io', repository: 'library/nginx', tag: '1.25' },
    ],
    [
      'index.docker.io/library/nginx',
      {
        registry: 'index.docker.io',
        repository: 'library/nginx',
        tag: 'latest',
      },
    ],
    [
      'registry-1.docker.io/nginx',
      { registry: 'registry-1.docker.io', repository: 'nginx', tag: 'latest' },
    ],
    // localhost is a registry; other dotless first segments are Docker Hub users
    [
      'localhost/app',
      { registry: 'localhost', repository: 'app', tag: 'latest' },
    ],
    [
      'example/team/app:1',
      { registry: 'index.docker.io', repository: 'example/team/app', tag: '1' },
    ],
    [
      'registry.example.com:8443/team/app',
      {
        registry: 'registry.example.com:8443',
        repository: 'team/app',
        tag: 'latest',
      },
    ],
    // digests: no implied tag, but the tag a reference spells is kept
    [
      'ghcr.io/example/app@sha256:abc',
      { registry: 'ghcr.io', repository: 'example/app', digest: 'sha256:abc' },
    ],
    [
      'nginx:1.25@sha256:abc',
      {
        registry: 'index.docker.io',
        repository: 'library/nginx',
        tag: '1.25',
        digest: 'sha256:abc',
      },
    ],
    [
      ' ghcr.io/example/app:1 ',
      { registry: 'ghcr.io', repository: 'example/app', tag: '1' },
    ],
  ])('splits %j', (image, expected) => {
    expect(splitImageReference(image)).toEqual({
      tag: undefined,
      digest: undefined,
      ...expected,
    });
  });

  it.each([
    'nginx',
    'nginx:1.25',
    'bitnami/redis:7',
    'docker.io/library/nginx:1.25',
    'localhost:5000/app:1',
    'ghcr.io/example/app:1.2.3@sha256:abc',
    'ghcr.io/example/app@sha256:abc',
  ])('reads back as the canonical image of %j from a report', image => {
    const { registry, repository, tag, digest } = splitImageReference(image);
    expect(
      canonicalReportImage({
        registry: { server: registry },
        artifact: { repository, tag, digest },
      }),
    ).toEqual(canonicalImage(image));
  });
});

describe('canonical images', () => {
  it('resolves Docker Hub short names like a container runtime', () => {
    expect(canonicalImage('nginx')).toEqual({
      name: 'docker.io/library/nginx',
      tag: 'latest',
      digest: undefined,
    });
    expect(imageKey('bitnami/redis:7')).toBe('docker.io/bitnami/redis:7');
    expect(imageKey('index.docker.io/library/nginx:1.25')).toBe(
      'docker.io/library/nginx:1.25',
    );
    expect(imageKey('registry-1.docker.io/nginx')).toBe(
      'docker.io/library/nginx:latest',
    );
    expect(imageKey('localhost:5000/app:1')).toBe('localhost:5000/app:1');
    expect(imageKey('localhost/app')).toBe('localhost/app:latest');
    expect(imageKey('ghcr.io/example/app:1.2.3@sha256:abc')).toBe(
      'ghcr.io/example/app:1.2.3',
    );
    expect(imageKey('ghcr.io/example/app@sha256:abc')).toBe(
      'ghcr.io/example/app',
    );
  });

  it('reads Trivy Operator reports', () => {
    expect(
      canonicalReportImage({
        registry: { server: 'index.docker.io' },
        artifact: { repository: 'library/nginx', tag: '1.25' },
      }),
    ).toEqual({
      name: 'docker.io/library/nginx',
      tag: '1.25',
      digest: undefined,
    });
    expect(
      canonicalReportImage({
        artifact: {
          repository: 'ghcr.io/example/app',
          tag: '',
          digest: 'sha256:a',
        },
      }),
    ).toEqual({
      name: 'ghcr.io/example/app',
      tag: undefined,
      digest: 'sha256:a',
    });
  });

  it('compares by digest when both sides know it, else by tag', () => {
    const report = canonicalReportImage({
      registry: { server: 'ghcr.io' },
      artifact: { repository: 'example/app', tag: '1.0', digest: 'sha256:aaa' },
    });
    expect(sameImage(canonicalImage('ghcr.io/example/app:1.0'), report)).toBe(
      true,
    );
    expect(
      sameImage(canonicalImage('ghcr.io/example/app:1.0@sha256:aaa'), report),
    ).toBe(true);
    expect(
      sameImage(canonicalImage('ghcr.io/example/app:1.0@sha256:bbb'), report),
    ).toBe(false);
    expect(
      sameImage(canonicalImage('ghcr.io/example/app@sha256:aaa'), report),
    ).toBe(true);
    expect(sameImage(canonicalImage('ghcr.io/example/app:1.1'), report)).toBe(
      false,
    );
    expect(sameImage(canonicalImage('ghcr.io/other/app:1.0'), report)).toBe(
      false,
    );
  });

  it('formats for display', () => {
    expect(formatImage(canonicalImage('nginx:1.25'))).toBe(
      'docker.io/library/nginx:1.25',
    );
    expect(formatImage(canonicalImage('ghcr.io/a/b@sha256:abc'))).toBe(
      'ghcr.io/a/b@sha256:abc',
    );
    expect(formatImage({ name: 'ghcr.io/a/b' })).toBe('ghcr.io/a/b');
  });
});
