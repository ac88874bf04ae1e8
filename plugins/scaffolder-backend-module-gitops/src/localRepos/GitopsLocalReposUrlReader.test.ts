import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { createMockDirectory, mockServices } from '@backstage/backend-test-utils';
import { InputError, NotAllowedError, NotFoundError, NotModifiedError } from '@backstage/errors';
import fs from 'fs/promises';
import path from 'path';
import { commitFiles, createBareRepo } from '../__testUtils__/gitRepos';
import { git } from '@gitops-suite/backstage-plugin-gitops-node';
import { GitopsLocalReposUrlReader } from './GitopsLocalReposUrlReader';

const URL_BASE = 'https://gitops.local/payments-api';

describe('GitopsLocalReposUrlReader', () => {
  const dir = createMockDirectory();
  const baseDir = () => dir.resolve('repos');
  const repoDir = () => dir.resolve('repos/payments-api.git');
  let remoteUrl: string;

  const reader = () =>
    UrlReaders.create({
      config: mockServices.rootConfig({
        data: { gitops: { scaffolder: { localPublishDir: baseDir() } } },
      }),
      logger: mockServices.logger.mock(),
      factories: [GitopsLocalReposUrlReader.factory],
    });
  const head = (ref = 'main') => git(repoDir(), ['rev-parse', ref]);

  beforeEach(async () => {
    dir.setContent({ repos: {}, outside: { 'secret.txt': 'top secret\n' } });
    remoteUrl = await createBareRepo(baseDir(), 'payments-api', {
      'catalog-info.yaml': 'kind: Component\nmetadata:\n  name: payments-api\n',
      'README.md': '# payments-api\n',
      'docs/index.md': '# Docs\n',
      'docs/guides/setup.md': 'Setup\n',
      'services/worker/catalog-info.yaml': 'kind: Component\nmetadata:\n  name: worker\n',
      'assets/logo.bin': '\u0000\u0001\u00ff',
      'with space/file #1.txt': 'spaced\n',
    });
    // a branch with a '/' in its name and a tag, both on their own commits
    const scratch = dir.resolve('scratch');
    await git(dir.path, ['clone', '--quiet', remoteUrl, scratch]);
    const author = { name: 'Dev', email: 'dev@example.com' };
    await fs.writeFile(path.join(scratch, 'README.md'), '# feature\n');
    await git(scratch, ['commit', '--quiet', '-am', 'feature'], { author });
    await git(scratch, ['push', '--quiet', 'origin', 'HEAD:refs/heads/feature/new-docs']);
    await git(scratch, ['tag', 'v1.0.0']);
    await git(scratch, ['push', '--quiet', 'origin', 'v1.0.0']);
  });

  describe('readUrl', () => {
    it('reads a file of a branch with the commit as ETag', async () => {
      const response = await reader().readUrl(`${URL_BASE}/blob/main/catalog-info.yaml`);
      expect((await response.buffer()).toString()).toBe(
        'kind: Component\nmetadata:\n  name: payments-api\n',
      );
      expect(response.etag).toBe(await head());
      expect(response.lastModifiedAt).toBeInstanceOf(Date);
      const chunks: Buffer[] = [];
      for await (const chunk of response.stream!()) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString()).toContain('payments-api');
    });

    it('returns bytes unchanged and decodes percent-encoded names', async () => {
      const binary = await reader().readUrl(`${URL_BASE}/blob/main/assets/logo.bin`);
      expect(await binary.buffer()).toEqual(Buffer.from('\u0000\u0001\u00ff'));
      const spaced = await reader().readUrl(`${URL_BASE}/blob/main/with%20space/file%20%231.txt`);
      expect((await spaced.buffer()).toString()).toBe('spaced\n');
    });

    it('resolves branches with a slash, tags, commits and <name>.git', async () => {
      const read = async (url: string) => (await (await reader().readUrl(url)).buffer()).toString();
      expect(await read(`${URL_BASE}/blob/feature/new-docs/README.md`)).toBe('# feature\n');
      expect(await read(`${URL_BASE}/blob/v1.0.0/README.md`)).toBe('# feature\n');
      expect(await read(`${URL_BASE}/blob/${await head()}/README.md`)).toBe('# payments-api\n');
      expect(await read(`${URL_BASE}.git/blob/main/README.md`)).toBe('# payments-api\n');
      expect(await read(`${URL_BASE}/tree/main/docs/index.md`)).toBe('# Docs\n');
    });

    it('answers NotModifiedError for the current commit, new content after a commit', async () => {
      const url = `${URL_BASE}/blob/main/README.md`;
      const first = await reader().readUrl(url);
      await expect(reader().readUrl(url, { etag: first.etag })).rejects.toThrow(NotModifiedError);
      await expect(
        reader().readUrl(url, { lastModifiedAfter: first.lastModifiedAt }),
      ).rejects.toThrow(NotModifiedError);

      await commitFiles(remoteUrl, { 'README.md': '# v2\n' }, 'Update');
      const second = await reader().readUrl(url, { etag: first.etag });
      expect(second.etag).toBe(await head());
      expect(second.etag).not.toBe(first.etag);
      expect((await second.buffer()).toString()).toBe('# v2\n');
    });

    it('answers 404 for unknown repositories, refs and files, and for directories', async () => {
      const cases = [
        'https://gitops.local/unknown/blob/main/catalog-info.yaml',
        `${URL_BASE}/blob/no-such-branch/catalog-info.yaml`,
        `${URL_BASE}/blob/${'0'.repeat(40)}/catalog-info.yaml`,
        `${URL_BASE}/blob/main/missing.yaml`,
        `${URL_BASE}/blob/main/docs`,
      ];
      for (const url of cases) {
        await expect(reader().readUrl(url)).rejects.toThrow(NotFoundError);
      }
    });

    it('refuses path traversal and names that are no repository', async () => {
      const cases = [
        `${URL_BASE}/blob/main/../../../outside/secret.txt`,
        `${URL_BASE}/blob/main/%2e%2e/%2E%2E/outside/secret.txt`,
        `${URL_BASE}/blob/main/docs/..%2F..%2Fcatalog-info.yaml`,
        `${URL_BASE}/blob/main/docs%5C..%5Ccatalog-info.yaml`,
        `${URL_BASE}/blob/main/docs\\..\\..\\outside`,
        `${URL_BASE}/blob/main//catalog-info.yaml`,
        'https://gitops.local/..%2Foutside/blob/main/secret.txt',
        'https://gitops.local/%2e%2e/blob/main/secret.txt',
        'https://gitops.local/.payments-api-staging/blob/main/catalog-info.yaml',
        'https://gitops.local/payments%00api/blob/main/catalog-info.yaml',
        `${URL_BASE}/raw/main/catalog-info.yaml`,
        `${URL_BASE}/blob/main/%E0%A4%A`,
      ];
      for (const url of cases) {
        await expect(reader().readUrl(url)).rejects.toThrow(InputError);
      }
    });

    it('does not follow a repository symlinked from outside the publish directory', async () => {
      await createBareRepo(dir.resolve('outside'), 'elsewhere', { 'secret.txt': 'no\n' });
      await fs.symlink(dir.resolve('outside/elsewhere.git'), dir.resolve('repos/linked.git'));
      await expect(
        reader().readUrl('https://gitops.local/linked/blob/main/secret.txt'),
      ).rejects.toThrow(NotFoundError);
    });

    it('claims only https://gitops.local', async () => {
      await expect(
        reader().readUrl('http://gitops.local/payments-api/blob/main/README.md'),
      ).rejects.toThrow(NotAllowedError);
      await expect(
        reader().readUrl('https://gitops.local.example.com/payments-api/blob/main/README.md'),
      ).rejects.toThrow(NotAllowedError);
    });
  });

  describe('readTree', () => {
    it('reads a directory with paths relative to it', async () => {
      const tree = await reader().readTree(`${URL_BASE}/tree/main/docs`);
      expect(tree.etag).toBe(await head());
      const files = await tree.files();
      expect(files.map(f => f.path).sort()).toEqual(['guides/setup.md', 'index.md']);
      const index = files.find(f => f.path === 'index.md')!;
      expect((await index.content()).toString()).toBe('# Docs\n');
    });

    it('extracts the whole repository into a directory, honouring the filter', async () => {
      const tree = await reader().readTree(`${URL_BASE}/blob/main/`, {
        filter: p => !p.startsWith('assets/'),
      });
      await fs.mkdir(dir.resolve('out'));
      const out = await tree.dir({ targetDir: dir.resolve('out') });
      expect(await fs.readFile(path.join(out, 'docs/guides/setup.md'), 'utf8')).toBe('Setup\n');
      expect(await fs.readFile(path.join(out, 'catalog-info.yaml'), 'utf8')).toContain('payments-api');
      await expect(fs.stat(path.join(out, 'assets'))).rejects.toThrow();
    });

    it('reads the default branch for a bare repository URL', async () => {
      const tree = await reader().readTree('https://gitops.local/payments-api');
      expect((await tree.files()).map(f => f.path).sort()).toEqual([
        'README.md',
        'assets/logo.bin',
        'catalog-info.yaml',
        'docs/guides/setup.md',
        'docs/index.md',
        'services/worker/catalog-info.yaml',
        'with space/file #1.txt',
      ]);
    });

    it('answers NotModifiedError for the current commit, 404 and 400 like readUrl', async () => {
      const url = `${URL_BASE}/tree/main/docs`;
      await expect(reader().readTree(url, { etag: await head() })).rejects.toThrow(NotModifiedError);
      await expect(reader().readTree(`${URL_BASE}/tree/main/nope`)).rejects.toThrow(NotFoundError);
      await expect(
        reader().readTree('https://gitops.local/unknown/tree/main/docs'),
      ).rejects.toThrow(NotFoundError);
      await expect(reader().readTree(`${URL_BASE}/tree/main/README.md`)).rejects.toThrow(InputError);
      await expect(reader().readTree(`${URL_BASE}/tree/main/../../outside`)).rejects.toThrow(
        InputError,
      );
    });
  });

  describe('search', () => {
    it('matches a glob over the files of the commit', async () => {
      const result = await reader().search(`${URL_BASE}/blob/main/**/catalog-info.yaml`);
      expect(result.etag).toBe(await head());
      expect(result.files.map(f => f.url)).toEqual([
        `${URL_BASE}/blob/main/catalog-info.yaml`,
        `${URL_BASE}/blob/main/services/worker/catalog-info.yaml`,
      ]);
      expect((await result.files[1].content()).toString()).toContain('name: worker');

      const docs = await reader().search(`${URL_BASE}/blob/feature/new-docs/docs/*.md`);
      expect(docs.files.map(f => f.url)).toEqual([`${URL_BASE}/blob/feature/new-docs/docs/index.md`]);
    });

    it('reads one file for a URL without a glob, none when it is missing', async () => {
      const url = `${URL_BASE}/blob/main/catalog-info.yaml`;
      const one = await reader().search(url);
      expect(one.files.map(f => f.url)).toEqual([url]);
      expect(one.etag).toBe(await head());
      expect(await reader().search(`${URL_BASE}/blob/main/nope.yaml`)).toEqual({ files: [], etag: '' });
      expect(
        await reader().search('https://gitops.local/unknown/blob/main/catalog-info.yaml'),
      ).toEqual({ files: [], etag: '' });
    });

    it('answers NotModifiedError for the current commit and refuses traversal', async () => {
      const etag = await head();
      await expect(
        reader().search(`${URL_BASE}/blob/main/**/catalog-info.yaml`, { etag }),
      ).rejects.toThrow(NotModifiedError);
      await expect(
        reader().search(`${URL_BASE}/blob/main/catalog-info.yaml`, { etag }),
      ).rejects.toThrow(NotModifiedError);
      await expect(
        reader().search(`${URL_BASE}/blob/main/%2e%2e/**/*.yaml`),
      ).rejects.toThrow(InputError);
    });
  });
});
