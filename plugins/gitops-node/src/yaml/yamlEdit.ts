import { isMap, isScalar, parseDocument, Scalar } from 'yaml';

/** The outcome of {@link setYamlValue}. @public */
export type YamlEdit = {
  text: string;
  changed: boolean;
  previous?: string;
};

/**
 * Sets a scalar in a YAML document, changing nothing else: when the key exists, only
 * the characters of its value are replaced (keeping its quote style, comments, flow
 * maps and spacing byte for byte); a missing key is added through the yaml Document API.
 * Throws an Error naming the key when the document or the path is not editable.
 *
 * @public
 */
export function setYamlValue(text: string, keyPath: string[], value: string): YamlEdit {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`not valid YAML: ${doc.errors[0].message}`);
  const parentPath = keyPath.slice(0, -1);
  const parent = parentPath.length ? doc.getIn(parentPath) : doc.contents;
  if (parent !== undefined && parent !== null && !isMap(parent)) {
    throw new Error(`${parentPath.join('.') || 'the document'} is not a mapping`);
  }
  const node = doc.getIn(keyPath, true);
  if (node !== undefined && !isScalar(node)) {
    throw new Error(`${keyPath.join('.')} is not a scalar value`);
  }
  const previous = node && (node as Scalar).value !== null ? String((node as Scalar).value) : undefined;
  if (previous === value) return { text, changed: false, previous };
  if (node && (node as Scalar).range) {
    const [start, end] = (node as Scalar).range!;
    return { text: text.slice(0, start) + renderScalar(value, (node as Scalar).type) + text.slice(end), changed: true, previous };
  }
  doc.setIn(keyPath, value);
  return { text: doc.toString(), changed: true, previous };
}

/** The value in the node's original quote style, quoted when plain would not stay a string. */
export function renderScalar(value: string, type?: Scalar.Type): string {
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  const plainIsString = typeof parseDocument(value).toJS() === 'string';
  if (type === 'PLAIN' && plainIsString && !/[:#{}\[\],&*!|>'"%@`\n]/.test(value)) return value;
  return JSON.stringify(value);
}
