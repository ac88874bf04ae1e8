import { InputError } from '@backstage/errors';
import fs from 'fs';
import os from 'os';
import path from 'path';
import {
  applicationSetElementEdit,
  applicationSetElementReader,
  findApplicationSetElement,
  type ApplicationSetField,
} from './applicationSetEdits';

const GO = `# one payments-api per environment
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: payments-api
spec:
  goTemplate: true
  generators:
    - list:
        elements:
          - env: dev
            imageTag: "1.5.0"   # dev follows main
            chartVersion: 0.3.0
          - { env: staging, imageTag: '1.4.2', chartVersion: 0.2.0 }
          - env: production
            imageTag: 1.4.1
            chartVersion: 0.2.0
            nested:
              revision: v1.4.1
  template:
    metadata:
      name: 'payments-api-{{ .env }}'
    spec:
      project: default
      source:
        repoURL: https://charts.example.com
        chart: payments-api
        targetRevision: '{{.chartVersion}}'
        helm:
          parameters:
            - name: image.tag
              value: '{{.imageTag}}'
            - name: replicas
              value: "2"
          valuesObject:
            image:
              tag: '{{ .imageTag }}'
            git:
              revision: '{{.nested.revision}}'
      destination:
        name: in-cluster
        namespace: 'payments-{{.env}}'
`;

const FAST = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: orders-api
spec:
  generators:
    - list:
        elements:
          - cluster: staging
            values:
              tag: "2.0.0"
          - cluster: production
            values:
              tag: "1.9.0"
  template:
    metadata:
      name: '{{cluster}}-orders-api'
    spec:
      sources:
        - repoURL: https://github.com/example/gitops
          targetRevision: HEAD
          ref: values
        - repoURL: https://charts.example.com
          chart: orders-api
          targetRevision: 1.0.0
          helm:
            parameters:
              - name: image.tag
                value: '{{ values.tag }}'
