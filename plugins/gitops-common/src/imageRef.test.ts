import { parseImageRef } from './imageRef';

describe('parseImageRef', () => {
  it.each([
    ['nginx', { repository: 'nginx', tag: undefined, digest: undefined }],
    ['ghcr.io/example/payments-api:1.4.2', { repository: 'ghcr.io/example/payments-api', tag: '1.4.2' }],
    ['localhost:5000/app', { repository: 'localhost:5000/app', tag: undefined }],
    ['localhost:5000/app:v1@sha256:abc', { repository: 'localhost:5000/app', tag: 'v1', digest: 'sha256:abc' }],
    ['repo/app@sha256:def', { repository: 'repo/app', tag: undefined, digest: 'sha256:def' }],
  ])('parses %s', (image, expected) => {
    expect(parseImageRef(image)).toMatchObject({ image, ...expected });
  });
});
