import { InputError } from '@backstage/errors';
import { Document, isMap, isScalar, isSeq, Scalar, YAMLMap } from 'yaml';
import { parseManifests, scalarText } from '../yaml/manifests';
import type { RepositoryEdit } from './edits';
import { requireManifest, setScalar } from './manifestEdits';
import type { VersionReader } from './readers';
import { parameterReference, renderTemplate, type TemplateSyntax } from './templateParams';
import { requireKeyPath, requireManifestPath, requireRelativePath, requireResourceName, requireRevision } from './validation';
import { editYaml, readExisting, writeIfChanged } from './worktreeFiles';

/**
 * Which field of an ApplicationSet's template holds the version: a path in the
 * template (`['spec', 'source', 'targetRevision']`), a Helm parameter of its source
 * (`spec.source.helm.parameters[]`, or of the `spec.sources[]` entry that has it) by
 * name, or a dotted key of the source's `helm.valuesObject`.
 *
 * @public
 */
export type ApplicationSetField =
  | { kind: 'path'; path: string[] }
  | { kind: 'helmParameter'; name: string }
  | { kind: 'helmValue'; key: string };

/**
 * The list element of an ApplicationSet that generates one application, and the
 * parameter of it that a template field consists of.
 *
 * @public
 */
export interface ApplicationSetElementTarget {
  /** The ApplicationSet's `metadata.name`. */
  applicationSet: string;
  /** The generated application's name, as the template's `metadata.name` renders it. */
  application: string;
  /** The template field that holds the version. */
  field: ApplicationSetField;
}

/**
 * Where {@link findApplicationSetElement} found the version: generator and element
 * indexes, the parameter's keys in the element and its current value.
 *
 * @public
 */
export interface ApplicationSetElement {
  /** The index of the list generator in `spec.generators`. */
  generator: number;
  /** The index of the element in its `list.elements`. */
  element: number;
  /** The parameter's keys in the element, e.g. `['imageTag']` or `['values', 'imageTag']`. */
  parameter: string[];
  /** The full path from the document's root, e.g. `spec.generators.0.list.elements.1.imageTag`. */
  path: string[];
  /** The parameter's value now; undefined when it is empty. */
  value?: string;
}

/** A template field, found in the generator's own template or else the ApplicationSet's. */
interface TemplateValue {
  text: string;
  label: string;
}

const APPLICATION_SET = 'ApplicationSet';
const GENERATOR_KINDS = ['list', 'matrix', 'merge', 'git', 'clusters', 'clusterDecisionResource', 'scmProvider', 'pullRequest', 'plugin'];

/**
 * Sets the version of one application an ApplicationSet generates from a list
 * generator: the element whose parameters render the template's `metadata.name` to
 * `application` gets the parameter that `field` consists of (it must be exactly one
 * reference, such as `'{{.imageTag}}'`) set to `value`. Only the value's characters
 * change (block or flow elements, comments and quotes stay). InputErrors name the file
 * and say what is missing: no element generating the application (listing what the
 * elements generate), a field the template sets to a literal, an element without the
 * parameter (it is never created), generators other than lists, templates using more
 * than plain parameter substitution.
 *
 * @public
 */
export function applicationSetElementEdit(options: ApplicationSetElementTarget & { file: string; value: string }): RepositoryEdit {
  requireRelativePath('file', options.file);
  requireTarget(options);
  requireRevision('value', options.value);
  return async worktree => {
    const text = await readExisting(worktree, options.file);
    const edit = editYaml(options.file, () => {
      const docs = parseManifests(text);
      const doc = requireManifest(docs, APPLICATION_SET, options.applicationSet);
      const found = locate(doc, options);
      return setScalar(text, doc, found.path, options.value, `ApplicationSet '${options.applicationSet}'`);
    });
    return writeIfChanged(worktree, options.file, edit);
  };
}

/**
 * The version {@link applicationSetElementEdit} would change, read from a file's
 * text; undefined when the file does not (or did not, at an older revision) hold it.
 *
 * @public
 */
