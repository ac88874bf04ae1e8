/**
 * Kubernetes label selectors (`labelSelector` on the Kubernetes API, `selector` on
 * Argo CD's application list): comma-separated requirements, all of which must hold.
 */

export class LabelSelectorError extends Error {}

export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

export type Labels = Record<string, string> | undefined;

// An optional DNS-subdomain prefix, then a name segment (Kubernetes' qualified name).
const KEY = String.raw`(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?`;
const VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;

const NOT_EXISTS = new RegExp(`^!\\s*(${KEY})$`);
const SET_BASED = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const EXISTS = new RegExp(`^(${KEY})$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

export function parseLabelSelector(
  selector: string | undefined,
): Requirement[] {
  if (!selector || !selector.trim()) {
    return [];
  }
  return splitTopLevel(selector).map(term => parseRequirement(term.trim()));
}

function matchesLabels(requirements: Requirement[], labels: Labels): boolean {
  return requirements.every(requirement => matches(requirement, labels ?? {}));
}

/** Parses once and returns a predicate; throws LabelSelectorError on bad syntax. */
export function labelSelectorMatcher(
  selector: string | undefined,
): (labels: Labels) => boolean {
  const requirements = parseLabelSelector(selector);
  return labels => matchesLabels(requirements, labels);
}

function matches(
  requirement: Requirement,
  labels: Record<string, string>,
): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'In':
      return present && requirement.values.includes(value);
    case 'NotIn':
      // As in Kubernetes, `!=` and `notin` also match objects without the label.
      return !present || !requirement.values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}

/** Splits on commas that are not inside a `( ... )` value set. */
function splitTopLevel(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const char = selector[i];
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (depth < 0 || depth > 1) {
      throw new LabelSelectorError(`unbalanced parentheses in "${selector}"`);
    }
    if (char === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) {
    throw new LabelSelectorError(`unbalanced parentheses in "${selector}"`);
  }
  terms.push(selector.slice(start));
  return terms;
}

function parseRequirement(term: string): Requirement {
  let match = NOT_EXISTS.exec(term);
  if (match) {
    return { key: match[1], operator: 'DoesNotExist', values: [] };
  }
  match = SET_BASED.exec(term);
  if (match) {
    return {
      key: match[1],
      operator: match[2] === 'in' ? 'In' : 'NotIn',
      values: parseValueSet(match[3], term),
    };
  }
  match = EQUALITY.exec(term);
  if (match) {
    return {
      key: match[1],
      operator: match[2] === '!=' ? 'NotIn' : 'In',
      values: [match[3]],
    };
  }
  match = EXISTS.exec(term);
  if (match) {
    return { key: match[1], operator: 'Exists', values: [] };
  }
  throw new LabelSelectorError(`unable to parse requirement: "${term}"`);
}

function parseValueSet(list: string, term: string): string[] {
  const values = list.split(',').map(value => value.trim());
  if (values.length === 1 && values[0] === '') {
    throw new LabelSelectorError(`empty value set in "${term}"`);
  }
  for (const value of values) {
    if (!VALUE_ONLY.test(value)) {
      throw new LabelSelectorError(
        `invalid label value "${value}" in "${term}"`,
      );
    }
  }
  return values;
}
