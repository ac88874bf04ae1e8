/**
 * ApplicationSet template rendering, as applicationset/utils/utils.go `Render.Replace`
 * and `deeplyReplace`: every string of the template (and every map key) is rendered
 * with the generator's parameters. With `goTemplate: false` it is fasttemplate:
 * `{{param}}` (spaces allowed) becomes the string parameter, anything else stays as
 * written. With `goTemplate: true` it is Go's text/template over the parameter map;
 * this module implements the subset ApplicationSets use: `{{ .a.b }}`, string and
 * number literals, pipelines and the functions in FUNCTIONS (sprig's names), with
 * `{{-`/`-}}` trimming and the `missingkey=error` option.
 */

export type Params = Record<string, unknown>;

export class TemplateError extends Error {}

const NO_VALUE = '<no value>';

/** The sprig functions ApplicationSets commonly use (plus Go's `index` and `printf %s`). */
const FUNCTIONS: Record<string, (...args: any[]) => unknown> = {
  index: (collection: any, ...keys: unknown[]) =>
    keys.reduce((value: any, key) => value?.[key as any], collection),
  upper: (s: unknown) => print(s).toUpperCase(),
  lower: (s: unknown) => print(s).toLowerCase(),
  trim: (s: unknown) => print(s).trim(),
  quote: (s: unknown) => JSON.stringify(print(s)),
  default: (fallback: unknown, value?: unknown) =>
    value === undefined || value === null || value === '' ? fallback : value,
  replace: (from: string, to: string, s: unknown) =>
    print(s).split(from).join(to),
  trunc: (n: number, s: unknown) =>
    n >= 0 ? print(s).slice(0, n) : print(s).slice(n),
  toString: (s: unknown) => print(s),
  printf: (format: string, ...args: unknown[]) =>
    args.reduce<string>(
      (text, arg) => text.replace(/%[sdv]/, print(arg)),
      format,
    ),
};

export function renderTemplate(
  template: string,
  params: Params,
  goTemplate: boolean,
  options: string[] = [],
): string {
  return goTemplate
    ? renderGoTemplate(template, params, options.includes('missingkey=error'))
    : renderFastTemplate(template, params);
}

/** Renders every string and map key in `value`, recursively (`deeplyReplace`). */
export function renderDeep<T>(
  value: T,
  params: Params,
  goTemplate: boolean,
  options: string[] = [],
): T {
  const render = (v: unknown): unknown => {
    if (typeof v === 'string')
      return renderTemplate(v, params, goTemplate, options);
    if (Array.isArray(v)) return v.map(render);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([key, child]) => [
          renderTemplate(key, params, goTemplate, options),
          render(child),
        ]),
      );
    }
    return v;
  };
  return render(value) as T;
}

function renderFastTemplate(template: string, params: Params): string {
  return template.replace(/\{\{(.*?)\}\}/g, (whole, tag: string) => {
    const value = params[tag.trim()];
    return tag.trim() && typeof value === 'string' ? value : whole;
  });
}

function renderGoTemplate(
  template: string,
  params: Params,
  missingKeyError: boolean,
): string {
  const parts = template.split(/(\{\{-?\s*[\s\S]*?\s*-?\}\})/);
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i % 2 === 0) {
      out += part;
      continue;
    }
    if (/^\{\{-\s/.test(part)) out = out.replace(/\s+$/, '');
    if (/\s-\}\}$/.test(part))
      parts[i + 1] = (parts[i + 1] ?? '').replace(/^\s+/, '');
    const action = part.replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');
    if (action.startsWith('/*')) continue; // a comment
    out += print(evalPipeline(action, params, missingKeyError, template));
  }
  return out;
}

function evalPipeline(
  action: string,
  params: Params,
  missingKeyError: boolean,
  template: string,
): unknown {
  let piped: unknown[] | undefined;
  let result: unknown;
  for (const command of splitOutsideQuotes(action, '|')) {
    const words = tokenize(command.trim());
    if (!words.length)
      throw new TemplateError(
        `failed to parse template ${template}: missing value for command`,
      );
    const args = words
      .slice(1)
      .map(word => evalOperand(word, params, missingKeyError, template));
    const [head] = words;
    if (head.startsWith('.') || head.startsWith('"') || /^-?\d/.test(head)) {
      result = evalOperand(head, params, missingKeyError, template);
    } else {
      const fn = FUNCTIONS[head];
      if (!fn) {
        throw new TemplateError(
          `failed to parse template ${template}: template: base:1: function "${head}" not defined`,
        );
      }
      result = fn(...args, ...(piped ?? []));
    }
    piped = [result];
  }
  return result;
}

function evalOperand(
  word: string,
  params: Params,
  missingKeyError: boolean,
  template: string,
): unknown {
  if (word.startsWith('"')) return JSON.parse(word);
  if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
  if (word === '.') return params;
  if (!word.startsWith('.')) {
    throw new TemplateError(
      `failed to parse template ${template}: unexpected "${word}"`,
    );
  }
  let value: unknown = params;
  for (const key of word.slice(1).split('.')) {
    const map = value as Record<string, unknown> | undefined;
    if (map === undefined || map === null || !(key in map)) {
      if (missingKeyError) {
        throw new TemplateError(
          `failed to execute go template ${template}: template: base:1: executing "base" at <${word}>: map has no entry for key "${key}"`,
        );
      }
      return undefined;
    }
    value = map[key];
  }
  return value;
}

/** Go's fmt `%v` for the values parameters hold. */
function print(value: unknown): string {
  if (value === undefined) return NO_VALUE;
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(print).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, v]) => `${k}:${print(v)}`).join(' ')}]`;
  }
  return String(value);
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function tokenize(command: string): string[] {
  return command.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}
