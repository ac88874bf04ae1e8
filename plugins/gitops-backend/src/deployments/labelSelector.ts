import { InputError } from '@backstage/errors';

type Requirement =
  | { key: string; op: 'exists' | 'notExists' }
  | { key: string; op: 'in' | 'notIn'; values: string[] };

/**
 * A Kubernetes label selector (`a=b,c!=d,e in (f,g),h notin (i),j,!k`), the syntax
 * of the `argocd/app-selector` annotation, evaluated against the inventory so a page
 * view needs no Argo CD call.
 */
export class LabelSelector {
  private constructor(private readonly requirements: Requirement[]) {}

  static parse(selector: string): LabelSelector {
    const parts = splitTopLevel(selector.trim());
    if (!parts.length) throw new InputError('Label selector is empty');
    return new LabelSelector(parts.map(parseRequirement));
  }

  matches(labels: Record<string, string> = {}): boolean {
    return this.requirements.every(req => {
      const has = Object.prototype.hasOwnProperty.call(labels, req.key);
      switch (req.op) {
        case 'exists':
          return has;
        case 'notExists':
          return !has;
        case 'in':
          return has && req.values.includes(labels[req.key]);
        case 'notIn':
          return !has || !req.values.includes(labels[req.key]);
        default:
          return false;
      }
    });
  }
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`);
const EXISTS = new RegExp(`^(!?)(${KEY})$`);
const VALUE_ONLY = new RegExp(`^${VALUE}$`);

function parseRequirement(text: string): Requirement {
  const part = text.trim();
  const equality = EQUALITY.exec(part);
  if (equality) {
    const value = equality[4] ?? '';
    return { key: equality[1], op: equality[3] === '!=' ? 'notIn' : 'in', values: [value] };
  }
  const set = SET.exec(part);
  if (set) {
    const values = set[4].split(',').map(v => v.trim());
    if (values.some(v => !VALUE_ONLY.test(v))) {
      throw new InputError(`Invalid value in label selector requirement '${part}'`);
    }
    return { key: set[1], op: set[3] === 'in' ? 'in' : 'notIn', values };
  }
  const exists = EXISTS.exec(part);
  if (exists) return { key: exists[2], op: exists[1] ? 'notExists' : 'exists' };
  throw new InputError(`Invalid label selector requirement '${part}'`);
}

/** Splits on commas outside parentheses. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim()) parts.push(current);
  return parts;
}
