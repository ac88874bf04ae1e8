import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { setYamlValue } from '@internal/backstage-plugin-gitops-common';
import yaml from 'yaml';
import { commitFiles, createBareRepo, readRepo } from '../__testUtils__/gitRepos';
import * as gitModule from '../git/git';
import { createRegisterServiceAction } from './registerService';
import { examples } from './registerService.examples';

jest.mock('../git/git', () => {
  const actual = jest.requireActual('../git/git');
  return { ...actual, git: jest.fn(actual.git) };
});
const realGit = jest.requireActual('../git/git').git;

const author = { name: 'Backstage GitOps', email: 'gitops@backstage.local' };
const SEED = {
  'README.md': '# GitOps\n',
  'argocd/billing-api-dev.yaml': 'kind: Application\n',
  'apps/billing-api/dev/values.yaml': 'image:\n  tag: "1.0.0"\n',
};
/** The defaults zod fills in before the handler runs. */
const DEFAULTS = {
  branch: 'main',
  environments: ['dev', 'staging', 'prod'],
  imageTag: '0.1.0',
  strategy: 'canary',
  manualPromotionIn: ['prod'],
  enforcePoliciesIn: ['prod'],
  project: 'default',
  argocdNamespace: 'argocd',
  destinationServer: 'https://kubernetes.default.svc',
  valuesPathTemplate: 'apps/{service}/{environment}/values.yaml',
  applicationPathTemplate: 'argocd/{service}-{environment}.yaml',
};

