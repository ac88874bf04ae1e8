/**
 * Kyverno's wildcard match (its `ext/wildcard` package, used for `imageReferences`
 * and resource names): `*` matches any run of characters, `?` exactly one, the whole
 * text.
 *
 * @public
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  const source = pattern
    .split('')
    .map(ch => {
      if (ch === '*') return '.*';
      if (ch === '?') return '.';
      return ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`).test(text);
}
