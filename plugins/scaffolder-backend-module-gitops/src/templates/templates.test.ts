import { mockServices } from '@backstage/backend-test-utils';
import fs from 'fs';
import path from 'path';
import yaml from 'yaml';
import { createPromoteAction } from '../actions/promote';
import { createPublishLocalAction } from '../actions/publishLocal';
import { createRegisterServiceAction } from '../actions/registerService';
import { createSetImageAction } from '../actions/setImage';
import { BUILT_IN_ACTIONS, expressionsIn, loadTemplates, TEMPLATES_DIR } from '../__testUtils__/templateFiles';

const author = { name: 'a', email: 'a@b.c' };
const writer = { write: async () => ({ sha: 'x', alreadyPushed: false, unchanged: false }) };
const OUR_ACTIONS = [
  createSetImageAction({ writer }),
  createPublishLocalAction({ baseDir: '/tmp', author }),
  createRegisterServiceAction({ writer }),
  createPromoteAction({ discovery: mockServices.discovery(), auth: mockServices.auth() }),
];

describe('templates/', () => {
  const templates = loadTemplates();

  it('holds the two golden paths and the promotion form', () => {
    expect(templates.map(t => path.basename(t.dir)).sort()).toEqual(['node-service', 'promote', 'python-service']);
  });

  it('is what examples/templates.yaml lists', () => {
    const location = yaml.parse(fs.readFileSync(path.join(TEMPLATES_DIR, '../examples/templates.yaml'), 'utf8'));
    expect(location).toMatchObject({ apiVersion: 'backstage.io/v1alpha1', kind: 'Location' });
    const targets = location.spec.targets.map((t: string) => path.resolve(TEMPLATES_DIR, '../examples', t));
    expect(targets.sort()).toEqual(templates.map(t => t.file).sort());
  });

  describe.each(loadTemplates().map(t => [path.basename(t.dir), t]))('%s', (_name, { dir, doc }) => {
    const steps: any[] = doc.spec.steps;
    const properties = Object.assign({}, ...doc.spec.parameters.map((page: any) => page.properties));

    it('is a scaffolder.backstage.io/v1beta3 Template with an owner, a type and a form', () => {
      expect(doc).toMatchObject({
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        kind: 'Template',
        metadata: { name: expect.stringMatching(/^[a-z0-9-]+$/), title: expect.any(String), description: expect.any(String) },
        spec: { owner: expect.any(String), type: expect.any(String) },
      });
      for (const page of doc.spec.parameters) {
        for (const field of page.required ?? []) expect(Object.keys(page.properties)).toContain(field);
      }
    });

    it('uses only actions that exist, with inputs they declare', () => {
      const known = [...BUILT_IN_ACTIONS, ...OUR_ACTIONS.map(a => a.id)];
      expect(steps.map(s => s.action).filter(id => !known.includes(id))).toEqual([]);
      const problems = steps.flatMap(step => {
        const schema = OUR_ACTIONS.find(a => a.id === step.action)?.schema?.input as any;
        if (!schema) return [];
        const given = Object.keys(step.input ?? {});
        return [
          ...given.filter(key => !(key in schema.properties)).map(key => `${step.id}: unknown input ${key}`),
          ...(schema.required ?? []).filter((key: string) => !given.includes(key)).map((key: string) => `${step.id}: missing ${key}`),
        ];
      });
      expect(problems).toEqual([]);
      for (const step of steps) expect(step.id).toMatch(/^[a-z][a-z0-9-]*$/);
    });

    it('refers only to its own parameters and to steps that ran before', () => {
      const seen: string[] = [];
      const check = (expression: string) => {
        for (const [, name] of expression.matchAll(/parameters\.(\w+)/g)) expect(Object.keys(properties)).toContain(name);
        for (const m of expression.matchAll(/steps\[['"]([\w-]+)['"]\]|steps\.([\w-]+)/g)) expect(seen).toContain(m[1] ?? m[2]);
      };
      for (const step of steps) {
        expressionsIn(step.input).forEach(check);
        seen.push(step.id);
      }
      expressionsIn(doc.spec.output).forEach(check);
    });

    it('fetches skeletons that exist', () => {
      for (const step of steps.filter(s => s.action === 'fetch:template')) {
        expect(fs.statSync(path.resolve(dir, step.input.url)).isDirectory()).toBe(true);
      }
    });
  });

  it.each([['node-service'], ['python-service']])('lets %s choose traffic routing, a load test and secrets', name => {
    const { doc } = loadTemplates().find(t => path.basename(t.dir) === name)!;
    const properties = Object.assign({}, ...doc.spec.parameters.map((page: any) => page.properties));
    expect(properties.trafficRouting).toMatchObject({ type: 'string', enum: ['none', 'istio', 'gatewayApi'], default: 'none' });
    expect(properties.secrets).toMatchObject({ type: 'string', enum: ['none', 'externalSecrets', 'sealedSecrets'], default: 'none' });
    expect(properties.loadTest).toMatchObject({ type: 'boolean', default: false });
    for (const key of ['trafficRouting', 'secrets']) expect(properties[key].enumNames).toHaveLength(properties[key].enum.length);
    const fetch = doc.spec.steps.find((s: any) => s.action === 'fetch:template');
    for (const key of ['trafficRouting', 'loadTest', 'secrets']) expect(fetch.input.values[key]).toBe(`\${{ parameters.${key} }}`);
  });

  it('gives both golden paths the same chart and policies', () => {
    const read = (service: string, sub: string) => {
      const root = path.join(TEMPLATES_DIR, service, 'skeleton', sub);
      const files = fs.readdirSync(root, { recursive: true }) as string[];
      return Object.fromEntries(
        files.filter(f => fs.statSync(path.join(root, f)).isFile()).map(f => [f, fs.readFileSync(path.join(root, f), 'utf8')]),
      );
    };
    for (const sub of ['chart', 'policies']) {
      expect(read('python-service', sub)).toEqual(read('node-service', sub));
    }
  });
});
