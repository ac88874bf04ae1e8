import { InputError } from '@backstage/errors';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { manifestFieldEdit, manifestFieldReader } from './manifestEdits';

const APPS = `# Argo CD applications of staging (team-payments)
apiVersion: v1
kind: ConfigMap
metadata:
  name: payments-api
data:
  targetRevision: "not this one"
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: payments-api   # the chart
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://charts.example.com
    chart: payments-api
    # bumped by promotions
    targetRevision: '1.4.2'
  destination: { server: "https://kubernetes.default.svc", namespace: payments }
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: orders-api
spec:
  sources:
    - repoURL: https://charts.example.com
      chart: orders-api
      targetRevision: 2.0.0 # pinned
    - repoURL: https://github.com/example/gitops
      targetRevision: HEAD
      ref: values
`;

describe('manifestFieldEdit', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-edit-'));
    fs.writeFileSync(path.join(dir, 'apps.yaml'), APPS);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const read = () => fs.readFileSync(path.join(dir, 'apps.yaml'), 'utf8');
  const edit = (name: string, fieldPath: string[], value: string) =>
    manifestFieldEdit({ file: 'apps.yaml', kind: 'Application', name, path: fieldPath, value })(dir);

  it("sets the matching document's value in its quote style, every other byte unchanged", async () => {
    expect(await edit('payments-api', ['spec', 'source', 'targetRevision'], '1.5.0')).toEqual(['apps.yaml']);
    expect(read()).toBe(APPS.replace("targetRevision: '1.4.2'", "targetRevision: '1.5.0'"));
  });

  it('indexes sequences with numeric segments, keeping the trailing comment', async () => {
    await edit('orders-api', ['spec', 'sources', '0', 'targetRevision'], '2.1.0+build.7');
    expect(read()).toBe(APPS.replace('targetRevision: 2.0.0 # pinned', 'targetRevision: 2.1.0+build.7 # pinned'));
    await edit('orders-api', ['spec', 'sources', '1', 'targetRevision'], 'release/2.1');
    expect(manifestFieldReader({ kind: 'Application', name: 'orders-api', path: ['spec', 'sources', '1', 'targetRevision'] })(read())).toBe(
      'release/2.1',
    );
  });

  it('quotes a value that plain YAML would read as a number', async () => {
    await edit('orders-api', ['spec', 'sources', '0', 'targetRevision'], '2.10');
    expect(read()).toContain('targetRevision: "2.10" # pinned');
  });

  it('fills an empty value, keeping the line', async () => {
    fs.writeFileSync(path.join(dir, 'apps.yaml'), APPS.replace("targetRevision: '1.4.2'", 'targetRevision:'));
    await edit('payments-api', ['spec', 'source', 'targetRevision'], '1.5.0');
    expect(read()).toBe(APPS.replace("targetRevision: '1.4.2'", 'targetRevision: 1.5.0'));
  });

  it('finds nothing to change when the value is set', async () => {
    expect(await edit('payments-api', ['spec', 'source', 'targetRevision'], '1.4.2')).toEqual([]);
    expect(read()).toBe(APPS);
  });

  it('names the file, kind and name when no document matches', async () => {
    const error = await edit('cart-api', ['spec', 'source', 'targetRevision'], '1.0.0').catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe("apps.yaml: no Application named 'cart-api' in the file");
  });

  it('refuses a path the document does not set, or that is not a value', async () => {
    await expect(edit('orders-api', ['spec', 'source', 'targetRevision'], '1.0.0')).rejects.toThrow(
      "apps.yaml: Application 'orders-api': spec.source.targetRevision is not set",
    );
    await expect(edit('orders-api', ['spec', 'sources'], '1.0.0')).rejects.toThrow('spec.sources is not a scalar value');
    expect(read()).toBe(APPS);
  });

  it.each([
    [{ value: '1.5.0\nmalicious: true' }, /value '.*' is not a valid chart version or git revision/s],
    [{ value: '--upload-pack=x' }, /not a valid chart version or git revision/],
    [{ value: '1.5.0 ' }, /not a valid chart version/],
    [{ kind: 'Bad Kind' }, /kind 'Bad Kind' is not a valid Kubernetes kind/],
    [{ path: [] }, /path '\[\]' is not a path of keys/],
    [{ file: '../apps.yaml' }, /must be a relative path/],
  ])('rejects %j before reading', (overrides, message) => {
    expect(() =>
      manifestFieldEdit({ file: 'apps.yaml', kind: 'Application', name: 'payments-api', path: ['spec'], value: '1.0.0', ...overrides }),
    ).toThrow(message);
  });

  it('names the file when it is not valid YAML', async () => {
    fs.writeFileSync(path.join(dir, 'apps.yaml'), 'kind: [\n');
    await expect(edit('payments-api', ['spec'], '1.0.0')).rejects.toThrow(/^apps.yaml: not valid YAML/);
  });
});

describe('manifestFieldReader', () => {
  it('reads the value of the matching document, undefined when unset or not YAML', () => {
    const read = (name: string, fieldPath: string[]) => manifestFieldReader({ kind: 'Application', name, path: fieldPath });
    expect(read('payments-api', ['spec', 'source', 'targetRevision'])(APPS)).toBe('1.4.2');
    expect(read('orders-api', ['spec', 'sources', '0', 'targetRevision'])(APPS)).toBe('2.0.0');
    expect(read('orders-api', ['spec', 'source', 'targetRevision'])(APPS)).toBeUndefined();
    expect(read('cart-api', ['spec'])(APPS)).toBeUndefined();
    expect(read('payments-api', ['spec'])('kind: [')).toBeUndefined();
  });
});