describe('gitops:service:register', () => {
  const dir = createMockDirectory();
  let repoUrl: string;
  const action = (defaultRepoUrl?: string) =>
    createRegisterServiceAction({ author, defaultRepoUrl, credentialsFor: () => [] });
  const contextFor = (input: object) =>
    createMockActionContext({
      workspacePath: dir.resolve('workspace'),
      input: { ...DEFAULTS, repoUrl, ...input } as any,
    });

  beforeEach(async () => {
    dir.clear();
    repoUrl = await createBareRepo(dir.path, 'gitops', SEED);
    (gitModule.git as jest.Mock).mockImplementation(realGit);
  });

  it('adds values and an Argo CD Application per environment in one commit', async () => {
    const ctx = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api' });
    await action().handler(ctx);

    const repo = await readRepo(repoUrl);
    const added = Object.keys(repo.files).filter(f => f.includes('checkout-api')).sort();
    expect(added).toEqual([
      'apps/checkout-api/dev/values.yaml',
      'apps/checkout-api/prod/values.yaml',
      'apps/checkout-api/staging/values.yaml',
      'argocd/checkout-api-dev.yaml',
      'argocd/checkout-api-prod.yaml',
      'argocd/checkout-api-staging.yaml',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('commitHash', repo.head);
    expect(ctx.output).toHaveBeenCalledWith('files', expect.arrayContaining(added));
    expect(repo.commits).toBe(2);
    expect(repo.log).toMatch(/^Backstage GitOps <gitops@backstage.local>\|Register checkout-api in dev, staging, prod\n\nBackstage-Task-Id: mock-task-id/);

    const app = yaml.parse(repo.files['argocd/checkout-api-staging.yaml']);
    expect(app).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'checkout-api-staging',
        namespace: 'argocd',
        labels: {
          'app.kubernetes.io/name': 'checkout-api',
          'gitops.backstage.io/environment': 'staging',
        },
      },
      spec: {
        project: 'default',
        source: { repoURL: repoUrl, path: 'apps/checkout-api/staging', targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'checkout-api-staging' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      },
    });
    const dev = yaml.parse(repo.files['apps/checkout-api/dev/values.yaml']);
    expect(dev).toMatchObject({
      image: { repository: 'ghcr.io/acme/checkout-api', tag: '0.1.0' },
      replicas: 1,
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      rollout: { strategy: 'canary' },
      policies: { failureAction: 'Audit' },
    });
    expect(dev.rollout.canary.steps[1]).toEqual({ pause: { duration: '30s' } });
    const prod = yaml.parse(repo.files['apps/checkout-api/prod/values.yaml']);
    expect(prod).toMatchObject({ replicas: 2, policies: { failureAction: 'Enforce' } });
    expect(prod.rollout.canary.steps[1]).toEqual({ pause: {} });
  });

  it('writes values files that CI and promotions can bump with a one-value edit', async () => {
    await action().handler(contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api' }));
    const text = (await readRepo(repoUrl)).files['apps/checkout-api/dev/values.yaml'];
    expect(text).toContain('# the deployed version: CI bumps dev, promotions bump staging and prod\n  tag: "0.1.0"');
    const edit = setYamlValue(text, ['image', 'tag'], 'a1b2c3d');
    expect(edit.text).toBe(text.replace('"0.1.0"', '"a1b2c3d"'));
  });

  it('follows the layout, strategy and replicas it is given', async () => {
    await action().handler(
      contextFor({
        service: 'orders-api',
        imageRepository: 'localhost:5000/team/orders-api',
        imageTag: '2.0.0',
        environments: ['qa', 'live'],
        replicas: { live: 4 },
        strategy: 'blueGreen',
        manualPromotionIn: ['live'],
        enforcePoliciesIn: ['qa', 'live'],
        project: 'team-orders',
        valuesPathTemplate: 'envs/{environment}/{service}/values.yaml',
        applicationPathTemplate: 'applications/{environment}/{service}.yaml',
      }),
    );
    const { files } = await readRepo(repoUrl);
    const live = yaml.parse(files['envs/live/orders-api/values.yaml']);
    expect(live).toMatchObject({
      image: { repository: 'localhost:5000/team/orders-api', tag: '2.0.0' },
      replicas: 4,
      rollout: { strategy: 'blueGreen', blueGreen: { autoPromotionEnabled: false } },
      policies: { failureAction: 'Enforce' },
    });
    expect(yaml.parse(files['envs/qa/orders-api/values.yaml'])).toMatchObject({
      replicas: 1,
      rollout: { blueGreen: { autoPromotionEnabled: true } },
    });
    const app = yaml.parse(files['applications/live/orders-api.yaml']);
    expect(app.spec).toMatchObject({ project: 'team-orders', source: { path: 'envs/live/orders-api' } });
    expect(app.spec.destination.namespace).toBe('orders-api-live');
  });

  it('falls back to gitops.scaffolder.gitopsRepoUrl when no repoUrl is given', async () => {
    const ctx = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api', repoUrl: undefined });
    await action(repoUrl).handler(ctx);
    expect(Object.keys((await readRepo(repoUrl)).files)).toContain('argocd/checkout-api-dev.yaml');
  });

  it('refuses a service that is already registered and pushes nothing', async () => {
    const before = await readRepo(repoUrl);
    const ctx = contextFor({ service: 'billing-api', imageRepository: 'ghcr.io/acme/billing-api' });
    await expect(action().handler(ctx)).rejects.toThrow(
      /service 'billing-api' is already registered in .*: apps\/billing-api\/dev\/values.yaml, argocd\/billing-api-dev.yaml exist on main/,
    );
    await expect(action().handler(ctx)).rejects.toMatchObject({ name: 'ConflictError' });
    expect((await readRepo(repoUrl)).head).toBe(before.head);
  });

  it('rebases and pushes again when another writer pushed first', async () => {
    let raced = false;
    (gitModule.git as jest.Mock).mockImplementation(async (cwd: string, args: string[], opts: unknown) => {
      if (args[0] === 'push' && !raced) {
        raced = true;
        await commitFiles(repoUrl, { 'apps/billing-api/dev/values.yaml': 'image:\n  tag: "1.1.0"\n' }, 'Deploy 1.1.0');
      }
      return realGit(cwd, args, opts);
    });
    const ctx = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api' });
    await action().handler(ctx);
    const repo = await readRepo(repoUrl);
    expect(raced).toBe(true);
    expect(repo.commits).toBe(3);
    expect(repo.files['apps/billing-api/dev/values.yaml']).toContain('1.1.0');
    expect(repo.files['argocd/checkout-api-prod.yaml']).toBeDefined();
    expect(ctx.output).toHaveBeenCalledWith('commitHash', repo.head);
  });

  it('refuses when another writer registered the same service meanwhile', async () => {
    let raced = false;
    (gitModule.git as jest.Mock).mockImplementation(async (cwd: string, args: string[], opts: unknown) => {
      if (args[0] === 'push' && !raced) {
        raced = true;
        await commitFiles(repoUrl, { 'argocd/checkout-api-dev.yaml': 'kind: Application\n' }, 'Someone else');
      }
      return realGit(cwd, args, opts);
    });
    const ctx = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api' });
    await expect(action().handler(ctx)).rejects.toThrow(/service 'checkout-api' is already registered/);
    expect((await readRepo(repoUrl)).commits).toBe(2);
  });

  it('returns the commit of an earlier attempt of the same task instead of refusing', async () => {
    const first = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api' });
    await action().handler(first);
    const retry = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api' });
    await action().handler(retry);
    const { head, commits } = await readRepo(repoUrl);
    expect(commits).toBe(2);
    expect(retry.output).toHaveBeenCalledWith('commitHash', head);
  });

  it('changes nothing in a dry run', async () => {
    const before = await readRepo(repoUrl);
    const ctx = {
      ...contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api' }),
      isDryRun: true,
    };
    await action().handler(ctx);
    expect((await readRepo(repoUrl)).head).toBe(before.head);
    expect(ctx.output).toHaveBeenCalledWith('files', expect.arrayContaining(['argocd/checkout-api-dev.yaml']));
    expect(ctx.output).not.toHaveBeenCalledWith('commitHash', expect.anything());
  });

  it.each([
    [{ service: 'Checkout_API' }, /service 'Checkout_API' must be a DNS label/],
    [{ service: 'a'.repeat(60) }, /service and environment 'a{60}-dev' must be a DNS label/],
    [{ environments: ['dev', 'Prod'] }, /environments\[\] 'Prod' must be a DNS label/],
    [{ environments: ['dev', 'dev'] }, /lists one twice/],
    [{ environments: [] }, /at least one environment/],
    [{ imageRepository: 'Checkout' }, /imageRepository 'Checkout' must be a lowercase image repository/],
    [{ imageTag: 'latest' }, /imageTag 'latest' must be a valid image tag other than 'latest'/],
    [{ imageTag: '1.0\nx: y' }, /must be a valid image tag/],
    [{ resources: { requests: { cpu: 'lots', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }, /resources.requests.cpu 'lots' is not a Kubernetes quantity/],
    [{ valuesPathTemplate: '../{service}/{environment}.yaml' }, /valuesPathTemplate '..\/{service}\/{environment}.yaml' must be a relative path/],
    [{ applicationPathTemplate: 'argocd/{service}.yaml' }, /applicationPathTemplate 'argocd\/{service}.yaml' must contain {service} and {environment}/],
    [{ applicationPathTemplate: 'apps/{service}/{environment}/values.yaml' }, /writes apps\/checkout-api\/dev\/values.yaml twice/],
    [{ repoUrl: 'ftp://example.com/gitops' }, /repoUrl 'ftp:\/\/example.com\/gitops' must be an https/],
    [{ repoUrl: '--upload-pack=evil' }, /repoUrl '--upload-pack=evil' must be/],
    [{ repoUrl: undefined }, /repoUrl is required when gitops.scaffolder.gitopsRepoUrl is not configured/],
    [{ branch: '-f' }, /branch '-f' is not a valid branch name/],
  ])('refuses %j and pushes nothing', async (input, message) => {
    const before = await readRepo(repoUrl);
    const ctx = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api', ...input });
    await expect(action().handler(ctx)).rejects.toThrow(message);
    await expect(action().handler(ctx)).rejects.toMatchObject({ name: 'InputError' });
    expect((await readRepo(repoUrl)).head).toBe(before.head);
  });

  it.each(examples.map((example, index) => [index, example.description]))(
    'runs its documented example %i: %s',
    async index => {
      const step = yaml.parse(examples[index as number].example).steps[0];
      // the example's https repository stands in for the test's local bare one
      const ctx = contextFor({ ...step.input, repoUrl: undefined });
      await action(repoUrl).handler(ctx);
      const { files } = await readRepo(repoUrl);
      const written = (ctx.output as jest.Mock).mock.calls.find(([name]) => name === 'files')[1];
      for (const file of written) expect(files[file]).toBeDefined();
      expect(written.length).toBeGreaterThan(2);
    },
  );
});
