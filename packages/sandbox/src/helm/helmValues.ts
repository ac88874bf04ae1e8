import { isPlainObject } from '../mergePatch';

export type Values = Record<string, unknown>;

/**
 * Helm's coalescing of values (pkg/chartutil/coalesce.go): maps merge key by key,
 * anything else in `override` replaces what `base` has, and a null deletes the key.
 */
export function mergeValues(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) {
      delete merged[key];
    } else if (isPlainObject(value) && isPlainObject(merged[key])) {
      merged[key] = mergeValues(merged[key] as Values, value as Values);
    } else {
      merged[key] = structuredClone(value);
    }
  }
  return merged;
}

/**
 * `helm template --set name=value` (pkg/strvals): a dotted name (`image.tag`, `\.`
 * for a literal dot, `list[0]` for an index) sets one value; the value is typed as
 * strvals does (`true`/`false`, `null`, integers without a leading zero) unless
 * `forceString` (`--set-string`).
 */
export function setValue(
  values: Values,
  name: string,
  value: string,
  forceString = false,
): Values {
  const result = structuredClone(values);
  const path = splitName(name);
  let node: any = result;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = forceString ? value : typed(value);
      return;
    }
    const nextIsIndex = typeof path[i + 1] === 'number';
    if (
      node[key] === undefined ||
      typeof node[key] !== 'object' ||
      node[key] === null
    ) {
      node[key] = nextIsIndex ? [] : {};
    }
    node = node[key];
  });
  return result;
}

function splitName(name: string): Array<string | number> {
  const keys: Array<string | number> = [];
  for (const part of name.split(/(?<!\\)\./)) {
    const match = /^(.*?)((?:\[\d+\])*)$/.exec(part.replace(/\\\./g, '.'))!;
    keys.push(match[1]);
    for (const index of match[2].match(/\d+/g) ?? []) keys.push(Number(index));
  }
  return keys;
}

function typed(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  if (/^-?(0|[1-9]\d*)$/.test(value) && Number.isSafeInteger(Number(value))) {
    return Number(value);
  }
  return value;
}
