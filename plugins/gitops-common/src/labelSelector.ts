/**
 * Kubernetes label selectors, as k8s.io/apimachinery `labels.Parse` reads them:
 * the `argocd/app-selector` annotation, `labelSelector` on the Kubernetes API and
 * `selector` on Argo CD's application list and watch.
 */

/**
 * A label selector that does not parse (or an object form that does not convert).
 * `detail` is the problem in Kubernetes' words, e.g.
 * `unable to parse requirement: found '', expected: ',' or ')'`.
 *
 * @public
 */
export class LabelSelectorError extends Error {
  /** The selector text that failed (the JSON of an object form). */
  readonly selector: string;
  /** What is wrong, without the selector. */
  readonly detail: string;

  constructor(selector: string, detail: string) {
    super(`Invalid label selector ${JSON.stringify(selector)}: ${detail}`);
    this.name = 'LabelSelectorError';
    this.selector = selector;
    this.detail = detail;
  }
}

/**
 * The operator of one requirement, spelled as k8s.io/apimachinery's
 * `selection.Operator`: `=`, `==`, `!=`, `in`, `notin`, `exists` (`key`),
 * `!` (`!key`), `gt` (`key>1`) and `lt` (`key<1`).
 *
 * @public
 */
export type LabelSelectorOperator =
  | '='
  | '=='
  | '!='
  | 'in'
  | 'notin'
  | 'exists'
  | '!'
  | 'gt'
  | 'lt';

/**
 * One requirement of a label selector; all of a selector's must hold. `values` are
 * sorted and unique (none for `exists` and `!`, one for `=`, `==`, `!=`, `gt`, `lt`).
 *
 * @public
 */
export type LabelRequirement = {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values: readonly string[];
};

/**
 * A requirement that the label `key` is present with one of `values` (from `=`, `==`
 * and `in`): every object the selector matches has one of those values.
 *
 * @public
 */
export type LabelEqualityRequirement = {
  key: string;
  values: string[];
};

/**
 * One `matchExpressions` entry of a Kubernetes `metav1.LabelSelector`.
 *
 * @public
 */
export type KubernetesLabelSelectorRequirement = {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
};

/**
 * The object form of a label selector (`metav1.LabelSelector`, as in a Deployment's
 * or Rollout's `spec.selector`): every `matchLabels` pair and expression must hold.
 *
 * @public
 */
export type KubernetesLabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: KubernetesLabelSelectorRequirement[];
};

const OBJECT_OPERATORS: Record<string, LabelSelectorOperator | undefined> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/** A problem found while parsing; becomes a LabelSelectorError with the input. */
class SyntaxProblem extends Error {}