export function applicationSetElementReader(target: ApplicationSetElementTarget): VersionReader {
  requireTarget(target);
  return text => {
    try {
      return findApplicationSetElement(text, target).value;
    } catch {
      return undefined;
    }
  };
}

/**
 * Finds the element and parameter holding an application's version in a file's text
 * (see {@link applicationSetElementEdit}); throws an InputError saying why not.
 *
 * @public
 */
export function findApplicationSetElement(text: string, target: ApplicationSetElementTarget): ApplicationSetElement {
  const doc = requireManifest(parseManifests(text), APPLICATION_SET, target.applicationSet);
  return locate(doc, target);
}

function requireTarget(target: ApplicationSetElementTarget) {
  requireResourceName('applicationSet', target.applicationSet);
  requireResourceName('application', target.application);
  const field = target.field;
  if (field?.kind === 'path') requireManifestPath('field.path', field.path);
  else if (field?.kind === 'helmParameter') requireKeyPath('field.name', field.name);
  else if (field?.kind === 'helmValue') requireKeyPath('field.key', field.key);
  else throw new InputError(`field '${JSON.stringify(field)}' must be a path, helmParameter or helmValue field`);
}

function locate(doc: Document.Parsed, target: ApplicationSetElementTarget): ApplicationSetElement {
  const syntax: TemplateSyntax = doc.getIn(['spec', 'goTemplate']) === true ? 'go' : 'fasttemplate';
  refuseTemplatePatch(doc, target.field);
  const [generator, element] = findElement(doc, syntax, target);
  const template = templateField(doc, generator, target.field);
  const parameter = parameterReference(template.text, syntax, template.label);
  if (!parameter) {
    throw new InputError(
      `the ApplicationSet's template sets ${template.label} to a literal ('${template.text}'); make it a parameter of the list elements (e.g. '{{.imageTag}}') to promote one application at a time`,
    );
  }
  const path = ['spec', 'generators', String(generator), 'list', 'elements', String(element), ...parameter];
  const node = doc.getIn(path, true);
  if (!isScalar(node)) {
    throw new InputError(
      `element ${element} of generator ${generator} (application '${target.application}') does not set parameter '${parameter.join('.')}', which ${template.label} is; add it to the element, it is not created`,
    );
  }
  return { generator, element, parameter, path, value: scalarText(node) };
}

/** The [generator, element] indexes of the one list element that generates the application. */
function findElement(doc: Document.Parsed, syntax: TemplateSyntax, target: ApplicationSetElementTarget): [number, number] {
  const generators = doc.getIn(['spec', 'generators']);
  if (!isSeq(generators)) throw new InputError(`ApplicationSet '${target.applicationSet}' has no spec.generators list`);
  const matches: Array<[number, number]> = [];
  const generated: string[] = [];
  const others: string[] = [];
  generators.items.forEach((generator, i) => {
    const kind = generatorKind(generator);
    if (kind !== 'list') {
      others.push(`generators[${i}] is ${kind}`);
      return;
    }
    const nameTemplate = templateText(doc, i, ['metadata', 'name'], 'metadata.name');
    const elements = doc.getIn(['spec', 'generators', i, 'list', 'elements']);
    if (doc.hasIn(['spec', 'generators', i, 'list', 'elementsYaml'])) others.push(`generators[${i}] uses elementsYaml`);
    (isSeq(elements) ? elements.items : []).forEach((element, j) => {
      if (!isMap(element)) return;
      const name = renderTemplate(nameTemplate.text, syntax, element.toJSON(), nameTemplate.label);
      if (name === undefined) return;
      generated.push(name);
      if (name === target.application) matches.push([i, j]);
    });
  });
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new InputError(`${matches.length} elements of ApplicationSet '${target.applicationSet}' generate application '${target.application}'`);
  }
  const names = generated.length ? generated.join(', ') : 'none';
  if (others.length) {
    throw new InputError(
      `no list element of ApplicationSet '${target.applicationSet}' generates application '${target.application}' (they generate: ${names}), and only list generators' elements can be edited: ${others.join(', ')}`,
    );
  }
  throw new InputError(
    `no element of ApplicationSet '${target.applicationSet}' generates application '${target.application}'; its elements generate: ${names}`,
  );
}

