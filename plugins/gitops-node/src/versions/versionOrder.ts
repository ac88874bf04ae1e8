import semver from 'semver';

/**
 * Orders two image tags when both are semantic versions (`1.4.2`, `v2.0.0-rc.1`):
 * negative when `a` is older, positive when newer, 0 when equal (build metadata
 * ignored, a pre-release older than its release, as SemVer 2.0 orders them);
 * undefined when either is not a version (a commit SHA, `latest`), since then no
 * order can be known.
 *
 * @public
 */
export function compareVersionTags(a: string, b: string): number | undefined {
  const left = semver.parse(a);
  const right = semver.parse(b);
  if (!left || !right) return undefined;
  return left.compare(right);
}