`;

const helmParameter: ApplicationSetField = { kind: 'helmParameter', name: 'image.tag' };

describe('applicationSetElementEdit', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appset-edit-'));
    fs.writeFileSync(path.join(dir, 'appset.yaml'), GO);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => fs.writeFileSync(path.join(dir, 'appset.yaml'), text);
  const read = () => fs.readFileSync(path.join(dir, 'appset.yaml'), 'utf8');
  const edit = (application: string, field: ApplicationSetField, value: string, applicationSet = 'payments-api') =>
    applicationSetElementEdit({ file: 'appset.yaml', applicationSet, application, field, value })(dir);

  it("sets the parameter of a block element that a helm parameter consists of, every other byte unchanged", async () => {
    expect(await edit('payments-api-dev', helmParameter, '1.6.0')).toEqual(['appset.yaml']);
    expect(read()).toBe(GO.replace('imageTag: "1.5.0"   # dev', 'imageTag: "1.6.0"   # dev'));
  });

  it('edits a flow element in place', async () => {
    await edit('payments-api-staging', { kind: 'helmValue', key: 'image.tag' }, '1.5.0');
    expect(read()).toBe(GO.replace("{ env: staging, imageTag: '1.4.2', chartVersion: 0.2.0 }", "{ env: staging, imageTag: '1.5.0', chartVersion: 0.2.0 }"));
  });

  it('follows a path of the template, and nested Go parameters', async () => {
    await edit('payments-api-production', { kind: 'path', path: ['spec', 'source', 'targetRevision'] }, '0.3.0');
    await edit('payments-api-production', { kind: 'helmValue', key: 'git.revision' }, 'v1.5.0');
    expect(read()).toBe(
      GO.replace('imageTag: 1.4.1\n            chartVersion: 0.2.0', 'imageTag: 1.4.1\n            chartVersion: 0.3.0').replace(
        'revision: v1.4.1',
        'revision: v1.5.0',
      ),
    );
  });

  it("reads fasttemplate's values.<key> parameters and the source of spec.sources that has the parameter", async () => {
    write(FAST);
    await edit('production-orders-api', helmParameter, '2.0.0', 'orders-api');
    expect(read()).toBe(FAST.replace('tag: "1.9.0"', 'tag: "2.0.0"'));
    expect(findApplicationSetElement(read(), { applicationSet: 'orders-api', application: 'staging-orders-api', field: helmParameter })).toEqual({
      generator: 0,
      element: 0,
      parameter: ['values', 'tag'],
      path: ['spec', 'generators', '0', 'list', 'elements', '0', 'values', 'tag'],
      value: '2.0.0',
    });
  });

  it('finds nothing to change when the element holds the value', async () => {
    expect(await edit('payments-api-dev', helmParameter, '1.5.0')).toEqual([]);
    expect(read()).toBe(GO);
  });

  it('lists what the elements generate when none generates the application', async () => {
    const error = await edit('payments-api-qa', helmParameter, '1.6.0').catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      "appset.yaml: no element of ApplicationSet 'payments-api' generates application 'payments-api-qa'; its elements generate: payments-api-dev, payments-api-staging, payments-api-production",
    );
  });

  it('refuses a field the template sets to a literal', async () => {
    await expect(edit('payments-api-dev', { kind: 'helmParameter', name: 'replicas' }, '3')).rejects.toThrow(
      "appset.yaml: the ApplicationSet's template sets helm parameter 'replicas' to a literal ('2'); make it a parameter",
    );
    write(FAST);
    await expect(edit('staging-orders-api', { kind: 'path', path: ['spec', 'sources', '1', 'targetRevision'] }, '1.1.0', 'orders-api')).rejects.toThrow(
      "the ApplicationSet's template sets spec.sources.1.targetRevision to a literal",
    );
  });

  it('never creates a parameter the element lacks', async () => {
    write(GO.replace('            imageTag: 1.4.1\n', ''));
    await expect(edit('payments-api-production', helmParameter, '1.6.0')).rejects.toThrow(
      "element 2 of generator 0 (application 'payments-api-production') does not set parameter 'imageTag', which helm parameter 'image.tag' is; add it to the element, it is not created",
    );
  });

  it('refuses templates that are more than parameter substitution', async () => {
    write(GO.replace("'payments-api-{{ .env }}'", "'payments-api-{{ .env | lower }}'"));
    await expect(edit('payments-api-dev', helmParameter, '1.6.0')).rejects.toThrow(
      "the ApplicationSet's template metadata.name 'payments-api-{{ .env | lower }}' can't be evaluated",
    );
    write(GO.replace("value: '{{.imageTag}}'", "value: '{{ default \"latest\" .imageTag }}'"));
    await expect(edit('payments-api-dev', helmParameter, '1.6.0')).rejects.toThrow(/helm parameter 'image.tag' .* can't be evaluated/);
  });

  it("edits only list generators' elements", async () => {
    write(GO.replace('    - list:\n', '    - git:\n        repoURL: https://github.com/example/gitops\n        directories: [{ path: apps/* }]\n    - list:\n'));
    await expect(edit('payments-api-dev', helmParameter, '1.6.0')).resolves.toEqual(['appset.yaml']);
    write(
      GO.replace(
        / {2}generators:[\s\S]*? {2}template:/,
        '  generators:\n    - matrix:\n        generators:\n          - clusters: {}\n          - list: { elements: [{ env: dev }] }\n  template:',
      ),
    );
    await expect(edit('payments-api-dev', helmParameter, '1.6.0')).rejects.toThrow(
      "no list element of ApplicationSet 'payments-api' generates application 'payments-api-dev' (they generate: none), and only list generators' elements can be edited: generators[0] is matrix",
    );
  });

  it("lets a list generator's own template name the applications", async () => {
    write(GO.replace('    - list:\n', "    - list:\n        template:\n          metadata:\n            name: 'pay-{{.env}}'\n"));
    await edit('pay-staging', helmParameter, '1.5.0');
    expect(read()).toContain("imageTag: '1.5.0'");
  });

  it('refuses a templatePatch that may change the name or the field', async () => {
    write(GO.replace('  goTemplate: true\n', "  goTemplate: true\n  templatePatch: |\n    spec:\n      source:\n        helm:\n          parameters: []\n"));
    await expect(edit('payments-api-dev', helmParameter, '1.6.0')).rejects.toThrow(
      "the ApplicationSet's templatePatch changes its metadata or parameters and can't be evaluated",
    );
    write(GO.replace('  goTemplate: true\n', "  goTemplate: true\n  templatePatch: |\n    spec:\n      syncPolicy: { automated: {} }\n"));
    await expect(edit('payments-api-dev', helmParameter, '1.6.0')).resolves.toEqual(['appset.yaml']);
  });

  it('names a missing ApplicationSet and rejects bad input before reading', async () => {
    await expect(edit('x', helmParameter, '1.0.0', 'cart-api')).rejects.toThrow("appset.yaml: no ApplicationSet named 'cart-api' in the file");
    expect(() =>
      applicationSetElementEdit({ file: 'appset.yaml', applicationSet: 'payments-api', application: 'a', field: helmParameter, value: '1 .0' }),
    ).toThrow(/value '1 .0' is not a valid/);
    expect(() =>
      applicationSetElementEdit({ file: 'appset.yaml', applicationSet: 'payments-api', application: 'a', field: { kind: 'other' } as any, value: '1' }),
    ).toThrow(/must be a path, helmParameter or helmValue field/);
  });
});

describe('applicationSetElementReader', () => {
  it("reads the element's parameter, undefined when the file does not hold it", () => {
    const reader = (application: string) => applicationSetElementReader({ applicationSet: 'payments-api', application, field: helmParameter });
    expect(reader('payments-api-staging')(GO)).toBe('1.4.2');
    expect(reader('payments-api-production')(GO)).toBe('1.4.1');
    expect(reader('payments-api-qa')(GO)).toBeUndefined();
    expect(reader('payments-api-dev')('kind: [')).toBeUndefined();
  });
});
