import { createMockDirectory, mockServices } from '@backstage/backend-test-utils';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { setYamlValue } from '@gitops-suite/backstage-plugin-gitops-node';
import {
  GithubPullRequests,
  GitopsRepositoryWriter,
  ScmCredentials,
} from '@gitops-suite/backstage-plugin-gitops-node';
// The writer's own git runner, mocked to let another writer push in the middle of a write.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import * as gitModule from '@gitops-suite/backstage-plugin-gitops-node/src/git/git';
import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import { setupServer } from 'msw/node';
import path from 'path';
import yaml from 'yaml';
import { fakeGithub, GITHUB } from '../__testUtils__/fakeGithub';
import { commitFiles, createBareRepo, readRepo } from '../__testUtils__/gitRepos';
import { createRegisterServiceAction } from './registerService';
import { examples } from './registerService.examples';

jest.mock('@gitops-suite/backstage-plugin-gitops-node/src/git/git', () => {
  const actual = jest.requireActual('@gitops-suite/backstage-plugin-gitops-node/src/git/git');
  return { ...actual, git: jest.fn(actual.git) };
});
const realGit = jest.requireActual('@gitops-suite/backstage-plugin-gitops-node/src/git/git').git;
// Each test clones, commits and pushes real repositories: slow on a busy machine.
jest.setTimeout(30_000);

