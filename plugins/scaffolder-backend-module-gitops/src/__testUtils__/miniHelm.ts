import yaml from 'yaml';

/**
 * Renders the subset of Helm's Go templates the golden-path charts use, so tests can
 * validate the Kubernetes objects without a helm binary: `{{ }}` with `-` trimming,
 * comments, define/include, if/else/end, pipelines, `.Values`/`.Release`/`.Chart`, and
 * the functions below. Anything else throws, so a chart never silently outgrows it.
 */
type Node =
  | { type: 'text'; text: string }
  | { type: 'output'; expr: string }
  | { type: 'if'; cond: string; then: Node[]; else: Node[] }
  | { type: 'define'; name: string; body: Node[] };

interface Action {
  text: string;
  trimLeft: boolean;
  trimRight: boolean;
}

/** Splits a template into text and actions, applying `{{-` / `-}}` whitespace trimming. */
function scan(source: string): Array<string | Action> {
  const parts: Array<string | Action> = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      parts.push(source.slice(i));
      break;
    }
    parts.push(source.slice(i, open));
    let j = open + 2;
    let quoted = false;
    while (j < source.length && (quoted || source.slice(j, j + 2) !== '}}')) {
      if (source[j] === '"' && source[j - 1] !== '\\') quoted = !quoted;
      j++;
    }
    let inner = source.slice(open + 2, j);
    const trimLeft = inner.startsWith('- ');
    const trimRight = inner.endsWith(' -');
    inner = inner.slice(trimLeft ? 2 : 0, trimRight ? -2 : undefined).trim();
    parts.push({ text: inner, trimLeft, trimRight });
    i = j + 2;
  }
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    if (typeof part === 'string') continue;
    if (part.trimLeft && typeof parts[k - 1] === 'string') parts[k - 1] = (parts[k - 1] as string).trimEnd();
    if (part.trimRight && typeof parts[k + 1] === 'string') parts[k + 1] = (parts[k + 1] as string).trimStart();
  }
  return parts;
}

function parse(source: string): Node[] {
  const root: Node[] = [];
  const stack: Array<{ nodes: Node[]; node?: Node & { type: 'if' | 'define' }; inElse?: boolean }> = [{ nodes: root }];
  for (const part of scan(source)) {
    const top = stack[stack.length - 1];
    if (typeof part === 'string') {
      if (part) top.nodes.push({ type: 'text', text: part });
      continue;
    }
    const { text } = part;
    if (text.startsWith('/*')) continue;
    const [keyword, ...rest] = text.split(/\s+/);
    if (keyword === 'if' || keyword === 'define') {
      const node: Node & { type: 'if' | 'define' } =
        keyword === 'if'
          ? { type: 'if', cond: rest.join(' '), then: [], else: [] }
          : { type: 'define', name: JSON.parse(rest.join(' ')), body: [] };
      top.nodes.push(node);
      stack.push({ nodes: node.type === 'if' ? node.then : node.body, node });
    } else if (keyword === 'else') {
      if (top.node?.type !== 'if' || rest.length) throw new Error(`unsupported {{ ${text} }}`);
      top.nodes = top.node.else;
    } else if (keyword === 'end') {
      stack.pop();
    } else if (/^(range|with|template|block|tpl)$/.test(keyword)) {
      throw new Error(`miniHelm does not support {{ ${text} }}`);
    } else {
      top.nodes.push({ type: 'output', expr: text });
    }
  }
  if (stack.length !== 1) throw new Error('unclosed block');
  return root;
}

/** Words of a command: quoted strings stay whole. */
function words(command: string): string[] {
  return command.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

function splitPipeline(expr: string): string[] {
  const commands: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === '"' && expr[i - 1] !== '\\') quoted = !quoted;
    if (expr[i] === '|' && !quoted) {
      commands.push(current.trim());
      current = '';
    } else current += expr[i];
  }
  commands.push(current.trim());
  return commands;
}

export interface HelmContext {
  Values: any;
  Release: { Name: string; Namespace: string; Service: string };
  Chart: { Name: string; Version: string };
}

const FUNCTIONS: Record<string, (...args: any[]) => unknown> = {
  toYaml: v => yaml.stringify(v).replace(/\n$/, ''),
  nindent: (n: number, s: string) => `\n${indent(n, s)}`,
  indent: (n: number, s: string) => indent(n, s),
  quote: v => JSON.stringify(String(v ?? '')),
  trunc: (n: number, s: string) => String(s).slice(0, n),
  trimSuffix: (suffix: string, s: string) => (String(s).endsWith(suffix) ? String(s).slice(0, -suffix.length) : s),
  printf: (fmt: string, ...args: unknown[]) => fmt.replace(/%[sdv]/g, () => String(args.shift())),
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  int: v => Math.trunc(Number(v)),
  default: (fallback, v) => (truthy(v) ? v : fallback),
};

/** Renders templates of one chart; `defines` holds the named templates of all its files. */
export class MiniHelm {
  private readonly defines = new Map<string, Node[]>();

  constructor(files: Record<string, string>) {
    for (const text of Object.values(files)) this.collect(parse(text));
  }

  private collect(nodes: Node[]) {
    for (const node of nodes) if (node.type === 'define') this.defines.set(node.name, node.body);
  }

  render(text: string, dot: HelmContext): string {
    return this.renderNodes(parse(text), dot);
  }

  private renderNodes(nodes: Node[], dot: HelmContext): string {
    return nodes
      .map(node => {
        switch (node.type) {
          case 'text':
            return node.text;
          case 'define':
            return '';
          case 'if':
            return this.renderNodes(truthy(this.evaluate(node.cond, dot)) ? node.then : node.else, dot);
          default:
            return format(this.evaluate(node.expr, dot));
        }
      })
      .join('');
  }

  private evaluate(expr: string, dot: HelmContext): unknown {
    let value: unknown;
    splitPipeline(expr).forEach((command, index) => {
      const [head, ...args] = words(command);
      const values = args.map(arg => this.term(arg, dot));
      if (index > 0) values.push(value);
      value = head in FUNCTIONS || head === 'include' ? this.call(head, values) : this.term(head, dot);
    });
    return value;
  }

  private call(name: string, args: unknown[]): unknown {
    if (name === 'include') {
      const body = this.defines.get(args[0] as string);
      if (!body) throw new Error(`no template ${args[0]}`);
      return this.renderNodes(body, args[1] as HelmContext);
    }
    return FUNCTIONS[name](...args);
  }

  private term(word: string, dot: HelmContext): unknown {
    if (word.startsWith('"')) return JSON.parse(word);
    if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
    if (word === '.') return dot;
    if (word.startsWith('.')) {
      return word.slice(1).split('.').reduce<any>((obj, key) => (obj === undefined || obj === null ? undefined : obj[key]), dot);
    }
    throw new Error(`miniHelm does not support '${word}'`);
  }
}

function indent(n: number, s: string) {
  return String(s)
    .split('\n')
    .map(line => ' '.repeat(n) + line)
    .join('\n');
}

function truthy(v: unknown) {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function format(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'object') throw new Error('miniHelm cannot print a map or list; use toYaml');
  return String(v);
}

/** Helm's value merge: maps merge key by key, anything else is replaced. */
export function mergeValues(base: any, override: any): any {
  if (!isMap(base) || !isMap(override)) return override === undefined ? base : override;
  const out: any = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeValues(base[key], value);
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}
