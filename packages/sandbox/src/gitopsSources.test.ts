import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { GitRepo } from './git/gitRepo';
import { DEFAULT_OPTIONS } from './options';
import { startTestSandbox, TestSandbox } from './testing/testSandbox';

/**
 * The whole example seed: per-application target revisions (branches, a tag), Helm
 * chart versions, multi-source Applications, ApplicationSets (list and pull request
 * generators) and the Helm repository.
 */
jest.setTimeout(60_000);
describe('sandbox sources', () => {
  let sandbox: TestSandbox;
  let gitops: GitRepo;
  const git = (gitDir: string, ...args: string[]) =>
    execFileSync('git', ['--git-dir', gitDir, ...args], {
      encoding: 'utf8',
    }).trim();

  beforeEach(async () => {
    sandbox = await startTestSandbox({
      seedDir: DEFAULT_OPTIONS.seedDir,
      sourceReposPath: DEFAULT_OPTIONS.sourceReposPath,
    });
    gitops = GitRepo.open(sandbox.repoPath);
  });
  afterEach(() => sandbox.close());

  const app = (name: string) => sandbox.application(name);
  const image = async (name: string) =>
    (await app(name)).status.summary.images[0];

  it('reads each Application at its own targetRevision, reporting the resolved revision', async () => {
    const { body } = await sandbox.argocd('/api/v1/applications');
    expect(body.items).toHaveLength(24);
    for (const item of body.items) {
      expect([
        item.metadata.name,
        item.status.sync.status,
        item.status.health.status,
      ]).toEqual([item.metadata.name, 'Synced', 'Healthy']);
    }
    const sha = (ref: string) =>
      git(sandbox.repoPath, 'rev-parse', `${ref}^{commit}`);
    expect(await image('inventory-api-dev')).toBe(
      'ghcr.io/example/inventory-api:1.3.0',
    );
    expect(await image('inventory-api-staging')).toBe(
      'ghcr.io/example/inventory-api:1.2.0',
    );
    expect((await app('inventory-api-dev')).status.sync.revision).toBe(
      sha('dev'),
    );
    expect((await app('inventory-api-staging')).status.sync.revision).toBe(
      sha('staging'),
    );
    expect((await app('inventory-api-prod')).status.sync.revision).toBe(
      sha('main'),
    );
    expect((await app('ledger-api-staging')).status.sync.revision).toBe(
      sha('ledger-api-seed'),
    );

    const pricing = await app('pricing-api-dev');
    expect(pricing.spec.source.repoURL).toBe(sandbox.helmRepoUrl);
    expect(pricing.status.sync.revision).toBe('1.2.0');
    expect(await image('pricing-api-staging')).toBe(
      'ghcr.io/example/pricing-api:1.1.0',
    );

    const search = await app('search-api-dev');
    expect(search.status.sync.revision).toBeUndefined();
    expect(search.status.sync.revisions).toEqual(['3.0.0', sha('main')]);
    expect(search.status.history[0].revisions).toEqual(['3.0.0', sha('main')]);
    expect(search.status.sync.comparedTo.sources).toHaveLength(2);
    expect(await image('search-api-dev')).toBe(
      'ghcr.io/example/search-api:3.1.0',
    );
    expect(await image('search-api-prod')).toBe(
      'ghcr.io/example/search-api:3.0.0',
    );

    const notify = await app('notify-api-dev');
    expect(await image('notify-api-dev')).toBe(
      'ghcr.io/example/notify-api:1.1.0',
    );
    expect(await image('notify-api-prod')).toBe(
      'ghcr.io/example/notify-api:1.0.0',
    );
    expect(notify.metadata.labels['gitops.backstage.io/environment']).toBe(
      'dev',
    );
    expect(notify.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'ApplicationSet',
        name: 'notify-api',
        uid: expect.any(String),
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('follows a branch: a commit on dev moves inventory-api-dev only', async () => {
    const values = await gitops.readFile(
      'dev',
      'apps/inventory-api/values.yaml',
    );
    const sha = await gitops.commitFiles(
      { 'apps/inventory-api/values.yaml': values.replace('1.3.0', '1.4.0') },
      'Deploy 1.4.0 to dev',
      undefined,
      { branch: 'dev' },
    );
    await sandbox.advance(0);
    expect((await app('inventory-api-dev')).status.sync).toMatchObject({
      status: 'OutOfSync',
      revision: sha,
    });
    expect((await app('inventory-api-prod')).status.sync.status).toBe('Synced');
    await sandbox.advanceUntil(
      async () =>
        (await image('inventory-api-dev')) ===
        'ghcr.io/example/inventory-api:1.4.0',
    );
  });

  it('keeps a pinned tag: main moves ledger-api-dev, staging and prod stay', async () => {
    await sandbox.setImageTag('apps/ledger-api/values.yaml', '2.1.0');
    await sandbox.advance(0);
    expect((await app('ledger-api-dev')).status.sync.status).toBe('OutOfSync');
    expect((await app('ledger-api-staging')).status.sync.status).toBe('Synced');
  });

  it('reports an unknown chart version or revision as a ComparisonError, keeping what runs', async () => {
    const manifest = await sandbox.readFile('argocd/pricing-api-staging.yaml');
    await sandbox.commit(
      {
        'argocd/pricing-api-staging.yaml': manifest.replace(
          'targetRevision: 1.1.0',
          'targetRevision: 9.9.9',
        ),
        'argocd/ledger-api-prod.yaml': (
          await sandbox.readFile('argocd/ledger-api-prod.yaml')
        ).replace(
          'targetRevision: ledger-api-seed',
          'targetRevision: no-such-branch',
        ),
      },
      'Break two apps',
    );
    await sandbox.advance(0);
    const pricing = await app('pricing-api-staging');
    expect(pricing.status.sync.status).toBe('Unknown');
    expect(pricing.status.conditions).toEqual([
      {
        type: 'ComparisonError',
        message: `Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = error fetching chart: Error: chart "pricing-api" version "9.9.9" not found in ${sandbox.helmRepoUrl} repository`,
        lastTransitionTime: expect.any(String),
      },
    ]);
    expect(pricing.status.summary.images).toEqual([
      'ghcr.io/example/pricing-api:1.1.0',
    ]);
    const ledger = await app('ledger-api-prod');
    expect(ledger.status.conditions[0].message).toContain(
      "unable to resolve 'no-such-branch' to a commit SHA",
    );
    await sandbox.advance(3000);
    expect((await app('ledger-api-prod')).status.operationState.phase).toBe(
      'Succeeded',
    );
  });

  it('serves ApplicationSets with their status, and the Helm repository without a token', async () => {
    const list = await sandbox.argocd(
      '/api/v1/applicationsets?projects=default',
    );
    expect(list.body.items.map((a: any) => a.metadata.name)).toEqual([
      'notify-api',
      'orders-api-previews',
    ]);
    const notify = await sandbox.argocd('/api/v1/applicationsets/notify-api');
    expect(
      notify.body.status.resources.map((r: any) => [
        r.name,
        r.status,
        r.health.status,
      ]),
    ).toEqual([
      ['notify-api-dev', 'Synced', 'Healthy'],
      ['notify-api-prod', 'Synced', 'Healthy'],
      ['notify-api-staging', 'Synced', 'Healthy'],
    ]);
    expect(
      notify.body.status.conditions.map((c: any) => [c.type, c.status]),
    ).toEqual([
      ['ErrorOccurred', 'False'],
      ['ParametersGenerated', 'True'],
      ['ResourcesUpToDate', 'True'],
    ]);
    expect(notify.body.status.health.status).toBe('Healthy');
    expect((await sandbox.argocd('/api/v1/applicationsets/nope')).status).toBe(
      404,
    );

    const index = await fetch(`${sandbox.helmRepoUrl}/index.yaml`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('pricing-api-1.2.0.tgz');
    const tarball = await fetch(`${sandbox.helmRepoUrl}/search-api-3.0.0.tgz`);
    expect(tarball.headers.get('content-type')).toBe('application/gzip');
  });

  it('opens a preview for a refs/pull/<n>/head ref and deletes it, finalizer first, when the ref goes', async () => {
    const ordersRepo = path.join(
      path.dirname(sandbox.repoPath),
      'repos/orders-api.git',
    );
    const head = git(ordersRepo, 'rev-parse', 'main');
    git(ordersRepo, 'update-ref', 'refs/pull/7/head', head);
    await sandbox.advance(0);
    const preview = await app('orders-api-pr-7');
    expect(preview.metadata.annotations).toMatchObject({
      'gitops.backstage.io/pr-number': '7',
      'gitops.backstage.io/pr-title': 'Release 2.3.0',
      'gitops.backstage.io/pr-branch': 'pr-7',
      'gitops.backstage.io/pr-author': 'Ali Chen',
      'gitops.backstage.io/pr-head-sha': head,
      'gitops.backstage.io/pr-url':
        'https://github.com/example/orders-api/pull/7',
    });
    expect(preview.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'orders-api',
      'gitops.backstage.io/preview': 'true',
    });
    expect(preview.metadata.finalizers).toEqual([
      'resources-finalizer.argocd.argoproj.io',
    ]);
    expect(preview.status.summary).toEqual({
      images: [`ghcr.io/example/orders-api:pr-7-${head.slice(0, 8)}`],
      externalURLs: ['http://orders-api-pr-7.preview.example.com/'],
    });

    git(ordersRepo, 'update-ref', '-d', 'refs/pull/7/head');
    await sandbox.advance(0);
    expect((await app('orders-api-pr-7')).metadata.deletionTimestamp).toEqual(
      expect.any(String),
    );
    await sandbox.advance(3100);
    expect(
      (await sandbox.argocd('/api/v1/applications/orders-api-pr-7')).status,
    ).toBe(404);
  });
});
