import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import type { Entity } from '@backstage/catalog-model';
import { git } from '@gitops-suite/backstage-plugin-gitops-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { SourceChangesReader, sourceRepository } from './SourceChangesReader';

const author = { name: 'Dana Developer', email: 'dana@example.com' };

const entity = (sourceLocation?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', annotations: sourceLocation ? { 'backstage.io/source-location': sourceLocation } : {} },
  spec: {},
});

describe('SourceChangesReader', () => {
  let root: string;
  let remote: string;
  const shas: Record<string, string> = {};

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'source-changes-'));
    remote = path.join(root, 'payments-api.git');
    const work = path.join(root, 'work');
    await git(root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    await git(root, ['clone', '--quiet', remote, work]);
    // 1.4.2 (tag v1.4.2), two fixes, 1.5.0 (tag 1.5.0), then a commit whose SHA is an image tag
    for (const [message, tag] of [
      ['Release 1.4.2', 'v1.4.2'],
      ['Fix rounding of refunds', undefined],
      ['Retry card declines once', undefined],
      ['Release 1.5.0', '1.5.0'],
      ['Log settlement ids', undefined],
    ] as const) {
      fs.writeFileSync(path.join(work, 'CHANGELOG.md'), `${message}\n`, { flag: 'a' });
      await git(work, ['add', 'CHANGELOG.md']);
      await git(work, ['commit', '--quiet', '-m', message], { author });
      shas[message] = await git(work, ['rev-parse', 'HEAD']);
      if (tag) await git(work, ['tag', tag]);
    }
    await git(work, ['push', '--quiet', '--tags', 'origin', 'HEAD:main']);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const reader = (rewriteUrls: Array<{ from: string; to: string }> = []) =>
    new SourceChangesReader({
      workDir: path.join(root, `clones-${Math.random()}`),
      integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
      credentials: { gitConfigFor: async () => [] },
      rewriteUrls,
      logger: mockServices.logger.mock(),
    });

  it('lists the commits between two versions by their git tags (with or without v), newest first', async () => {
    const changes = await reader().between(entity(`url:file://${remote}`), { tag: '1.4.2' }, { tag: '1.5.0' });
    expect(changes).toEqual({
      repoURL: `file://${remote}`,
      from: 'v1.4.2',
      to: '1.5.0',
      truncated: false,
      compareUrl: undefined,
      commits: [
        { sha: shas['Release 1.5.0'], message: 'Release 1.5.0', author: 'Dana Developer', date: expect.any(String) },
        { sha: shas['Retry card declines once'], message: 'Retry card declines once', author: 'Dana Developer', date: expect.any(String) },
        { sha: shas['Fix rounding of refunds'], message: 'Fix rounding of refunds', author: 'Dana Developer', date: expect.any(String) },
      ],
    });
  });

  it('resolves images tagged with a commit SHA to that commit', async () => {
    const sha = shas['Log settlement ids'].slice(0, 7);
    const changes = await reader().between(entity(`url:file://${remote}`), { tag: '1.5.0' }, { tag: sha });
    expect(changes?.commits.map(c => c.message)).toEqual(['Log settlement ids']);
  });

  it('reads repositories through URL rewrites, e.g. the sandbox https://gitops.local/ ones on disk', async () => {
    const changes = await reader([{ from: 'https://gitops.local/', to: `file://${root}/` }]).between(
      entity('url:https://gitops.local/payments-api/tree/main/'), { tag: '1.4.2' }, { tag: '1.5.0' },
    );
    expect(changes?.repoURL).toBe('https://gitops.local/payments-api');
    expect(changes?.commits).toHaveLength(3);
  });

  it('follows tags that moved since its clone (a re-tag, or the repository recreated under the same URL)', async () => {
    const shared = reader();
    const url = entity(`url:file://${remote}`);
    await shared.between(url, { tag: '1.4.2' }, { tag: '1.5.0' });
    // move 1.5.0 back to the second fix: the release is re-cut without "Retry card declines once"
    await git(root, ['--git-dir', remote, 'tag', '-f', '1.5.0', shas['Fix rounding of refunds']]);
    try {
      const changes = await shared.between(url, { tag: '1.4.2' }, { tag: '1.5.0' });
      expect(changes?.commits.map(c => c.message)).toEqual(['Fix rounding of refunds']);
    } finally {
      await git(root, ['--git-dir', remote, 'tag', '-f', '1.5.0', shas['Release 1.5.0']]);
    }
  });

  it('takes a rewrite target without a scheme as a local folder', async () => {
    const changes = await reader([{ from: 'https://gitops.local/', to: path.relative(process.cwd(), root) }]).between(
      entity('url:https://gitops.local/payments-api/tree/main/'), { tag: '1.4.2' }, { tag: '1.5.0' },
    );
    expect(changes?.commits).toHaveLength(3);
  });

  it('says why when a version has no tag or commit, or the repository cannot be read', async () => {
    await expect(reader().between(entity(`url:file://${remote}`), { tag: '1.4.2' }, { tag: '9.9.9' })).resolves.toMatchObject({
      commits: [], unavailable: `no git tag or commit for 9.9.9 in file://${remote}`,
    });
    await expect(reader().between(entity(`url:file://${root}/missing.git`), { tag: '1.4.2' }, { tag: '1.5.0' })).resolves.toMatchObject({
      commits: [], unavailable: expect.stringContaining(`could not read file://${root}/missing.git`),
    });
  });

  it('prunes clones unused past the retention, and the least recently used past the cap', async () => {
    const workDir = path.join(root, `clones-prune-${Math.random()}`);
    const pruning = (options: { cloneRetentionMs?: number; maxClones?: number }) =>
      new SourceChangesReader({
        workDir,
        integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
        credentials: { gitConfigFor: async () => [] },
        logger: mockServices.logger.mock(),
        ...options,
      });
    await pruning({}).between(entity(`url:file://${remote}`), { tag: '1.4.2' }, { tag: '1.5.0' });
    // Two more clones, as other repositories would leave: one old, one recent.
    for (const [name, daysAgo] of [['old', 30], ['recent', 1]] as const) {
      fs.mkdirSync(path.join(workDir, name));
      const when = new Date(Date.now() - daysAgo * 24 * 3600_000);
      fs.utimesSync(path.join(workDir, name), when, when);
    }
    expect(fs.readdirSync(workDir)).toHaveLength(3);
    expect(await pruning({}).prune()).toBe(1);
    expect(fs.readdirSync(workDir)).not.toContain('old');
    // Over the cap, the least recently used goes (the clone just read stays).
    expect(await pruning({ maxClones: 1 }).prune()).toBe(1);
    expect(fs.readdirSync(workDir)).toHaveLength(1);
    expect(fs.readdirSync(workDir)).not.toContain('recent');
    // And a pruned repository is cloned again on its next read.
    const reread = pruning({ maxClones: 0 });
    await reread.prune();
    await expect(reread.between(entity(`url:file://${remote}`), { tag: '1.4.2' }, { tag: '1.5.0' })).resolves.toMatchObject({ commits: expect.arrayContaining([expect.objectContaining({ sha: expect.any(String) })]) });
  });

  it('has nothing to say without a source location or versions', async () => {
    await expect(reader().between(entity(), { tag: '1.4.2' }, { tag: '1.5.0' })).resolves.toBeUndefined();
    await expect(reader().between(entity(`url:file://${remote}`), undefined, { tag: '1.5.0' })).resolves.toBeUndefined();
  });

  it.each([
    ['url:https://github.com/acme/payments-api/tree/main/', 'https://github.com/acme/payments-api'],
    ['url:https://github.com/acme/payments-api/blob/main/catalog-info.yaml', 'https://github.com/acme/payments-api'],
    ['url:https://gitlab.example.com/acme/payments-api/-/tree/main/', 'https://gitlab.example.com/acme/payments-api'],
    ['url:https://gitops.local/payments-api/tree/main/', 'https://gitops.local/payments-api'],
    ['file:/tmp/catalog-info.yaml', undefined],
    ['url:ext::sh -c evil', undefined],
  ])('finds the repository of source location %s', (location, repo) => {
    expect(sourceRepository(entity(location))).toBe(repo);
  });
});
