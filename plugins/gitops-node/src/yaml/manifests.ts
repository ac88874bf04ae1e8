import { Document, isMap, isScalar, parseAllDocuments, Scalar } from 'yaml';
import { renderScalar } from './yamlEdit';

/**
 * The documents of a (possibly multi-document, `---` separated) YAML file. Their
 * nodes' ranges index the whole text, so a value of any document can be replaced in
 * place. Throws an Error when any document is not valid YAML.
 */
export function parseManifests(text: string): Document.Parsed[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`not valid YAML: ${doc.errors[0].message}`);
  }
  return docs;
}

/** The first document whose `kind` and `metadata.name` match; undefined when none does. */
export function findManifest(docs: Document.Parsed[], kind: string, name: string): Document.Parsed | undefined {
  return docs.find(doc => isMap(doc.contents) && doc.get('kind') === kind && doc.getIn(['metadata', 'name']) === name);
}

/**
 * The scalar node at `path` (numeric segments index sequences), or a reason why there
 * is none: a missing key or a mapping/sequence where a value was expected.
 */
export function scalarAt(doc: Document.Parsed, path: string[]): Scalar | string {
  const node = doc.getIn(path, true);
  if (node === undefined) return `${path.join('.')} is not set`;
  if (!isScalar(node)) return `${path.join('.')} is not a scalar value`;
  return node;
}

/** A scalar's value as text (numbers and booleans as written); undefined for null. */
export function scalarText(node: Scalar): string | undefined {
  return node.value === null || node.value === undefined ? undefined : String(node.value);
}

/**
 * The text with only `node`'s characters replaced by `value`, in the node's quote
 * style: every other byte (comments, other documents, flow collections) stays.
 */
export function replaceScalar(text: string, node: Scalar, value: string): string {
  if (!node.range) throw new Error('the value has no position in the file');
  const [start, end] = node.range;
  const rendered = renderScalar(value, node.type);
  // An empty value (`key:`) sits right after the colon: a plain value needs a space.
  const gap = start === end && text[start - 1] === ':' ? ' ' : '';
  return text.slice(0, start) + gap + rendered + text.slice(end);
}
