import { createMockDirectory, mockServices } from '@backstage/backend-test-utils';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  GithubPullRequests,
  GitopsRepositoryWriter,
  ScmCredentials,
} from '@gitops-suite/backstage-plugin-gitops-node';
// The writer's own git runner, mocked to let another writer push in the middle of a write.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import * as gitModule from '@gitops-suite/backstage-plugin-gitops-node/src/git/git';
import { setupServer } from 'msw/node';
import path from 'path';
import yaml from 'yaml';
import { fakeGithub, GITHUB } from '../__testUtils__/fakeGithub';
import { commitFiles, createBareRepo, readRepo } from '../__testUtils__/gitRepos';
import { createSetImageAction } from './setImage';
import { examples } from './setImage.examples';

jest.mock('@gitops-suite/backstage-plugin-gitops-node/src/git/git', () => {
  const actual = jest.requireActual('@gitops-suite/backstage-plugin-gitops-node/src/git/git');
  return { ...actual, git: jest.fn(actual.git) };
});
const realGit = jest.requireActual('@gitops-suite/backstage-plugin-gitops-node/src/git/git').git;
// Each test clones, commits and pushes real repositories: slow on a busy machine.
jest.setTimeout(30_000);

const author = { name: 'Backstage GitOps', email: 'gitops@backstage.local' };
const VALUES = (tag: string) => `# payments-api in dev
image:
  repository: ghcr.io/example/payments-api
  # bumped by CI
  tag: "${tag}"
replicas: 1
`;
const SEED = {
  'apps/payments-api/dev/values.yaml': VALUES('1.4.0'),
  'apps/payments-api/prod/values.yaml': VALUES('1.3.0').replace('in dev', 'in prod'),
  'envs/prod/orders-api/values.yaml': 'image:\n  repository: ghcr.io/acme/orders-api\n  tag: 0.9.0\n',
  'apps/broken-api/dev/values.yaml': 'image:\n  tag:\n    nested: true\n',
};
const integrations = ScmIntegrations.fromConfig(
  mockServices.rootConfig({ data: { integrations: { github: [{ host: 'github.com', token: 'ghp_test' }] } } }),
);
/** The defaults the handler applies (the scaffolder does not). */
const INPUT = { service: 'payments-api', environment: 'dev', tag: '1.5.0' };

