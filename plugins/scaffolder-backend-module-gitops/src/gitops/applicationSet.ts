import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { requireRelativePath, type RepositoryEdit } from '@gitops-suite/backstage-plugin-gitops-node';
import fs from 'fs/promises';
import { type Document, isMap, isScalar, isSeq, parseAllDocuments, stringify, type YAMLMap, type YAMLSeq } from 'yaml';

/**
 * One element of an ApplicationSet's list generator: one service in one environment,
 * as `gitops:service:register` adds it. The ApplicationSet's template reads these keys.
 *
 * @public
 */
export interface ApplicationSetElement {
  /** The service, e.g. `inventory-api`. */
  service: string;
  /** The environment, e.g. `dev`. */
  environment: string;
  /** The directory of the environment's values, Argo CD's `source.path`. */
  path: string;
  /** The destination namespace, `<service>-<environment>`. */
  namespace: string;
}

export interface ApplicationSetEditOptions {
  /** The file holding the ApplicationSet, relative to the repository. */
  file: string;
  /** `metadata.name` of the ApplicationSet, when the file holds more than one. */
  name?: string;
  elements: ApplicationSetElement[];
}

/**
 * Adds elements to the list generator of an existing Argo CD ApplicationSet (the first
 * `list` generator of `spec.generators`) through the yaml Document API, so comments,
 * key order and quoting of the file stay as written. Refuses (409) when the list
 * already holds the service in one of the environments, and (400) when the file is not
 * such an ApplicationSet.
 */
export function applicationSetEdit(options: ApplicationSetEditOptions): RepositoryEdit {
  requireRelativePath('applicationSet.file', options.file);
  return async worktree => {
    const target = resolveSafeChildPath(worktree, options.file);
    const text = await fs.readFile(target, 'utf8').catch(() => {
      throw new InputError(`applicationSet.file '${options.file}' does not exist in the repository`);
    });
    await fs.writeFile(target, addApplicationSetElements(text, options));
    return [options.file];
  };
}

/** The file's text with the elements added; see applicationSetEdit. */
export function addApplicationSetElements(text: string, options: ApplicationSetEditOptions): string {
  const fail = (message: string) => new InputError(`applicationSet.file '${options.file}': ${message}`);
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw fail('holds no YAML document');
  for (const doc of docs) {
    if (doc.errors.length) throw fail(`not valid YAML: ${doc.errors[0].message}`);
  }
  const doc = findApplicationSet(docs, options.name, fail);
  const generators = doc.getIn(['spec', 'generators'], true);
  if (!isSeq(generators)) throw fail('spec.generators is not a list');
  const list = generators.items.find((g): g is YAMLMap => isMap(g) && isMap(g.get('list', true)));
  if (!list) {
    throw fail('spec.generators has no list generator (`- list: { elements: [...] }`) to add the service to');
  }
  const listNode = list.get('list', true) as unknown as YAMLMap;
  let elements = listNode.get('elements', true);
  if (elements === undefined || (isScalar(elements) && elements.value === null)) {
    listNode.set('elements', doc.createNode([]));
    elements = listNode.get('elements', true);
  }
  if (!isSeq(elements)) throw fail('the list generator\'s elements is not a list');
  const seq = elements as YAMLSeq;
  const existing = seq.items
    .filter(isMap)
    .map(item => ({ service: item.get('service'), environment: item.get('environment') }));
  const taken = options.elements.filter(e =>
    existing.some(x => x.service === e.service && x.environment === e.environment),
  );
  if (taken.length) {
    throw new ConflictError(
      `service '${taken[0].service}' is already in the ApplicationSet of ${options.file} for ${taken.map(e => e.environment).join(', ')}`,
    );
  }
  const spliced = spliceElements(text, seq, options.elements);
  if (spliced !== undefined) return spliced;
  // An empty or flow-style list: through the Document API, which keeps comments but
  // re-renders spacing (e.g. of flow collections). An empty `elements: []` is written
  // in block style once it holds something.
  if (!seq.items.length) seq.flow = false;
  for (const element of options.elements) seq.add(doc.createNode(element));
  return docs.map(d => d.toString({ lineWidth: 0 })).join('');
}

/**
 * A block list that holds items gets the new elements as text inserted after its last
 * item, at the same indentation: every other character of the file stays as written.
 * Undefined when the list is laid out otherwise, or the result would not parse to the
 * same list plus the elements.
 */
function spliceElements(text: string, seq: YAMLSeq, elements: ApplicationSetElement[]): string | undefined {
  const first = seq.items[0] as { range?: [number, number, number] } | undefined;
  const last = seq.items[seq.items.length - 1] as { range?: [number, number, number] } | undefined;
  if (seq.flow || !first?.range || !last?.range) return undefined;
  const lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
  const dash = text.slice(lineStart, first.range[0]).match(/^( *)- +$/);
  if (!dash) return undefined;
  let end = last.range[1];
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  const newline = text.indexOf('\n', end);
  const at = newline === -1 ? text.length : newline + 1;
  const block = stringify(elements)
    .split('\n')
    .filter(Boolean)
    .map(line => `${dash[1]}${line}\n`)
    .join('');
  const result = `${text.slice(0, at)}${newline === -1 ? '\n' : ''}${block}${text.slice(at)}`;
  // Safety net: the result must hold exactly the old items followed by the new ones.
  const before = seq.toJSON();
  const after = parseAllDocuments(result);
  const same = Array.isArray(after) && after.some(d => !d.errors.length && containsList(d.toJS(), [...before, ...elements]));
  return same ? result : undefined;
}

function containsList(value: unknown, expected: unknown[]): boolean {
  if (Array.isArray(value)) {
    if (JSON.stringify(value) === JSON.stringify(expected)) return true;
    return value.some(v => containsList(v, expected));
  }
  if (value && typeof value === 'object') return Object.values(value).some(v => containsList(v, expected));
  return false;
}

function findApplicationSet(docs: Document.Parsed[], name: string | undefined, fail: (m: string) => Error) {
  const sets = docs.filter(d => d.get('kind') === 'ApplicationSet' && String(d.get('apiVersion')).startsWith('argoproj.io/'));
  const named = name === undefined ? sets : sets.filter(d => d.getIn(['metadata', 'name']) === name);
  if (named.length === 1) return named[0];
  if (!named.length) {
    throw fail(name === undefined ? 'holds no argoproj.io ApplicationSet' : `holds no ApplicationSet named '${name}'`);
  }
  throw fail(`holds ${named.length} ApplicationSets; name the one to use in applicationSet.name`);
}