function requirementMatches(
  { key, operator, values }: LabelRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, key);
  const value = labels[key];
  switch (operator) {
    case '=':
    case '==':
    case 'in':
      return present && values.includes(value);
    case '!=':
    case 'notin':
      return !present || !values.includes(value);
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt':
    case 'lt': {
      const actual = present ? parseInt64(value) : undefined;
      const bound = parseInt64(values[0]);
      if (actual === undefined || bound === undefined) return false;
      return operator === 'gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

function requirementString({
  key,
  operator,
  values,
}: LabelRequirement): string {
  switch (operator) {
    case 'exists':
      return key;
    case '!':
      return `!${key}`;
    case 'in':
    case 'notin':
      return `${key} ${operator} (${values.join(',')})`;
    case 'gt':
      return `${key}>${values[0]}`;
    case 'lt':
      return `${key}<${values[0]}`;
    default:
      return `${key}${operator}${values[0]}`;
  }
}

// --- validation (k8s.io/apimachinery NewRequirement) ------------------------------

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const INT64 = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function newRequirement(
  key: string,
  operator: LabelSelectorOperator,
  rawValues: readonly string[],
): LabelRequirement {
  const problems: string[] = [];
  const keyProblem = labelKeyProblem(key);
  if (keyProblem) problems.push(keyProblem);
  switch (operator) {
    case 'in':
    case 'notin':
      if (rawValues.length === 0) {
        problems.push("for 'in', 'notin' operators, values set can't be empty");
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (rawValues.length !== 1) {
        problems.push('exact-match compatibility requires one single value');
      }
      break;
    case 'exists':
    case '!':
      if (rawValues.length !== 0) {
        problems.push('values set must be empty for exists and does not exist');
      }
      break;
    case 'gt':
    case 'lt':
      if (rawValues.length !== 1) {
        problems.push(
          "for 'Gt', 'Lt' operators, exactly one value is required",
        );
      }
      for (const value of rawValues) {
        if (parseInt64(value) === undefined) {
          problems.push(
            `invalid value "${value}": for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        }
      }
      break;
    default:
      problems.push(`unsupported operator "${operator}"`);
  }
  for (const value of rawValues) {
    const valueProblem = labelValueProblem(value);
    if (valueProblem) problems.push(valueProblem);
  }
  if (problems.length) throw new SyntaxProblem(problems.join('; '));
  return { key, operator, values: [...new Set(rawValues)].sort(compare) };
}

function labelKeyProblem(key: string): string | undefined {
  const problems: string[] = [];
  const parts = key.split('/');
  if (parts.length > 2) {
    return `invalid label key "${key}": a valid label key must be a name with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`;
  }
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (!prefix) problems.push('prefix part must be non-empty');
    else if (prefix.length > 253) {
      problems.push('prefix part must be no more than 253 bytes');
    } else if (!DNS_SUBDOMAIN.test(prefix)) {
      problems.push(
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      );
    }
  }
  if (!name) problems.push('name part must be non-empty');
  else if (name.length > 63)
    problems.push('name part must be no more than 63 bytes');
  if (name && !LABEL_NAME.test(name)) {
    problems.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems.length
    ? `invalid label key "${key}": ${problems.join('; ')}`
    : undefined;
}

function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) {
    return `invalid label value "${value}": must be no more than 63 bytes`;
  }
  if (!LABEL_VALUE.test(value)) {
    return `invalid label value "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

/** Go's `strconv.ParseInt(s, 10, 64)`: undefined where it fails. */
function parseInt64(text: string | undefined): bigint | undefined {
  if (text === undefined || !INT64.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** Byte-wise order, as Go sorts strings (ASCII keys and values). */
function compare(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

// --- lexer and parser (k8s.io/apimachinery labels.Parse) --------------------------

type TokenKind =
  | 'error'
  | 'end'
  | 'identifier'
  | '('
  | ')'
  | ','
  | '!'
  | '='
  | '=='
  | '!='
  | '>'
  | '<'
  | 'in'
  | 'notin';

type Token = { kind: TokenKind; literal: string };

const LITERAL_TOKENS = new Map<string, TokenKind>([
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['==', '=='],
  ['=', '='],
  ['>', '>'],
  ['in', 'in'],
  ['<', '<'],
  ['!=', '!='],
  ['notin', 'notin'],
  ['(', '('],
]);

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'].join(
  ', ',
);

const isWhitespace = (char: string) =>
  char === ' ' || char === '\t' || char === '\r' || char === '\n';

const isSpecialSymbol = (char: string) => '=!(),><'.includes(char);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos])) pos++;
    if (pos >= input.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    if (isSpecialSymbol(input[pos])) {
      // The longest run of symbols that is a token: `!=`, `==`, else one symbol.
      let buffer = '';
      let last: Token | undefined;
      while (pos < input.length && isSpecialSymbol(input[pos])) {
        const candidate = buffer + input[pos];
        const kind = LITERAL_TOKENS.get(candidate);
        if (kind) last = { kind, literal: candidate };
        else if (last) break;
        buffer = candidate;
        pos++;
      }
      tokens.push(
        last ?? {
          kind: 'error',
          literal: `error expected: keyword found '${buffer}'`,
        },
      );
    } else {
      const start = pos;
      while (
        pos < input.length &&
        !isSpecialSymbol(input[pos]) &&
        !isWhitespace(input[pos])
      ) {
        pos++;
      }
      const literal = input.slice(start, pos);
      tokens.push({
        kind: LITERAL_TOKENS.get(literal) ?? 'identifier',
        literal,
      });
    }
  }
}

/** Where `in` and `notin` are operators, and where they are just words. */
type Context = 'keyAndOperator' | 'values';

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(input: string) {
    this.tokens = lex(input);
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { kind, literal } = this.lookahead('values');
      if (kind === 'end') return requirements;
      if (kind !== 'identifier' && kind !== '!') {
        throw new SyntaxProblem(
          `found '${literal}', expected: !, identifier, or 'end of string'`,
        );
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (error) {
        if (error instanceof SyntaxProblem) {
          throw new SyntaxProblem(
            `unable to parse requirement: ${error.message}`,
          );
        }
        throw error;
      }
      const next = this.consume('values');
      if (next.kind === 'end') return requirements;
      if (next.kind !== ',') {
        throw new SyntaxProblem(
          `found '${next.literal}', expected: ',' or 'end of string'`,
        );
      }
      const after = this.lookahead('values');
      if (after.kind !== 'identifier' && after.kind !== '!') {
        throw new SyntaxProblem(
          `found '${after.literal}', expected: identifier after ','`,
        );
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    let notExists = false;
    let token = this.consume('values');
    if (token.kind === '!') {
      notExists = true;
      token = this.consume('values');
    }
    if (token.kind !== 'identifier') {
      throw new SyntaxProblem(`found '${token.literal}', expected: identifier`);
    }
    const key = token.literal;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) throw new SyntaxProblem(keyProblem);
    const next = this.lookahead('values').kind;
    if (notExists) return newRequirement(key, '!', []);
    if (next === 'end' || next === ',')
      return newRequirement(key, 'exists', []);

    const operator = this.parseOperator();
    const values =
      operator === 'in' || operator === 'notin'
        ? this.parseValues()
        : this.parseExactValue();
    return newRequirement(key, operator, values);
  }

  private parseOperator(): LabelSelectorOperator {
    const { kind, literal } = this.consume('keyAndOperator');
    switch (kind) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return kind;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new SyntaxProblem(
          `found '${literal}', expected: ${BINARY_OPERATORS}`,
        );
    }
  }

  /** `(a,b)`; `()` and empty list items stand for the empty value. */
  private parseValues(): string[] {
    const open = this.consume('values');
    if (open.kind !== '(') {
      throw new SyntaxProblem(`found '${open.literal}' expected: '('`);
    }
    const { kind, literal } = this.lookahead('values');
    if (kind === ')') {
      this.consume('values');
      return [''];
    }
    if (kind !== 'identifier' && kind !== ',') {
      throw new SyntaxProblem(
        `found '${literal}', expected: ',', ')' or identifier`,
      );
    }
    const values = this.parseIdentifiersList();
    if (this.consume('values').kind !== ')') {
      throw new SyntaxProblem(`found '${literal}', expected: ')'`);
    }
    return values;
  }

  private parseIdentifiersList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const token = this.consume('values');
      if (token.kind === 'identifier') {
        values.add(token.literal);
        const next = this.lookahead('values');
        if (next.kind === ',') continue;
        if (next.kind === ')') return [...values];
        throw new SyntaxProblem(
          `found '${next.literal}', expected: ',' or ')'`,
        );
      } else if (token.kind === ',') {
        if (values.size === 0) values.add(''); // `(,`
        const next = this.lookahead('values').kind;
        if (next === ')') {
          values.add(''); // `,)`
          return [...values];
        }
        if (next === ',') values.add(''); // `,,`
      } else {
        throw new SyntaxProblem(
          `found '${token.literal}', expected: ',', or identifier`,
        );
      }
    }
  }

  /** The value of `=`, `==`, `!=`, `>` and `<`; nothing before `,` or the end is empty. */
  private parseExactValue(): string[] {
    const next = this.lookahead('values').kind;
    if (next === 'end' || next === ',') return [''];
    const token = this.consume('values');
    if (token.kind === 'identifier') return [token.literal];
    throw new SyntaxProblem(`found '${token.literal}', expected: identifier`);
  }

  private lookahead(context: Context): Token {
    return this.inContext(this.tokens[this.position], context);
  }

  private consume(context: Context): Token {
    const token = this.tokens[this.position];
    // The end token stays put, as if the input went on ending.
    if (token.kind !== 'end') this.position++;
    return this.inContext(token, context);
  }

  private inContext(token: Token, context: Context): Token {
    return context === 'values' &&
      (token.kind === 'in' || token.kind === 'notin')
      ? { kind: 'identifier', literal: token.literal }
      : token;
  }
}

// --- the selector -----------------------------------------------------------------

/**
 * A Kubernetes label selector (`a=b,c!=d,e in (f,g),h notin (i),j,!k`) with the
 * semantics of k8s.io/apimachinery `labels.Parse`: requirements are comma-separated
 * and all must hold; `!=` and `notin` also match objects without the label; `in ()`
 * means the empty value; the empty selector matches everything. Keys and values are
 * validated as Kubernetes label keys and values. Requirements are kept sorted by key,
 * as Kubernetes does, so {@link LabelSelector.toString} is canonical.
 *
 * @public
 */
export class LabelSelector {
  /** The requirements, sorted by key. */
  readonly requirements: readonly LabelRequirement[];

  private constructor(requirements: LabelRequirement[]) {
    this.requirements = Object.freeze(
      [...requirements]
        .sort((a, b) => compare(a.key, b.key))
        .map(requirement => Object.freeze(requirement)),
    );
  }

  /**
   * Parses the string form; the empty (or blank) selector matches everything.
   * Throws a {@link LabelSelectorError} naming the problem on invalid input.
   */
  static parse(selector: string): LabelSelector {
    try {
      return new LabelSelector(new Parser(selector).parse());
    } catch (error) {
      if (error instanceof SyntaxProblem) {
        throw new LabelSelectorError(selector, error.message);
      }
      throw error;
    }
  }

  /**
   * Converts the object form, like k8s.io/apimachinery `LabelSelectorAsSelector`:
   * `{}` matches everything; `In` and `NotIn` need values, `Exists` and
   * `DoesNotExist` take none. Throws a {@link LabelSelectorError} otherwise.
   */
  static fromObject(selector: KubernetesLabelSelector): LabelSelector {
    const requirements: LabelRequirement[] = [];
    try {
      for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        requirements.push(newRequirement(key, '=', [value]));
      }
      for (const expression of selector.matchExpressions ?? []) {
        const operator = OBJECT_OPERATORS[expression.operator];
        if (!operator) {
          throw new SyntaxProblem(
            `"${expression.operator}" is not a valid label selector operator`,
          );
        }
        requirements.push(
          newRequirement(expression.key, operator, expression.values ?? []),
        );
      }
    } catch (error) {
      if (error instanceof SyntaxProblem) {
        throw new LabelSelectorError(JSON.stringify(selector), error.message);
      }
      throw error;
    }
    return new LabelSelector(requirements);
  }

  /** True when the selector has no requirements, and so matches everything. */
  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** Whether labels (missing labels: none) satisfy every requirement. */
  matches(labels?: Readonly<Record<string, string>> | null): boolean {
    const set = labels ?? {};
    return this.requirements.every(requirement =>
      requirementMatches(requirement, set),
    );
  }

  /**
   * The `key=value`, `key==value` and `key in (a,b)` requirements: every match has
   * one of those values for that key, so an index by label can narrow candidates to
   * the smallest of them (the selector still decides, via {@link LabelSelector.matches}).
   * A key may appear more than once; all its requirements hold.
   */
  equalityRequirements(): LabelEqualityRequirement[] {
    return this.requirements
      .filter(
        r => r.operator === '=' || r.operator === '==' || r.operator === 'in',
      )
      .map(r => ({ key: r.key, values: [...r.values] }));
  }

  /**
   * The canonical string form, as k8s.io/apimachinery prints a selector:
   * requirements sorted by key, values sorted (`a=b,c in (d,e),!f`); empty for the
   * empty selector.
   */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }

  /**
   * The object form (`matchLabels` for `=` and `==`, `matchExpressions` otherwise),
   * like k8s.io/apimachinery `ParseToLabelSelector`. Unlike it, `!=` becomes the
   * equivalent `NotIn`, and a second equality on a key already in `matchLabels`
   * becomes an `In` expression rather than overwriting it. `gt` and `lt` have no
   * object form: throws a {@link LabelSelectorError}.
   */
  toObject(): KubernetesLabelSelector {
    const matchLabels: Record<string, string> = {};
    const matchExpressions: KubernetesLabelSelectorRequirement[] = [];
    for (const { key, operator, values } of this.requirements) {
      switch (operator) {
        case '=':
        case '==':
          if (!Object.prototype.hasOwnProperty.call(matchLabels, key)) {
            matchLabels[key] = values[0];
          } else {
            matchExpressions.push({ key, operator: 'In', values: [...values] });
          }
          break;
        case 'in':
          matchExpressions.push({ key, operator: 'In', values: [...values] });
          break;
        case '!=':
        case 'notin':
          matchExpressions.push({
            key,
            operator: 'NotIn',
            values: [...values],
          });
          break;
        case 'exists':
          matchExpressions.push({ key, operator: 'Exists' });
          break;
        case '!':
          matchExpressions.push({ key, operator: 'DoesNotExist' });
          break;
        default:
          throw new LabelSelectorError(
            this.toString(),
            `"${operator}" isn't supported in label selectors`,
          );
      }
    }
    return {
      ...(Object.keys(matchLabels).length ? { matchLabels } : {}),
      ...(matchExpressions.length ? { matchExpressions } : {}),
    };
  }
}
