import { ConflictError, InputError } from '@backstage/errors';
import path from 'path';
import { createBareRepository } from '../__testUtils__/bareRepository';
import { mergeRevisionEdit, restorePathEdit } from './branchEdits';
import { setValueEdit, type RepositoryEdit } from './edits';
import { GitopsRepositoryWriter, type RepositoryChange } from './GitopsRepositoryWriter';

const author = { name: 'Backstage GitOps', email: 'gitops@backstage.local' };
const values = (tag: string, replicas = 2) => `# payments-api\nimage:\n  tag: "${tag}"\nreplicas: ${replicas}\n`;
const VALUES = 'env/values.yaml';

describe('environment branch edits', () => {
  let repo: Awaited<ReturnType<typeof createBareRepository>>;
  let writer: GitopsRepositoryWriter;
  beforeEach(async () => {
    repo = await createBareRepository({ [VALUES]: values('1.0.0'), 'env/config.yaml': 'level: info\n' });
    await repo.commit('production', {}, 'production branch');
    writer = new GitopsRepositoryWriter({ workDir: path.join(repo.root, 'work'), author });
  });
  afterEach(() => repo.remove());

  const change = (edit: RepositoryEdit, id = 'p-1', branch = 'production'): RepositoryChange => ({
    repoURL: repo.url,
    branch,
    trailer: { key: 'Promotion-Id', value: id },
    message: `Promote ${id}`,
    edit,
  });
  const parents = async (ref: string) => (await repo.git(['log', '-1', '--format=%P', ref])).split(' ').filter(Boolean);

  describe('mergeRevisionEdit', () => {
    it("merges the source branch's revision as a merge commit carrying the trailer", async () => {
      const staged = await repo.commit('main', { [VALUES]: values('1.1.0') }, 'staging runs 1.1.0');
      await repo.commit('main', { [VALUES]: values('1.2.0') }, 'newer, not promoted');
      const before = await repo.rev('production');
      const result = await writer.write(change(mergeRevisionEdit({ sourceBranch: 'main', revision: staged })));
      expect(result).toMatchObject({ alreadyPushed: false, unchanged: false });
      expect(await repo.rev('production')).toBe(result.sha);
      expect(await parents('production')).toEqual([before, staged]);
      expect(await repo.file(VALUES, 'production')).toBe(values('1.1.0').trim());
      expect((await repo.log('production'))[0]).toBe('Promote p-1\nPromotion-Id: p-1');
      // Retried: found by its trailer; and once merged, another merge has nothing to do.
      expect(await writer.write(change(mergeRevisionEdit({ sourceBranch: 'main', revision: staged })))).toEqual({ ...result, alreadyPushed: true });
      expect(await writer.write(change(mergeRevisionEdit({ sourceBranch: 'main', revision: staged }), 'p-2'))).toEqual({
        sha: result.sha,
        alreadyPushed: false,
        unchanged: true,
      });
    });

    it('leaves no merge state behind when the trees already agree', async () => {
      await repo.commit('production', { 'env/config.yaml': 'level: debug\n' });
      const same = await repo.commit('main', { 'env/config.yaml': 'level: debug\n' });
      const head = await repo.rev('production');
      expect(await writer.write(change(mergeRevisionEdit({ sourceBranch: 'main', revision: same })))).toEqual({ sha: head, alreadyPushed: false, unchanged: true });
      // The next change is an ordinary commit, not a merge.
      await writer.write(change(setValueEdit({ file: VALUES, key: 'image.tag', value: '1.0.1' }), 'p-2'));
      expect(await parents('production')).toEqual([head]);
    });

    it('aborts on a conflict, naming the files, and writes nothing', async () => {
      await repo.commit('production', { [VALUES]: values('1.0.0', 5), 'env/config.yaml': 'level: warn\n' }, 'hotfix on production');
      const staged = await repo.commit('main', { [VALUES]: values('1.1.0', 3), 'env/config.yaml': 'level: debug\n' });
      const head = await repo.rev('production');
      const error = await writer.write(change(mergeRevisionEdit({ sourceBranch: 'main', revision: staged }))).catch(e => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe(
        `merging ${staged.slice(0, 7)} from main into production conflicts in env/config.yaml, env/values.yaml; resolve it in git`,
      );
      expect(await repo.rev('production')).toBe(head);
      // The clone is clean for the next change.
      await writer.write(change(setValueEdit({ file: VALUES, key: 'image.tag', value: '1.0.1' }), 'p-2'));
      expect(await parents('production')).toEqual([head]);
    });

    it('refuses a revision that is not on the source branch, or a missing branch', async () => {
      const elsewhere = await repo.commit('feature', { [VALUES]: values('9.9.9') });
      await expect(writer.write(change(mergeRevisionEdit({ sourceBranch: 'main', revision: elsewhere })))).rejects.toThrow(
        new InputError(`revision ${elsewhere} is not on branch main`),
      );
      await expect(writer.write(change(mergeRevisionEdit({ sourceBranch: 'gone', revision: elsewhere })))).rejects.toThrow(
        "sourceBranch 'gone' does not exist in the repository",
      );
      expect(() => mergeRevisionEdit({ sourceBranch: 'main', revision: elsewhere.slice(0, 7) })).toThrow(/is not a full commit SHA/);
      expect(() => mergeRevisionEdit({ sourceBranch: '--x', revision: elsewhere })).toThrow(/not a valid branch name/);
    });

    it('lands in a batch with other changes of the branch, each its own commit', async () => {
      const staged = await repo.commit('main', { 'env/config.yaml': 'level: debug\n' });
      const before = await repo.rev('production');
      const results = await Promise.all([
        writer.write(change(setValueEdit({ file: VALUES, key: 'image.tag', value: '1.0.1' }), 'p-1')),
        writer.write(change(mergeRevisionEdit({ sourceBranch: 'main', revision: staged }), 'p-2')),
        writer.write(change(setValueEdit({ file: VALUES, key: 'image.tag', value: '1.0.2' }), 'p-3')),
      ]);
      const chain = (await repo.git(['rev-list', '--first-parent', `${before}..production`])).split('\n').reverse();
      expect(chain).toEqual(results.map(r => r.sha));
      expect(await parents(results[1].sha)).toEqual([results[0].sha, staged]);
      expect(await parents(results[2].sha)).toEqual([results[1].sha]);
      expect(await repo.file('env/config.yaml', 'production')).toBe('level: debug');
      expect(await repo.file(VALUES, 'production')).toContain('tag: "1.0.2"');
    });

    it("fetches with the writer's credentials, and merges onto a pull request branch", async () => {
      const staged = await repo.commit('main', { [VALUES]: values('1.1.0') });
      // git's url rewriting stands in for a host: the fetch only works if the settings reach the edit.
      const credentials = { gitConfigFor: jest.fn(async () => [`url.${repo.url}.insteadOf=https://github.com/acme/gitops`]) };
      const w = new GitopsRepositoryWriter({ workDir: path.join(repo.root, 'creds'), author, credentials });
      const result = await w.write({
        ...change(mergeRevisionEdit({ sourceBranch: 'main', revision: staged })),
        repoURL: 'https://github.com/acme/gitops',
        pushBranch: 'gitops/promotion-p-1',
      });
      expect(await repo.rev('gitops/promotion-p-1')).toBe(result.sha);
      expect(await parents(result.sha)).toEqual([await repo.rev('production'), staged]);
    });

    it('redoes the merge on the new head after losing a push race', async () => {
      const staged = await repo.commit('main', { 'env/config.yaml': 'level: debug\n' });
      let runs = 0;
      const merge = mergeRevisionEdit({ sourceBranch: 'main', revision: staged });
      const raced: RepositoryEdit = async (dir, context) => {
        // Someone pushes to production while the first merge is being made.
        if (++runs === 1) await repo.commit('production', { 'ci.txt': 'ci' }, 'CI');
        return merge(dir, context);
      };
      const result = await writer.write(change(raced));
      expect(runs).toBe(2);
      const ci = (await repo.git(['log', '--format=%H', '-1', '--grep=^CI$', 'production'])).trim();
      expect(await parents('production')).toEqual([ci, staged]);
      expect(result.sha).toBe(await repo.rev('production'));
      expect(await repo.git(['rev-list', '--count', '--merges', 'production'])).toBe('1');
    });
  });

  describe('restorePathEdit', () => {
    it('makes the paths exactly what they were at the revision, deletions and additions included', async () => {
      const good = await repo.commit('production', { [VALUES]: values('1.1.0'), 'env/extra.yaml': 'a: 1\n' });
      await repo.commit('production', { [VALUES]: values('1.2.0'), 'env/extra.yaml': null, 'env/new.yaml': 'b: 2\n', 'README.md': 'kept' });
      const head = await repo.rev('production');
      const result = await writer.write(change(restorePathEdit({ revision: good, paths: ['env'] })));
      expect(await parents('production')).toEqual([head]);
      expect(await repo.git(['diff-tree', '--no-commit-id', '--name-status', '-r', result.sha])).toBe(
        'A\tenv/extra.yaml\nD\tenv/new.yaml\nM\tenv/values.yaml',
      );
      expect(await repo.git(['diff', good, 'production', '--', 'env'])).toBe('');
      expect(await repo.file('README.md', 'production')).toBe('kept');
      // Restored already: nothing to commit.
      expect(await writer.write(change(restorePathEdit({ revision: good, paths: ['env'] }), 'p-2'))).toMatchObject({ unchanged: true });
    });

    it('refuses paths that exist at neither commit, and bad input', async () => {
      const head = await repo.rev('production');
      await expect(writer.write(change(restorePathEdit({ revision: head, paths: ['env', 'nowhere'] })))).rejects.toThrow(
        new InputError(`nowhere exist neither at ${head.slice(0, 7)} nor on production`),
      );
      await expect(writer.write(change(restorePathEdit({ revision: 'f'.repeat(40), paths: ['env'] })))).rejects.toThrow(
        `revision ${'f'.repeat(40)} is not a commit of the repository`,
      );
      expect(() => restorePathEdit({ revision: head, paths: ['../etc'] })).toThrow(/must be a relative path/);
      expect(() => restorePathEdit({ revision: head, paths: [] })).toThrow(/at least one/);
      expect(() => restorePathEdit({ revision: 'HEAD~1', paths: ['env'] })).toThrow(/not a commit SHA/);
    });
  });
});