describe('gitops:image:set', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const dir = createMockDirectory();
  let repoUrl: string;
  const action = (defaultRepoUrl?: string) => {
    const credentials = ScmCredentials.fromIntegrations(integrations);
    return createSetImageAction({
      defaultRepoUrl,
      writer: new GitopsRepositoryWriter({ workDir: dir.resolve('work'), author, credentials }),
      pullRequests: [new GithubPullRequests(integrations, credentials)],
    });
  };
  const contextFor = (input: object) =>
    createMockActionContext({ workspacePath: dir.resolve('workspace'), input: { repoUrl, ...input } as any });

  beforeEach(async () => {
    dir.clear();
    repoUrl = await createBareRepo(dir.path, 'gitops', SEED);
    (gitModule.git as jest.Mock).mockImplementation(realGit);
  });

  it('commits the tag to the environment values file of the GitOps repository, keeping the rest of the file', async () => {
    const ctx = contextFor(INPUT);
    await action().handler(ctx);
    const repo = await readRepo(repoUrl);
    expect(repo.files['apps/payments-api/dev/values.yaml']).toBe(VALUES('1.5.0'));
    expect(repo.files['apps/payments-api/prod/values.yaml']).toBe(SEED['apps/payments-api/prod/values.yaml']);
    expect(repo.commits).toBe(2);
    expect(repo.log).toMatch(
      /^Backstage GitOps <gitops@backstage.local>\|Deploy payments-api 1.5.0 to dev\n\nBackstage-Task-Id: mock-task-id\/image\/payments-api\/dev\/1.5.0\n/,
    );
    expect(ctx.output).toHaveBeenCalledWith('valuesPath', 'apps/payments-api/dev/values.yaml');
    expect(ctx.output).toHaveBeenCalledWith('previousTag', '1.4.0');
    expect(ctx.output).toHaveBeenCalledWith('commitHash', repo.head);
    expect(ctx.output).not.toHaveBeenCalledWith('pullRequestUrl', expect.anything());
  });

  it('follows the layout, key and repository it is given, falling back to gitops.scaffolder.gitopsRepoUrl', async () => {
    const ctx = contextFor({
      service: 'orders-api', environment: 'prod', tag: '1.0.0', repository: 'ghcr.io/acme/orders-api-v2',
      valuesPathTemplate: 'envs/{environment}/{service}/values.yaml', repoUrl: undefined, commitMessage: 'Release orders-api 1.0.0',
    });
    await action(repoUrl).handler(ctx);
    const repo = await readRepo(repoUrl);
    expect(repo.files['envs/prod/orders-api/values.yaml']).toBe('image:\n  repository: ghcr.io/acme/orders-api-v2\n  tag: 1.0.0\n');
    expect(repo.log).toMatch(/^[^|]+\|Release orders-api 1.0.0\n/);
    expect(ctx.output).toHaveBeenCalledWith('previousTag', '0.9.0');

    await action().handler(contextFor({ ...INPUT, key: 'canary.image.tag', tag: '1.6.0' }));
    expect(yaml.parse((await readRepo(repoUrl)).files['apps/payments-api/dev/values.yaml']).canary).toEqual({ image: { tag: '1.6.0' } });
  });

  it('commits nothing when the environment already runs the tag, nor when a retried task finds its commit', async () => {
    const same = contextFor({ ...INPUT, tag: '1.4.0' });
    await action().handler(same);
    let repo = await readRepo(repoUrl);
    expect(repo.commits).toBe(1);
    expect(same.output).toHaveBeenCalledWith('commitHash', repo.head);

    await action().handler(contextFor(INPUT));
    const retry = contextFor(INPUT);
    await action().handler(retry);
    repo = await readRepo(repoUrl);
    expect(repo.commits).toBe(2);
    expect(retry.output).toHaveBeenCalledWith('commitHash', repo.head);
  });

  it('re-applies the edit on top when another writer pushed first', async () => {
    let raced = false;
    (gitModule.git as jest.Mock).mockImplementation(async (cwd: string, args: string[], opts: unknown) => {
      if (args[0] === 'push' && !raced) {
        raced = true;
        await commitFiles(repoUrl, { 'apps/payments-api/prod/values.yaml': VALUES('1.4.0') }, 'Promote 1.4.0 to prod');
      }
      return realGit(cwd, args, opts);
    });
    const ctx = contextFor(INPUT);
    await action().handler(ctx);
    const repo = await readRepo(repoUrl);
    expect(raced).toBe(true);
    expect(repo.commits).toBe(3);
    expect(repo.files['apps/payments-api/prod/values.yaml']).toContain('"1.4.0"');
    expect(repo.files['apps/payments-api/dev/values.yaml']).toContain('"1.5.0"');
    expect(ctx.output).toHaveBeenCalledWith('commitHash', repo.head);
  });

  it('changes nothing in a dry run', async () => {
    const before = await readRepo(repoUrl);
    const ctx = { ...contextFor(INPUT), isDryRun: true };
    const info = jest.spyOn(ctx.logger, 'info');
    await action().handler(ctx);
    expect((await readRepo(repoUrl)).head).toBe(before.head);
    expect(info).toHaveBeenCalledWith(
      `Dry run: would set image.tag of apps/payments-api/dev/values.yaml in ${repoUrl} to 1.5.0 and commit to main`,
    );
    expect(ctx.output).not.toHaveBeenCalledWith('commitHash', expect.anything());
  });

  it.each([
    [{ tag: '1.5.0\nmalicious: true' }, /tag '1.5.0\nmalicious: true' is not a valid image tag/],
    [{ service: '../etc' }, /service '..\/etc' must be a DNS label/],
    [{ environment: 'Prod' }, /environment 'Prod' must be a DNS label/],
    [{ valuesPathTemplate: '../{service}/{environment}.yaml' }, /valuesPathTemplate '..\/payments-api\/dev.yaml' must be a relative path/],
    [{ valuesPathTemplate: 'values.yaml' }, /valuesPathTemplate 'values.yaml' must contain {service} and {environment}/],
    [{ key: 'image..tag' }, /key 'image..tag' is not a valid YAML key path/],
    [{ repository: 'Not A Repo' }, /repository 'Not A Repo' must be a lowercase image repository/],
    [{ environment: 'staging' }, /apps\/payments-api\/staging\/values.yaml does not exist in the repository/],
    [{ service: 'broken-api' }, /apps\/broken-api\/dev\/values.yaml: image.tag is not a scalar value/],
    [{ repoUrl: 'ftp://example.com/gitops' }, /repoUrl 'ftp:\/\/example.com\/gitops' must be an https/],
    [{ repoUrl: undefined }, /repoUrl is required when gitops.scaffolder.gitopsRepoUrl is not configured/],
    [{ branch: '-f' }, /branch '-f' is not a valid branch name/],
    [{ method: 'pull-request' }, /method 'pull-request' needs a GitHub integration \(integrations.github\) covering file:/],
  ])('refuses %j with an InputError and commits nothing', async (input, message) => {
    const before = await readRepo(repoUrl);
    const ctx = contextFor({ ...INPUT, ...input });
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
      fakeHost = fakeGithub(server, bare, 21);
      opened = fakeHost.opened;
    });
    afterEach(() => fakeHost.restore());

    const show = (ref: string, file?: string) =>
      realGit(path.dirname(bare), ['--git-dir', bare, ...(file ? ['show', `${ref}:${file}`] : ['rev-parse', ref])]);

    it('pushes the change to its own branch and opens one pull request', async () => {
      const before = await readRepo(repoUrl);
      const ctx = contextFor({ ...INPUT, environment: 'prod', repoUrl: GITHUB, method: 'pull-request' });
      await action().handler(ctx);
      const branch = 'gitops/image-payments-api-prod-1.5.0';
      expect(opened).toEqual([{
        base: 'main', head: branch, title: 'Deploy payments-api 1.5.0 to prod',
        body: 'Backstage-Task-Id: mock-task-id/image/payments-api/prod/1.5.0', authorization: 'token ghp_test',
      }]);
      expect(await show(branch, 'apps/payments-api/prod/values.yaml')).toBe(VALUES('1.5.0').replace('in dev', 'in prod').trim());
      expect((await readRepo(repoUrl)).head).toBe(before.head);
      expect(ctx.output).toHaveBeenCalledWith('pullRequestUrl', `${GITHUB}/pull/21`);
      expect(ctx.output).toHaveBeenCalledWith('commitHash', await show(branch));
      expect(ctx.output).toHaveBeenCalledWith('previousTag', '1.3.0');

      await action().handler(contextFor({ ...INPUT, environment: 'prod', repoUrl: GITHUB, method: 'pull-request' }));
      expect(opened).toHaveLength(1);
    });

    it('opens no pull request when the environment already runs the tag', async () => {
      const ctx = contextFor({ ...INPUT, tag: '1.4.0', repoUrl: GITHUB, method: 'pull-request' });
      await action().handler(ctx);
      expect(opened).toEqual([]);
      expect(ctx.output).not.toHaveBeenCalledWith('pullRequestUrl', expect.anything());
    });

    it.each(examples.map((example, index) => [index, example.description]))(
      'runs its documented example %i: %s',
      async index => {
        const step = yaml.parse(examples[index as number].example).steps[0];
        // An https example writes through the GitHub URL (rewritten to the bare
        // repository); the others to gitops.scaffolder.gitopsRepoUrl.
        const ctx = contextFor({ ...step.input, repoUrl: step.input.repoUrl });
        await action(repoUrl).handler(ctx);
        const file = (ctx.output as jest.Mock).mock.calls.find(([name]) => name === 'valuesPath')[1];
        const ref = step.input.method === 'pull-request'
          ? `gitops/image-${step.input.service}-${step.input.environment}-${step.input.tag}`
          : 'main';
        expect(yaml.parse(await show(ref, file)).image.tag).toBe(step.input.tag);
        expect(opened).toHaveLength(step.input.method === 'pull-request' ? 1 : 0);
      },
    );
  });
});
