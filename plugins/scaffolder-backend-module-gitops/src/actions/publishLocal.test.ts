import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'fs';
import yaml from 'yaml';
import { git } from '@gitops-suite/backstage-plugin-gitops-node';
import { createPublishLocalAction } from './publishLocal';
import { examples } from './publishLocal.examples';

const author = { name: 'Backstage GitOps', email: 'gitops@backstage.local' };

describe('gitops:publish:local', () => {
  const dir = createMockDirectory();
  const workspacePath = () => dir.resolve('workspace');
  const action = () => createPublishLocalAction({ baseDir: dir.resolve('repos'), author });

  beforeEach(() =>
    dir.setContent({
      workspace: {
        'catalog-info.yaml': 'kind: Component\n',
        '.gitignore': 'node_modules/\n',
        node_modules: { 'ignored.js': '' },
        service: { 'package.json': '{}\n', src: { 'index.ts': 'export {};\n' } },
      },
    }),
  );

  async function cloneOf(remoteUrl: string) {
    const clone = dir.resolve('clone');
    fs.rmSync(clone, { recursive: true, force: true });
    await git(dir.path, ['clone', '--quiet', remoteUrl, clone]);
    return clone;
  }

  it('publishes the workspace as one commit on main and outputs its URLs', async () => {
    const ctx = createMockActionContext({
      workspacePath: workspacePath(),
      input: { repoName: 'payments-api', defaultBranch: 'main', gitCommitMessage: 'Initial commit' },
    });
    await action().handler(ctx);

    const remoteUrl = `file://${dir.resolve('repos/payments-api.git')}`;
    expect(ctx.output).toHaveBeenCalledWith('remoteUrl', remoteUrl);
    expect(ctx.output).toHaveBeenCalledWith(
      'repoContentsUrl',
      'https://gitops.local/payments-api/blob/main',
    );
    const clone = await cloneOf(remoteUrl);
    const hash = await git(clone, ['rev-parse', 'HEAD']);
    expect(ctx.output).toHaveBeenCalledWith('commitHash', hash);
    expect(await git(clone, ['log', '--format=%an <%ae> %s'])).toBe(
      'Backstage GitOps <gitops@backstage.local> Initial commit',
    );
    expect((await git(clone, ['ls-files'])).split('\n').sort()).toEqual([
      '.gitignore',
      'catalog-info.yaml',
      'service/package.json',
      'service/src/index.ts',
    ]);
    expect(await git(clone, ['branch', '--show-current'])).toBe('main');
    // the workspace stays as it was: no .git left behind for later steps to trip on
    expect(fs.existsSync(dir.resolve('workspace/.git'))).toBe(false);
  });

  it('publishes only sourcePath, with the author given', async () => {
    const ctx = createMockActionContext({
      workspacePath: workspacePath(),
      input: {
        repoName: 'svc',
        sourcePath: 'service',
        defaultBranch: 'trunk',
        gitCommitMessage: 'Scaffolded',
        gitAuthorName: 'Jo Dev',
        gitAuthorEmail: 'jo@example.com',
      },
    });
    await action().handler(ctx);
    const clone = await cloneOf(`file://${dir.resolve('repos/svc.git')}`);
    expect(await git(clone, ['ls-files'])).toBe('package.json\nsrc/index.ts');
    expect(await git(clone, ['log', '--format=%an <%ae> %s'])).toBe('Jo Dev <jo@example.com> Scaffolded');
    expect(await git(clone, ['branch', '--show-current'])).toBe('trunk');
  });

  it('creates nothing in a dry run', async () => {
    const ctx = {
      ...createMockActionContext({
        workspacePath: workspacePath(),
        input: { repoName: 'payments-api', defaultBranch: 'main', gitCommitMessage: 'Initial commit' },
      }),
      isDryRun: true,
    };
    await action().handler(ctx);
    expect(fs.existsSync(dir.resolve('repos'))).toBe(false);
    expect(ctx.output).toHaveBeenCalledWith('remoteUrl', expect.stringMatching(/payments-api\.git$/));
    expect(ctx.output).not.toHaveBeenCalledWith('commitHash', expect.anything());
  });

  it('replays a recorded checkpoint instead of failing on its own repository', async () => {
    const recorded = new Map<string, unknown>();
    const ctx = {
      ...createMockActionContext({
        workspacePath: workspacePath(),
        input: { repoName: 'svc', defaultBranch: 'main', gitCommitMessage: 'Initial commit' },
      }),
      // what the task engine does on a retried task: a recorded key is not run again
      async checkpoint({ key, fn }: { key: string; fn: () => Promise<any> }) {
        if (!recorded.has(key)) recorded.set(key, await fn());
        return recorded.get(key) as any;
      },
    };
    await action().handler(ctx);
    await action().handler(ctx);
    const hashes = (ctx.output as jest.Mock).mock.calls.filter(([name]) => name === 'commitHash');
    expect(hashes).toHaveLength(2);
    expect(hashes[0][1]).toBe(hashes[1][1]);
  });

  it('refuses a repository that already exists', async () => {
    const input = { repoName: 'svc', defaultBranch: 'main', gitCommitMessage: 'Initial commit' };
    await action().handler(createMockActionContext({ workspacePath: workspacePath(), input }));
    await expect(
      action().handler(createMockActionContext({ workspacePath: workspacePath(), input })),
    ).rejects.toThrow(/repoName 'svc': a repository already exists/);
  });

  it.each([
    [{ repoName: '../escape' }, /repoName '..\/escape' must be a plain name/],
    [{ repoName: 'a/b' }, /repoName 'a\/b' must be a plain name/],
    [{ repoName: '..' }, /must be a plain name/],
    [{ repoName: '.hidden' }, /repoName '.hidden' must start with a letter or digit/],
    [{ repoName: 'svc.git' }, /without .git/],
    [{ repoName: 'svc', defaultBranch: '-x' }, /defaultBranch '-x' is not a valid branch name/],
    [{ repoName: 'svc', sourcePath: '../..' }, /sourcePath '..\/..' must be inside the workspace/],
    [{ repoName: 'svc', sourcePath: 'missing' }, /sourcePath 'missing' is not a folder/],
  ])('refuses %j and creates nothing', async (input, message) => {
    const ctx = createMockActionContext({
      workspacePath: workspacePath(),
      input: { defaultBranch: 'main', gitCommitMessage: 'Initial commit', ...input },
    });
    await expect(action().handler(ctx)).rejects.toThrow(message);
    expect(fs.existsSync(dir.resolve('repos'))).toBe(false);
  });

  it('runs its documented example', async () => {
    const step = yaml.parse(examples[0].example).steps[0];
    const ctx = createMockActionContext({
      workspacePath: workspacePath(),
      input: { defaultBranch: 'main', gitCommitMessage: 'Initial commit', ...step.input },
    });
    await action().handler(ctx);
    const clone = await cloneOf(`file://${dir.resolve('repos/payments-api.git')}`);
    expect(await git(clone, ['ls-files'])).toBe('package.json\nsrc/index.ts');
  });
});
