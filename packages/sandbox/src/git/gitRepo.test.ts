import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_OPTIONS } from '../options';
import { GitRepo } from './gitRepo';

describe('GitRepo', () => {
  let dir: string;
  let repoPath: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', repoPath, ...args], {
      encoding: 'utf8',
    }).trim();

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-sandbox-git-'));
    repoPath = path.join(dir, 'gitops.git');
  });

  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('seeds a bare repository with one commit of the seed directory on main', async () => {
    const repo = await GitRepo.openOrSeed(repoPath, DEFAULT_OPTIONS.seedDir);

    expect(git('rev-parse', '--is-bare-repository')).toBe('true');
    expect(git('rev-list', '--count', 'main')).toBe('1');
    expect(git('log', '-1', '--format=%an <%ae>')).toBe(
      'GitOps Sandbox <sandbox@gitops-sandbox.invalid>',
    );
    const files = await repo.listFiles(await repo.head());
    expect(files).toEqual(
      expect.arrayContaining([
        'argocd/payments-api-dev.yaml',
        'apps/payments-api/dev/values.yaml',
        'apps/orders-api/prod/values.yaml',
      ]),
    );
    const seedValues = await fs.readFile(
      path.join(DEFAULT_OPTIONS.seedDir, 'apps/payments-api/dev/values.yaml'),
      'utf8',
    );
    expect(
      await repo.readFile('main', 'apps/payments-api/dev/values.yaml'),
    ).toBe(seedValues);
    expect(repo.url).toBe(`file://${repoPath}`);
  });

  it('opens an existing repository without seeding it again', async () => {
    await GitRepo.openOrSeed(repoPath, DEFAULT_OPTIONS.seedDir);
    await GitRepo.openOrSeed(repoPath, DEFAULT_OPTIONS.seedDir);

    expect(git('rev-list', '--count', 'main')).toBe('1');
  });

  it('commits changes and deletions on top of the branch head', async () => {
    const repo = await GitRepo.openOrSeed(repoPath, DEFAULT_OPTIONS.seedDir);
    const parent = await repo.head();

    const commit = await repo.commitFiles(
      {
        'apps/new/values.yaml': 'replicas: 2\n',
        'argocd/orders-api-dev.yaml': null,
      },
      'Add new, drop orders-api-dev',
    );

    expect(await repo.head()).toBe(commit);
    expect(git('rev-parse', `${commit}^`)).toBe(parent);
    const files = await repo.listFiles(commit);
    expect(files).toContain('apps/new/values.yaml');
    expect(files).not.toContain('argocd/orders-api-dev.yaml');
    expect(files).toContain('argocd/orders-api-prod.yaml');
  });
});
