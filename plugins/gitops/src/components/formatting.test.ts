import { commitUrl, shortRevision } from './formatting';

describe('formatting', () => {
  it('links commits of https repositories only', () => {
    const sha = 'abcdef1234567890abcdef1234567890abcdef12';
    expect(commitUrl('https://github.com/acme/gitops.git', sha)).toBe(`https://github.com/acme/gitops/commit/${sha}`);
    expect(commitUrl('file:///srv/gitops.git', sha)).toBeUndefined();
    expect(commitUrl('https://github.com/acme/gitops', 'HEAD')).toBeUndefined();
    expect(shortRevision(sha)).toBe('abcdef1');
  });
});
