import { compareVersionTags } from './versionOrder';

describe('compareVersionTags', () => {
  it.each([
    ['1.4.2', '1.5.0', -1],
    ['1.10.0', '1.9.9', 1],
    ['v2.0.0', '2.0.0', 0],
    ['2.0.0-rc.1', '2.0.0', -1],
    ['2.0.0-rc.10', '2.0.0-rc.9', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersionTags(a, b)!)).toBe(sign);
  });

  it('cannot order tags that are not versions', () => {
    expect(compareVersionTags('3f2a1bc', '1.0.0')).toBeUndefined();
    expect(compareVersionTags('latest', 'latest')).toBeUndefined();
  });
});
