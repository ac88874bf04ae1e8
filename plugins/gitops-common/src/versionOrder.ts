const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Orders two image tags when both are semantic versions (`1.4.2`, `v2.0.0-rc.1`):
 * negative when `a` is older, positive when newer, 0 when equal; undefined when either
 * is not a version (a commit SHA, `latest`), since then no order can be known.
 *
 * @public
 */
export function compareVersionTags(a: string, b: string): number | undefined {
  const left = SEMVER.exec(a);
  const right = SEMVER.exec(b);
  if (!left || !right) return undefined;
  for (let i = 1; i <= 3; i++) {
    const diff = Number(left[i]) - Number(right[i]);
    if (diff) return diff;
  }
  // A pre-release is older than its release.
  if (left[4] === right[4]) return 0;
  if (!left[4]) return 1;
  if (!right[4]) return -1;
  return left[4].localeCompare(right[4], undefined, { numeric: true });
}
