import { InputError } from '@backstage/errors';

// Argo CD renders an ApplicationSet's template with each generated parameter set
// (upstream applicationset/utils/utils.go, Render.Replace). Only plain parameter
// substitution is evaluated here: anything else (sprig functions, pipes, conditions)
// would need Go's template engine, and guessing its result could edit the wrong element.

/**
 * How an ApplicationSet's template reads parameters: Go templates (`{{.param}}`, with
 * `spec.goTemplate: true`) or fasttemplate (`{{param}}`, the default).
 */
export type TemplateSyntax = 'go' | 'fasttemplate';

/** A list element's parameters, as its YAML mapping holds them. */
export type ElementParams = Record<string, unknown>;

type Part = { text: string } | { param: string[]; raw: string; trimBefore: boolean; trimAfter: boolean };

// `{{- ` and ` -}}` trim the surrounding whitespace (the space is part of the marker).
const GO_ACTION = /\{\{(- )?([\s\S]*?)( -)?\}\}/g;
const GO_PATH = /^\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const FAST_TAG = /\{\{([\s\S]*?)\}\}/g;
const FAST_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The template with each parameter reference replaced by the element's value, as
 * Argo CD renders it; undefined when the element lacks a value Go templates would
 * fail on. `where` names the template field in the InputError raised for a template
 * that is not plain substitution.
 */
export function renderTemplate(template: string, syntax: TemplateSyntax, params: ElementParams, where: string): string | undefined {
  let out = '';
  for (const part of parse(template, syntax, where)) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const value = syntax === 'go' ? goValue(params, part.param) : fastValue(params, part.param[0]);
    if (value === null) return undefined;
    // fasttemplate leaves an unknown tag as written; Go prints `<no value>` for a missing key.
    out += value ?? (syntax === 'go' ? '<no value>' : part.raw);
  }
  return out;
}

/**
 * The parameter a template field consists of, as keys into a list element (e.g.
 * `['imageTag']`, `['values', 'imageTag']`); undefined when the field is a literal.
 * Anything else, such as `v{{.tag}}` or two references, is an InputError: setting the
 * parameter would not set the field to the value.
 */
export function parameterReference(template: string, syntax: TemplateSyntax, where: string): string[] | undefined {
  const parts = parse(template, syntax, where).filter(part => !('text' in part) || part.text !== '');
  if (!parts.some(part => 'param' in part)) return undefined;
  const [only] = parts;
  if (parts.length !== 1 || !('param' in only)) {
    throw new InputError(`the ApplicationSet's template sets ${where} to '${template}'; only a field that is exactly one parameter reference can be edited`);
  }
  return syntax === 'go' ? only.param : fastElementKeys(only.param[0]);
}

/** Text and references, in order; the trim markers already applied to the text. */
function parse(template: string, syntax: TemplateSyntax, where: string): Part[] {
  const parts: Part[] = [];
  const pattern = syntax === 'go' ? GO_ACTION : FAST_TAG;
  let last = 0;
  for (const match of template.matchAll(pattern)) {
    parts.push({ text: template.slice(last, match.index) });
    parts.push(syntax === 'go' ? goReference(match, template, where) : fastReference(match, template, where));
    last = match.index! + match[0].length;
  }
  parts.push({ text: template.slice(last) });
  if (syntax === 'go' && parts.some(part => 'text' in part && part.text.includes('{{'))) {
    throw unevaluable(template, where);
  }
  return syntax === 'go' ? applyTrims(parts) : parts;
}

function goReference(match: RegExpMatchArray, template: string, where: string): Part {
  const body = match[2].trim();
  if (!GO_PATH.test(body)) throw unevaluable(template, where);
  return { param: body.slice(1).split('.'), raw: match[0], trimBefore: !!match[1], trimAfter: !!match[3] };
}

function fastReference(match: RegExpMatchArray, template: string, where: string): Part {
  const tag = match[1].trim();
  // Argo CD writes an empty tag back as it is.
  if (tag === '') return { text: match[0] };
  // A pipe, a call or `.param` here means Go template syntax without `goTemplate: true`.
  if (!FAST_NAME.test(tag) || tag.startsWith('.')) throw unevaluable(template, where);
  return { param: [tag], raw: match[0], trimBefore: false, trimAfter: false };
}

function applyTrims(parts: Part[]): Part[] {
  return parts.map((part, i) => {
    if (!('text' in part)) return part;
    const before = parts[i - 1];
    const after = parts[i + 1];
    let text = part.text;
    if (before && 'param' in before && before.trimAfter) text = text.trimStart();
    if (after && 'param' in after && after.trimBefore) text = text.trimEnd();
    return { text };
  });
}

/** A Go template's `.a.b`: undefined for a missing last key, null where Go would fail or print a map. */
function goValue(params: ElementParams, keys: string[]): string | undefined | null {
  let value: unknown = params;
  for (const key of keys) {
    if (value === undefined) return null;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'object') return null;
  return String(value);
}

/** fasttemplate's parameters: the element's string values, and `values.<k>` of its `values` map. */
function fastValue(params: ElementParams, name: string): string | undefined {
  const [first, second] = fastElementKeys(name);
  const holder = second === undefined ? params : params[first];
  const value = holder && typeof holder === 'object' ? (holder as Record<string, unknown>)[second ?? first] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Where a fasttemplate parameter lives in its element (the list generator flattens `values`). */
function fastElementKeys(name: string): string[] {
  return name.startsWith('values.') && name.length > 'values.'.length ? ['values', name.slice('values.'.length)] : [name];
}

function unevaluable(template: string, where: string) {
  return new InputError(
    `the ApplicationSet's template ${where} '${template}' can't be evaluated: only plain parameter references such as {{.param}} or {{param}} are supported`,
  );
}
