import {
  canonicalImage,
  canonicalReportImage,
  imageKey,
  sameImage,
} from './images';

describe('image references', () => {
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
    expect(imageKey('localhost:5000/app:1')).toBe('localhost:5000/app:1');
    expect(imageKey('ghcr.io/example/app:1.2.3@sha256:abc')).toBe(
      'ghcr.io/example/app:1.2.3',
    );
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
});
