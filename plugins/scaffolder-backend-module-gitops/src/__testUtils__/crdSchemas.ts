import Ajv, { type ValidateFunction } from 'ajv';
import fs from 'fs';
import path from 'path';
import yaml from 'yaml';

/** The upstream CustomResourceDefinitions, unmodified (src/templates/crds/SOURCES.md). */
export const CRDS_DIR = path.resolve(__dirname, '../templates/crds');

/**
 * Kubernetes' extensions of OpenAPI v3 in CRD schemas. The API server enforces some of
 * them (list-map keys, CEL rules in x-kubernetes-validations); here they are accepted and
 * not checked, so this validator is a lower bound of what the server accepts.
 */
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];

interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema: object };
}

interface LoadedCrd {
  group: string;
  kind: string;
  versions: CrdVersion[];
  file: string;
}

let crds: LoadedCrd[] | undefined;

/** Every CustomResourceDefinition of the YAML files in CRDS_DIR. */
export function loadCrds(): LoadedCrd[] {
  if (!crds) {
    crds = fs
      .readdirSync(CRDS_DIR)
      .filter(file => /\.ya?ml$/.test(file))
      .flatMap(file =>
        yaml
          .parseAllDocuments(fs.readFileSync(path.join(CRDS_DIR, file), 'utf8'))
          .map(doc => doc.toJS())
          .filter(doc => doc?.kind === 'CustomResourceDefinition')
          .map(doc => ({ group: doc.spec.group, kind: doc.spec.names.kind, versions: doc.spec.versions, file })),
      );
  }
  return crds;
}

/** The kinds (`group/version Kind`) the stored CRDs serve. */
export function servedKinds(): string[] {
  return loadCrds().flatMap(crd => crd.versions.filter(v => v.served).map(v => `${crd.group}/${v.name} ${crd.kind}`));
}

/**
 * The openAPIV3Schema of `kind` in `apiVersion`, from its CRD; undefined when no stored
 * CRD defines the kind (a built-in Kubernetes kind). Throws when the CRD does not serve
 * that version: the API server would refuse the manifest.
 */
export function crdSchema(apiVersion: string, kind: string): object | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const crd = loadCrds().find(c => c.group === group && c.kind === kind);
  if (!crd) return undefined;
  const served = crd.versions.find(v => v.name === version && v.served);
  if (!served?.schema) {
    const versions = crd.versions.filter(v => v.served).map(v => v.name);
    throw new Error(`${crd.file} serves ${kind} in ${versions.join(', ')}, not ${version}`);
  }
  return served.schema.openAPIV3Schema;
}

/**
 * Closes the objects the API server's strict field validation closes (kubectl apply's
 * default, --validate=strict): an object schema with `properties`, no
 * `additionalProperties` and no x-kubernetes-preserve-unknown-fields rejects unknown
 * fields. The schema's own `additionalProperties` stay as they are. Returns a copy.
 */
function closeObjects(schema: any): any {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps names to schemas: recurse into each, not into the map itself.
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as object).map(([name, s]) => [name, closeObjects(s)]))
        : closeObjects(value);
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * The root as the API server sees it: apiVersion, kind and metadata are always allowed,
 * also where the CRD's schema declares only spec and status (Istio's do).
 */
function withTypeMeta(schema: any): any {
  return {
    ...schema,
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...schema.properties },
  };
}

export interface CrdValidator {
  /** Errors of `manifest` against its CRD's schema; [] when valid; undefined when no CRD defines its kind. */
  errors(manifest: any): string[] | undefined;
}

export interface CrdValidatorOptions {
  /** Reject fields the schema does not declare, as kubectl's strict field validation does (default true). */
  strictFields?: boolean;
}

/** Validates manifests against the stored upstream CRDs with ajv. */
export function createCrdValidator({ strictFields = true }: CrdValidatorOptions = {}): CrdValidator {
  // strict: false lets ajv read OpenAPI's vocabulary (nullable, format: int-or-string, ...);
  // formats are not checked (int32, date-time, byte: the API server's business).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  for (const keyword of KUBERNETES_KEYWORDS) ajv.addKeyword({ keyword });
  const compiled = new Map<string, ValidateFunction>();
  return {
    errors(manifest) {
      const key = `${manifest.apiVersion} ${manifest.kind}`;
      let validate = compiled.get(key);
      if (!validate) {
        const schema = crdSchema(manifest.apiVersion, manifest.kind);
        if (!schema) return undefined;
        validate = ajv.compile(strictFields ? closeObjects(withTypeMeta(schema)) : schema);
        compiled.set(key, validate);
      }
      if (validate(manifest)) return [];
      return (validate.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    },
  };
}
