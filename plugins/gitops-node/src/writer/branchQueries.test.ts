import { InputError, NotFoundError } from '@backstage/errors';
import path from 'path';
import { createBareRepository } from '../__testUtils__/bareRepository';
import { mergeRevisionEdit } from './branchEdits';
import { GitopsRepositoryWriter } from './GitopsRepositoryWriter';
import { yamlValueReader } from './readers';

const author = { name: 'Backstage GitOps', email: 'gitops@backstage.local' };
const values = (tag: string) => `image:\n  tag: "${tag}"\n`;

describe('GitopsRepositoryWriter branch queries', () => {
  let repo: Awaited<ReturnType<typeof createBareRepository>>;
  let writer: GitopsRepositoryWriter;
  let base: string;
  beforeEach(async () => {
    repo = await createBareRepository({ 'env/values.yaml': values('1.0.0'), 'env/old.yaml': 'x: 1\n', 'other/a.txt': 'a\n' });
    base = await repo.rev('main');
    await repo.commit('production', {}, 'production branch');
    writer = new GitopsRepositoryWriter({ workDir: path.join(repo.root, 'work'), author });
  });
  afterEach(() => repo.remove());

  describe('diff', () => {
    it('lists each file under the paths with its line counts, and the patch', async () => {
      const head = await repo.commit('main', {
        'env/values.yaml': values('1.1.0'),
        'env/old.yaml': null,
        'env/new.yaml': 'y: 2\nz: 3\n',
        'other/a.txt': 'b\n',
      });
      const diff = await writer.diff({ repoURL: repo.url, from: { branch: 'production' }, to: { branch: 'main' }, paths: ['env'] });
      expect(diff.from).toBe(await repo.rev('production'));
      expect(diff.to).toBe(head);
      expect(diff.files).toEqual([
        { path: 'env/new.yaml', status: 'added', additions: 2, deletions: 0 },
        { path: 'env/old.yaml', status: 'deleted', additions: 0, deletions: 1 },
        { path: 'env/values.yaml', status: 'modified', additions: 1, deletions: 1 },
      ]);
      expect(diff.patch).toContain('-  tag: "1.0.0"\n+  tag: "1.1.0"\n');
      expect(diff.patch).not.toContain('other/a.txt');
      expect(diff.truncated).toBe(false);
    });

    it('cuts the patch after a whole line at maxPatchBytes', async () => {
      const head = await repo.commit('main', { 'env/values.yaml': values('1.1.0'), 'env/big.txt': 'line\n'.repeat(500) });
      const diff = await writer.diff({ repoURL: repo.url, from: { revision: base }, to: { revision: head }, maxPatchBytes: 300 });
      expect(diff.truncated).toBe(true);
      expect(Buffer.byteLength(diff.patch)).toBeLessThanOrEqual(300);
      expect(diff.patch.endsWith('\n')).toBe(true);
      expect(diff.files.map(f => f.path)).toEqual(['env/big.txt', 'env/values.yaml']);
    });

    it('diffs from the merge base: what a merge carries, not what the target has of its own', async () => {
      await repo.commit('production', { 'other/a.txt': 'production only\n' });
      await repo.commit('main', { 'env/values.yaml': values('1.1.0') });
      const plain = await writer.diff({ repoURL: repo.url, from: { branch: 'production' }, to: { branch: 'main' } });
      const carried = await writer.diff({ repoURL: repo.url, from: { branch: 'production' }, to: { branch: 'main' }, mergeBase: true });
      expect(plain.files.map(f => f.path)).toEqual(['env/values.yaml', 'other/a.txt']);
      expect(carried.files.map(f => f.path)).toEqual(['env/values.yaml']);
      expect(carried.from).toBe(base);
    });

    it('fetches a commit the clone lacks, and names one the repository lacks', async () => {
      await writer.diff({ repoURL: repo.url, from: { branch: 'main' }, to: { branch: 'main' } });
      const feature = await repo.commit('feature', { 'env/values.yaml': values('2.0.0') });
      const diff = await writer.diff({ repoURL: repo.url, from: { revision: base }, to: { revision: feature } });
      expect(diff.files).toHaveLength(1);
      await expect(writer.diff({ repoURL: repo.url, from: { revision: base }, to: { revision: 'f'.repeat(40) } })).rejects.toThrow(NotFoundError);
      await expect(writer.diff({ repoURL: repo.url, from: { branch: 'gone' }, to: { revision: base } })).rejects.toThrow(
        /branch gone does not exist/,
      );
      await expect(writer.diff({ repoURL: repo.url, from: { revision: '--output=x' }, to: { revision: base } })).rejects.toThrow(InputError);
      await expect(writer.diff({ repoURL: repo.url, from: { revision: base }, to: { revision: base }, paths: ['../x'] })).rejects.toThrow(
        /must be a relative path/,
      );
    });
  });

  describe('mergeConflicts', () => {
    it('lists the files a merge would conflict in, none when it merges cleanly or is merged', async () => {
      const clean = await repo.commit('main', { 'env/values.yaml': values('1.1.0') });
      const ask = (revision: string) => writer.mergeConflicts({ repoURL: repo.url, branch: 'production', revision, sourceBranch: 'main' });
      expect(await ask(clean)).toEqual([]);
      await repo.commit('production', { 'env/values.yaml': values('1.0.5'), 'other/a.txt': 'p\n' });
      const conflicting = await repo.commit('main', { 'other/a.txt': 'm\n' });
      expect(await ask(conflicting)).toEqual(['env/values.yaml', 'other/a.txt']);
      expect(await ask(base)).toEqual([]);
      const feature = await repo.commit('feature', {}, 'feature');
      await expect(ask(feature)).rejects.toThrow(`revision ${feature} is not on branch main`);
      // Nothing was written.
      expect(await repo.git(['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/feature\nrefs/heads/main\nrefs/heads/production');
    });
  });

  describe('resolveRevision', () => {
    it('tells branches, tags and commits apart as Argo CD resolves them', async () => {
      const tagged = await repo.commit('main', { 'env/values.yaml': values('1.1.0') });
      await repo.git(['tag', '-a', 'v1.1.0', '-m', 'release', tagged]);
      await repo.git(['tag', 'light', base]);
      const main = await repo.rev('main');
      const resolve = (revision: string) => writer.resolveRevision({ repoURL: repo.url, revision });
      expect(await resolve('production')).toEqual({ kind: 'branch', sha: await repo.rev('production'), ref: 'refs/heads/production' });
      expect(await resolve('v1.1.0')).toEqual({ kind: 'tag', sha: tagged, ref: 'refs/tags/v1.1.0' });
      expect(await resolve('light')).toEqual({ kind: 'tag', sha: base, ref: 'refs/tags/light' });
      expect(await resolve('refs/heads/main')).toEqual({ kind: 'branch', sha: main, ref: 'refs/heads/main' });
      expect(await resolve('HEAD')).toEqual({ kind: 'branch', sha: main, ref: 'refs/heads/main' });
      expect(await resolve('')).toEqual({ kind: 'branch', sha: main, ref: 'refs/heads/main' });
      expect(await resolve(base.toUpperCase())).toEqual({ kind: 'commit', sha: base });
      expect(await resolve(base.slice(0, 8))).toEqual({ kind: 'commit' });
      await expect(resolve('v9')).rejects.toThrow(new NotFoundError(`revision 'v9' is neither a branch nor a tag of ${repo.url}`));
      await expect(resolve('--upload-pack=x')).rejects.toThrow(InputError);
    });
  });

  describe('history', () => {
    it("follows only an environment branch's own commits and merges with firstParent", async () => {
      const staged = await repo.commit('main', { 'env/values.yaml': values('1.1.0') }, 'staging 1.1.0');
      await repo.commit('main', { 'env/values.yaml': values('1.1.0'), 'other/a.txt': 'c\n' }, 'unrelated');
      const merged = await writer.write({
        repoURL: repo.url,
        branch: 'production',
        trailer: { key: 'Promotion-Id', value: 'p-1' },
        message: 'Promote 1.1.0',
        edit: mergeRevisionEdit({ sourceBranch: 'main', revision: staged }),
      });
      const location = { repoURL: repo.url, branch: 'production', file: 'env/values.yaml' };
      const own = await writer.history(location, yamlValueReader('image.tag'), 30, { firstParent: true });
      expect(own.map(h => [h.revision, h.value])).toEqual([
        [merged.sha, '1.1.0'],
        [base, '1.0.0'],
      ]);
      const all = await writer.history(location, yamlValueReader('image.tag'));
      expect(all.map(h => h.revision)).toContain(staged);
    });
  });
});
