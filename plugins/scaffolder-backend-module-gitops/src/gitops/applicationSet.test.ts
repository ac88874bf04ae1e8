import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import { parseAllDocuments } from 'yaml';
import { addApplicationSetElements, type ApplicationSetElement } from './applicationSet';

const head = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: services
  namespace: argocd
spec:
`;
const template = `  template:
    metadata:
      name: '{{service}}-{{environment}}'
    spec:
      project: default
      source: { repoURL: 'https://github.com/acme/gitops.git', targetRevision: main, path: '{{path}}' }
      destination: { server: 'https://kubernetes.default.svc', namespace: '{{namespace}}' }
`;
const element = (environment: string): ApplicationSetElement => ({
  service: 'checkout-api', environment, path: `apps/checkout-api/${environment}`, namespace: `checkout-api-${environment}`,
});
const add = (text: string, name?: string) =>
  addApplicationSetElements(text, { file: 'argocd/services.yaml', name, elements: [element('dev'), element('prod')] });

/** Every ApplicationSet of the text validates, and the named one lists these services. */
function expectValid(text: string, elements: string[], name = 'services') {
  const sets = parseAllDocuments(text as string) as any[];
  for (const doc of sets) expect(() => new ApplicationSet(doc.toJS()).validate()).not.toThrow();
  const set = sets.map(d => d.toJS()).find(s => s.metadata.name === name);
  const list = set.spec.generators.find((g: any) => g.list).list;
  expect(list.elements.map((e: any) => `${e.service}-${e.environment}`)).toEqual(elements);
}

describe('addApplicationSetElements', () => {
  it('appends to a block list at its indentation, leaving every other character as it was', () => {
    const text = `${head}  generators:
  # services, one element per environment
  - list:
      elements:
      - {service: billing-api, environment: dev, path: apps/billing-api/dev, namespace: billing-api-dev}   # by hand
  - clusters: {}
${template}`;
    const result = add(text);
    expect(result).toBe(text.replace('# by hand\n', `# by hand
      - service: checkout-api
        environment: dev
        path: apps/checkout-api/dev
        namespace: checkout-api-dev
      - service: checkout-api
        environment: prod
        path: apps/checkout-api/prod
        namespace: checkout-api-prod
`));
    expectValid(result, ['billing-api-dev', 'checkout-api-dev', 'checkout-api-prod']);
  });

  it.each([
    ['an empty flow list', '        elements: []\n'],
    ['no elements key', '        template: { metadata: {}, spec: { project: default, destination: {} } }\n'],
    ['a null elements', '        elements:\n'],
  ])('fills %s in block style', (_name, elements) => {
    const text = `${head}  # the generator
  generators:
    - list:
${elements}${template}`;
    const result = add(text);
    expect(result).toContain('  # the generator\n');
    expect(result).toContain(`          - service: checkout-api
            environment: dev
            path: apps/checkout-api/dev
            namespace: checkout-api-dev
`);
    // the rest as written (flow collections are not re-wrapped)
    expect(result.endsWith(template)).toBe(true);
    expectValid(result, ['checkout-api-dev', 'checkout-api-prod']);
  });

  it('adds to a flow list through the Document API, keeping comments', () => {
    const text = `${head}  generators:
    # one element per service and environment
    - list: { elements: [{ service: a, environment: dev, path: apps/a/dev, namespace: a-dev }] }
${template}`;
    const result = add(text);
    expect(result).toContain('# one element per service and environment');
    expectValid(result, ['a-dev', 'checkout-api-dev', 'checkout-api-prod']);
  });

  it('picks the ApplicationSet by name in a file of several documents and keeps the others', () => {
    const other = `${head.replace('name: services', 'name: tools')}  generators:\n    - list:\n        elements: []\n${template}`;
    const text = `# platform sets\n${other}---\n${head}  generators:\n    - list:\n        elements:\n          - { service: a, environment: dev, path: apps/a/dev, namespace: a-dev }\n${template}`;
    const result = add(text, 'services');
    expect(result.startsWith(`# platform sets\n${other}---\n`)).toBe(true);
    expectValid(result, ['a-dev', 'checkout-api-dev', 'checkout-api-prod']);
    expectValid(result, [], 'tools');
    expect(() => add(text)).toThrow(/holds 2 ApplicationSets; name the one to use in applicationSet.name/);
  });

  it('refuses (409) a service the list already holds in one of the environments', () => {
    const text = `${head}  generators:\n    - list:\n        elements:\n          - { service: checkout-api, environment: prod, path: x, namespace: y }\n${template}`;
    expect(() => add(text)).toThrow(
      expect.objectContaining({ name: 'ConflictError', message: "service 'checkout-api' is already in the ApplicationSet of argocd/services.yaml for prod" }),
    );
  });

  it.each([
    ['not YAML', 'a: [', /argocd\/services.yaml': not valid YAML/],
    ['an Application', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\n', /holds no argoproj.io ApplicationSet/],
    ['no generators', `${head}  template: {}\n`, /spec.generators is not a list/],
    ['no list generator', `${head}  generators:\n    - git: { repoURL: x, revision: main }\n${template}`, /has no list generator/],
    ['elements that are not a list', `${head}  generators:\n    - list:\n        elements: x\n${template}`, /elements is not a list/],
  ])('refuses %s with an InputError naming the file', (_name, text, message) => {
    expect(() => add(text)).toThrow(message);
    expect(() => add(text)).toThrow(expect.objectContaining({ name: 'InputError' }));
  });
});