const author = { name: 'Backstage GitOps', email: 'gitops@backstage.local' };
/** An ApplicationSet laid out as README.md documents it, with comments that must survive. */
const APPLICATION_SET = `# Every service in every environment, one Application per element.
# gitops:service:register adds elements; people review them like any other change.
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: services
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - list:
        elements:
          # registered by hand before the golden path existed
          - service: billing-api
            environment: dev
            path: apps/billing-api/dev
            namespace: billing-api-dev
  template:
    metadata:
      name: '{{.service}}-{{.environment}}'
      labels:
        app.kubernetes.io/name: '{{.service}}'
        gitops.backstage.io/environment: '{{.environment}}'
    spec:
      project: default
      source:
        repoURL: https://github.com/acme/gitops.git
        targetRevision: main
        path: '{{.path}}' # the environment's values directory
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{.namespace}}'
      syncPolicy:
        automated: { prune: true, selfHeal: true }
        syncOptions: [CreateNamespace=true]
`;
const SEED = {
  'README.md': '# GitOps\n',
  'argocd/billing-api-dev.yaml': 'kind: Application\n',
  'apps/billing-api/dev/values.yaml': 'image:\n  tag: "1.0.0"\n',
  'argocd/services.yaml': APPLICATION_SET,
};
const integrations = ScmIntegrations.fromConfig(
  mockServices.rootConfig({ data: { integrations: { github: [{ host: 'github.com', token: 'ghp_test' }] } } }),
);
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
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const dir = createMockDirectory();
  let repoUrl: string;
  const action = (defaultRepoUrl?: string) => {
    const credentials = ScmCredentials.fromIntegrations(integrations);
    return createRegisterServiceAction({
      defaultRepoUrl,
      writer: new GitopsRepositoryWriter({ workDir: dir.resolve('work'), author, credentials }),
      pullRequests: [new GithubPullRequests(integrations, credentials)],
    });
  };
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
    expect(repo.log).toMatch(
      /^Backstage GitOps <gitops@backstage.local>\|Register checkout-api in dev, staging, prod\n\nBackstage-Task-Id: mock-task-id\/register\/checkout-api\n/,
    );

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
      /service 'billing-api' is already registered: apps\/billing-api\/dev\/values.yaml, argocd\/billing-api-dev.yaml exist \(on main of file:\/\/.*gitops.git\)/,
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

  describe('through a GitHub pull request', () => {
    let bare: string;
    let fakeHost: ReturnType<typeof fakeGithub>;
    let opened: Array<Record<string, string>>;

    beforeEach(() => {
      bare = repoUrl.slice('file://'.length);
      fakeHost = fakeGithub(server, bare, 12);
      opened = fakeHost.opened;
    });
    afterEach(() => fakeHost.restore());

    const show = (ref: string, file?: string) =>
      realGit(path.dirname(bare), ['--git-dir', bare, ...(file ? ['show', `${ref}:${file}`] : ['rev-parse', ref])]);

    it('pushes to gitops/register-<service> and opens one pull request into the branch', async () => {
      const before = await readRepo(repoUrl);
      const ctx = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api', repoUrl: `${GITHUB}.git`, method: 'pull-request' });
      await action().handler(ctx);

      expect(opened).toEqual([{
        base: 'main',
        head: 'gitops/register-checkout-api',
        title: 'Register checkout-api in dev, staging, prod',
        body: 'Backstage-Task-Id: mock-task-id/register/checkout-api',
        authorization: 'token ghp_test',
      }]);
      const branchHead = await show('gitops/register-checkout-api');
      expect(ctx.output).toHaveBeenCalledWith('pullRequestUrl', `${GITHUB}/pull/12`);
      expect(ctx.output).toHaveBeenCalledWith('commitHash', branchHead);
      // main waits for a person to merge
      expect((await readRepo(repoUrl)).head).toBe(before.head);
      expect(yaml.parse(await show('gitops/register-checkout-api', 'argocd/checkout-api-prod.yaml')).spec.source.repoURL).toBe(`${GITHUB}.git`);
      expect(await show('gitops/register-checkout-api', 'apps/checkout-api/dev/values.yaml')).toContain('repository: ghcr.io/acme/checkout-api');
      expect(await show('gitops/register-checkout-api~1')).toBe(before.head);

      // A retried task finds its commit on the branch and the pull request already open.
      const retry = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api', repoUrl: `${GITHUB}.git`, method: 'pull-request' });
      await action().handler(retry);
      expect(opened).toHaveLength(1);
      expect(await show('gitops/register-checkout-api')).toBe(branchHead);
      expect(retry.output).toHaveBeenCalledWith('pullRequestUrl', `${GITHUB}/pull/12`);
      expect(retry.output).toHaveBeenCalledWith('commitHash', branchHead);
    });

    it('refuses a service already on the branch before opening anything', async () => {
      const ctx = contextFor({ service: 'billing-api', imageRepository: 'ghcr.io/acme/billing-api', repoUrl: GITHUB, method: 'pull-request' });
      await expect(action().handler(ctx)).rejects.toMatchObject({ name: 'ConflictError' });
      expect(opened).toEqual([]);
      await expect(show('gitops/register-billing-api')).rejects.toThrow();
    });

    it('refuses a repository no GitHub integration covers, before writing', async () => {
      const before = await readRepo(repoUrl);
      const ctx = contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api', method: 'pull-request' });
      await expect(action().handler(ctx)).rejects.toThrow(
        /method 'pull-request' needs a GitHub integration \(integrations.github\) covering file:\/\/.*gitops.git/,
      );
      await expect(action().handler({ ...ctx, isDryRun: true })).rejects.toMatchObject({ name: 'InputError' });
      expect((await readRepo(repoUrl)).head).toBe(before.head);
      expect(opened).toEqual([]);
    });

    it('opens nothing in a dry run', async () => {
      const ctx = {
        ...contextFor({ service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api', repoUrl: GITHUB, method: 'pull-request' }),
        isDryRun: true,
      };
      const info = jest.spyOn(ctx.logger, 'info');
      await action().handler(ctx);
      expect(opened).toEqual([]);
      await expect(show('gitops/register-checkout-api')).rejects.toThrow();
      expect(info).toHaveBeenCalledWith(
        `Dry run: would push to gitops/register-checkout-api and open a pull request into main of ${GITHUB}`,
      );
    });

    it.each(examples.map((example, index) => [index, example.description]))(
      'runs its documented example %i: %s',
      async index => {
        const step = yaml.parse(examples[index as number].example).steps[0];
        // An https example writes through the GitHub URL (rewritten to the bare
        // repository); the others to gitops.scaffolder.gitopsRepoUrl.
        const github = step.input.repoUrl?.startsWith(GITHUB);
        const ctx = contextFor({ ...step.input, repoUrl: github ? step.input.repoUrl : undefined });
        await action(repoUrl).handler(ctx);
        const written: string[] = (ctx.output as jest.Mock).mock.calls.find(([name]) => name === 'files')[1];
        const ref = step.input.method === 'pull-request' ? `gitops/register-${step.input.service}` : 'main';
        for (const file of written) await expect(show(ref, file)).resolves.toBeTruthy();
        expect(written.length).toBeGreaterThan(2);
        expect(opened).toHaveLength(step.input.method === 'pull-request' ? 1 : 0);
      },
    );
  });

  describe('into an ApplicationSet', () => {
    const input = {
      service: 'checkout-api',
      imageRepository: 'ghcr.io/acme/checkout-api',
      applicationSet: { file: 'argocd/services.yaml' },
    };

    it('adds list generator elements and values files in one commit, keeping the file as written', async () => {
      const before = await readRepo(repoUrl);
      const ctx = contextFor(input);
      await action().handler(ctx);
      const repo = await readRepo(repoUrl);
      expect(repo.commits).toBe(before.commits + 1);
      const added = Object.keys(repo.files).filter(f => !(f in before.files)).sort();
      expect(added).toEqual([
        'apps/checkout-api/dev/values.yaml',
        'apps/checkout-api/prod/values.yaml',
        'apps/checkout-api/staging/values.yaml',
      ]);
      expect(ctx.output).toHaveBeenCalledWith('files', [
        'apps/checkout-api/dev/values.yaml',
        'apps/checkout-api/staging/values.yaml',
        'apps/checkout-api/prod/values.yaml',
        'argocd/services.yaml',
      ]);
      expect(ctx.output).toHaveBeenCalledWith('commitHash', repo.head);

      const text = repo.files['argocd/services.yaml'];
      // Only the new elements are inserted: every line of the original stays, comments included.
      expect(text).toBe(APPLICATION_SET.replace('  template:\n', `${[
        '          - service: checkout-api',
        '            environment: dev',
        '            path: apps/checkout-api/dev',
        '            namespace: checkout-api-dev',
        '          - service: checkout-api',
        '            environment: staging',
        '            path: apps/checkout-api/staging',
        '            namespace: checkout-api-staging',
        '          - service: checkout-api',
        '            environment: prod',
        '            path: apps/checkout-api/prod',
        '            namespace: checkout-api-prod',
      ].join('\n')}\n  template:\n`));
      const set = yaml.parse(text);
      expect(() => new ApplicationSet(set).validate()).not.toThrow();
      expect(set.spec.generators[0].list.elements.map((e: any) => `${e.service}-${e.environment}`)).toEqual([
        'billing-api-dev', 'checkout-api-dev', 'checkout-api-staging', 'checkout-api-prod',
      ]);
    });

    it('refuses (409) a service the ApplicationSet already lists, and pushes nothing', async () => {
      const before = await readRepo(repoUrl);
      // billing-api has dev in the set but no staging values yet: only the set conflicts
      const ctx = contextFor({ ...input, service: 'billing-api', environments: ['dev'], valuesPathTemplate: 'values/{service}-{environment}.yaml' });
      await expect(action().handler(ctx)).rejects.toThrow(
        /service 'billing-api' is already in the ApplicationSet of argocd\/services.yaml for dev \(on main of file:/,
      );
      await expect(action().handler(ctx)).rejects.toMatchObject({ name: 'ConflictError' });
      expect((await readRepo(repoUrl)).head).toBe(before.head);
    });

    it.each([
      [{ file: 'argocd/missing.yaml' }, /applicationSet.file 'argocd\/missing.yaml' does not exist in the repository/],
      [{ file: 'argocd/billing-api-dev.yaml' }, /applicationSet.file 'argocd\/billing-api-dev.yaml': holds no argoproj.io ApplicationSet/],
      [{ file: 'argocd/services.yaml', name: 'other' }, /holds no ApplicationSet named 'other'/],
      [{ file: '../services.yaml' }, /applicationSet.file '..\/services.yaml' must be a relative path/],
    ])('refuses applicationSet %j and pushes nothing', async (applicationSet, message) => {
      const before = await readRepo(repoUrl);
      const ctx = contextFor({ ...input, applicationSet });
      await expect(action().handler(ctx)).rejects.toThrow(message);
      await expect(action().handler(ctx)).rejects.toMatchObject({ name: 'InputError' });
      expect((await readRepo(repoUrl)).head).toBe(before.head);
    });

    it('does not need an application path template', async () => {
      await action().handler(contextFor({ ...input, applicationPathTemplate: 'ignored.yaml' }));
      expect(Object.keys((await readRepo(repoUrl)).files)).not.toContain('ignored.yaml');
    });
  });
});