function generatorKind(generator: unknown): string {
  if (!isMap(generator)) return 'not a mapping';
  const keys = generator.items.map(pair => String(isScalar(pair.key) ? pair.key.value : pair.key));
  return keys.find(key => GENERATOR_KINDS.includes(key)) ?? `unknown (${keys.join(', ')})`;
}

/** The text of a template field: the list generator's own `template` wins over `spec.template`, as in Argo CD. */
function templateText(doc: Document.Parsed, generator: number, path: string[], label: string): TemplateValue {
  const node = templateNode(doc, generator, path);
  if (!isScalar(node) || typeof node.value !== 'string') {
    throw new InputError(`the ApplicationSet's template has no ${label} text`);
  }
  return { text: node.value, label };
}

function templateNode(doc: Document.Parsed, generator: number, path: string[]): unknown {
  const own = doc.getIn(['spec', 'generators', generator, 'list', 'template', ...path], true);
  return own ?? doc.getIn(['spec', 'template', ...path], true);
}

function templateField(doc: Document.Parsed, generator: number, field: ApplicationSetField): TemplateValue {
  if (field.kind === 'path') return templateText(doc, generator, field.path, field.path.join('.'));
  const label = field.kind === 'helmParameter' ? `helm parameter '${field.name}'` : `helm value '${field.key}'`;
  const found = templateSources(doc, generator).flatMap(({ source, path }) => {
    const node = field.kind === 'helmParameter' ? helmParameterValue(source) : source.getIn(['helm', 'valuesObject', ...field.key.split('.')], true);
    return node === undefined ? [] : [{ node, path }];
  });
  if (found.length !== 1) {
    throw new InputError(`the ApplicationSet's template ${found.length ? 'sets' : 'does not set'} ${label}${found.length ? ` in ${found.length} sources` : ''}`);
  }
  const [{ node, path }] = found;
  if (!isScalar(node) || typeof node.value !== 'string') throw new InputError(`the ApplicationSet's template sets ${label} (${path}) to a non-text value`);
  return { text: node.value, label };

  function helmParameterValue(source: YAMLMap): unknown {
    const parameters = source.getIn(['helm', 'parameters']);
    const entry = isSeq(parameters) ? parameters.items.find(item => isMap(item) && item.get('name') === (field as { name: string }).name) : undefined;
    return isMap(entry) ? (entry.get('value', true) as Scalar | undefined) : undefined;
  }
}

/** The template's `spec.source` and each of `spec.sources`, with where they are for messages. */
function templateSources(doc: Document.Parsed, generator: number): Array<{ source: YAMLMap; path: string }> {
  const sources: Array<{ source: YAMLMap; path: string }> = [];
  const single = templateNode(doc, generator, ['spec', 'source']);
  if (isMap(single)) sources.push({ source: single, path: 'spec.source' });
  const multiple = templateNode(doc, generator, ['spec', 'sources']);
  if (isSeq(multiple)) {
    multiple.items.forEach((source, k) => {
      if (isMap(source)) sources.push({ source, path: `spec.sources[${k}]` });
    });
  }
  return sources;
}

/** The key of the template that holds the field, as a templatePatch would name it. */
function fieldKey(field: ApplicationSetField): string {
  if (field.kind === 'path') return field.path[field.path.length - 1];
  return field.kind === 'helmParameter' ? 'parameters' : 'valuesObject';
}

/**
 * A `templatePatch` (Go templates patched over the template) may rewrite the name or
 * the field; when it mentions them the rendered result cannot be told here.
 */
function refuseTemplatePatch(doc: Document.Parsed, field: ApplicationSetField) {
  const patch = doc.getIn(['spec', 'templatePatch']);
  if (typeof patch !== 'string') return;
  const key = fieldKey(field);
  if (patch.includes('metadata') || patch.includes(key)) {
    throw new InputError(`the ApplicationSet's templatePatch changes its metadata or ${key} and can't be evaluated`);
  }
}
