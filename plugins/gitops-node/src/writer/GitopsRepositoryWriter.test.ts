import fs from 'fs';
import path from 'path';
import { createBareRepository } from '../__testUtils__/bareRepository';
import { git } from '../git/git';
import { addFilesEdit, setValueEdit } from './edits';
import { GitopsRepositoryWriter, type RepositoryChange } from './GitopsRepositoryWriter';
import { yamlValueReader } from './readers';

const VALUES = `# payments-api in staging (team-payments)
image:
  repository: ghcr.io/example/payments-api
  # the deployed version: promotions bump it
  tag: "1.4.2"
replicas: 3
`;

const author = { name: 'Backstage GitOps', email: 'gitops@backstage.local' };

describe('GitopsRepositoryWriter', () => {
  let repo: Awaited<ReturnType<typeof createBareRepository>>;

  beforeEach(async () => {
    repo = await createBareRepository({
      'apps/payments-api/staging/values.yaml': VALUES,
      'apps/orders-api/staging/values.yaml': VALUES.replace(/payments/g, 'orders'),
    });
  });
  afterEach(() => repo.remove());

  type ChangeOptions = Partial<RepositoryChange> & { file?: string; value?: string; id?: string };
  const change = ({ file, value, id, ...overrides }: ChangeOptions = {}): RepositoryChange => ({
    repoURL: repo.url,
    branch: 'main',
    trailer: { key: 'Promotion-Id', value: id ?? 'p-1' },
    message: 'Promote payments-api 1.5.0 from dev to staging',
    edit: setValueEdit({ file: file ?? 'apps/payments-api/staging/values.yaml', key: 'image.tag', value: value ?? '1.5.0' }),
    ...overrides,
  });
  const writer = (name: string) => new GitopsRepositoryWriter({ workDir: path.join(repo.root, name), author });

  it('commits the new tag with every comment kept and the trailer', async () => {
    const result = await writer('a').write(change());
    expect(result).toMatchObject({ alreadyPushed: false, unchanged: false });
    expect(await repo.file('apps/payments-api/staging/values.yaml')).toBe(VALUES.replace('"1.4.2"', '"1.5.0"').trim());
    const log = await repo.log();
    expect(log).toHaveLength(2);
    expect(log[0]).toContain('Promote payments-api 1.5.0 from dev to staging');
    expect(log[0]).toContain('Promotion-Id: p-1');
    expect(await repo.git(['log', '-1', '--format=%an <%ae>', 'main'])).toBe('Backstage GitOps <gitops@backstage.local>');
    expect(await repo.rev('main')).toBe(result.sha);
  });

  it('is idempotent: a retried step finds its commit instead of making another', async () => {
    const first = await writer('a').write(change());
    const again = await writer('b').write(change());
    expect(again).toEqual({ sha: first.sha, alreadyPushed: true, unchanged: false });
    expect(await repo.log()).toHaveLength(2);
  });

  it('after a crash between commit and push, exactly one commit lands', async () => {
    const w = writer('a');
    await w.write(change({ id: 'warm-up', file: 'apps/orders-api/staging/values.yaml' }));
    // The crashed attempt: a local commit that never reached the remote.
    const clone = path.join(repo.root, 'a', fs.readdirSync(path.join(repo.root, 'a'))[0]);
    fs.writeFileSync(path.join(clone, 'apps/payments-api/staging/values.yaml'), VALUES.replace('1.4.2', '1.5.0'));
    await git(clone, ['commit', '--quiet', '-am', 'Promote\n\nPromotion-Id: p-1'], { author });

    await w.write(change());
    const log = await repo.log();
    expect(log.filter(entry => entry.includes('Promotion-Id: p-1'))).toHaveLength(1);
    expect(log).toHaveLength(3);
  });

  it('lands two concurrent changes from two replicas with a linear history', async () => {
    await Promise.all([
      writer('replica-1').write(change({ id: 'p-a' })),
      writer('replica-2').write(change({ id: 'p-b', file: 'apps/orders-api/staging/values.yaml', value: '2.2.0', message: 'Promote orders-api' })),
    ]);
    expect(await repo.log()).toHaveLength(3);
    expect(await repo.git(['rev-list', '--merges', '--count', 'main'])).toBe('0');
    expect(await repo.file('apps/payments-api/staging/values.yaml')).toContain('tag: "1.5.0"');
    expect(await repo.file('apps/orders-api/staging/values.yaml')).toContain('tag: "2.2.0"');
  });

  it('does not mistake another change whose id starts the same for its own commit', async () => {
    await writer('a').write(change({ id: 'p-1', value: '1.5.0' }));
    const second = await writer('a').write(change({ id: 'p-10', value: '1.6.0' }));
    expect(second.alreadyPushed).toBe(false);
    expect(await repo.log()).toHaveLength(3);
  });

  it('reports an unchanged file without committing', async () => {
    const result = await writer('a').write(change({ value: '1.4.2' }));
    expect(result.unchanged).toBe(true);
    expect(await repo.log()).toHaveLength(1);
  });

  it('authenticates every fetch and push with the credentials source', async () => {
    // git's url rewriting stands in for a host: the change only lands if the settings reach git.
    const credentials = { gitConfigFor: jest.fn(async () => [`url.${repo.url}.insteadOf=https://github.com/acme/gitops`]) };
    const w = new GitopsRepositoryWriter({ workDir: path.join(repo.root, 'a'), author, credentials });
    await w.write(change({ repoURL: 'https://github.com/acme/gitops' }));
    expect(credentials.gitConfigFor).toHaveBeenCalledWith('https://github.com/acme/gitops');
    expect(await repo.file('apps/payments-api/staging/values.yaml')).toContain('tag: "1.5.0"');
  });

  it('pushes to a pull request branch made from the base, once', async () => {
    const first = await writer('a').write(change({ pushBranch: 'gitops/promotion-p-1' }));
    expect(await repo.log()).toHaveLength(1);
    expect(await repo.rev('gitops/promotion-p-1')).toBe(first.sha);
    expect(await repo.file('apps/payments-api/staging/values.yaml', 'gitops/promotion-p-1')).toContain('tag: "1.5.0"');
    const again = await writer('b').write(change({ pushBranch: 'gitops/promotion-p-1' }));
    expect(again).toEqual({ sha: first.sha, alreadyPushed: true, unchanged: false });
  });

  it('adds new files in one commit, and refuses files that exist (409) writing nothing', async () => {
    const files = [{ path: 'apps/cart-api/dev/values.yaml', content: 'image:\n  tag: "0.1.0"\n' }];
    const add = (id: string) => change({ id, edit: addFilesEdit({ files, subject: "service 'cart-api'" }) });
    await writer('a').write(add('task-1'));
    expect(await repo.file('apps/cart-api/dev/values.yaml')).toContain('0.1.0');
    // the same task retried: its commit is found before the files are checked
    await expect(writer('b').write(add('task-1'))).resolves.toMatchObject({ alreadyPushed: true });
    await expect(writer('b').write(add('task-2'))).rejects.toThrow(
      "service 'cart-api' is already registered: apps/cart-api/dev/values.yaml exist",
    );
    expect(await repo.log()).toHaveLength(2);
  });

  it('reads the values a key held, newest first, and whether a revision contains a commit', async () => {
    const w = writer('a');
    const first = await w.write(change({ id: 'p-1', value: '1.5.0' }));
    const second = await w.write(change({ id: 'p-2', value: '1.6.0' }));
    const location = { repoURL: repo.url, branch: 'main', file: 'apps/payments-api/staging/values.yaml' };
    const history = await w.history(location, yamlValueReader('image.tag'));
    expect(history.map(h => h.value)).toEqual(['1.6.0', '1.5.0', '1.4.2']);
    expect(await w.contains(repo.url, 'main', first.sha, second.sha)).toBe(true);
    expect(await w.contains(repo.url, 'main', second.sha, first.sha)).toBe(false);
  });

  it('throws instead of answering "not contained" when git cannot tell', async () => {
    const w = writer('a');
    const { sha } = await w.write(change());
    const unknown = 'f'.repeat(40);
    await expect(w.contains(repo.url, 'main', sha, unknown)).rejects.toThrow(/^git merge-base failed: .*ffffffff/);
    await expect(w.contains(repo.url, 'gone', sha, unknown)).rejects.toThrow(/branch gone does not exist/);
    await expect(w.contains(`file://${repo.root}/missing.git`, 'main', sha, unknown)).rejects.toThrow(/^git (clone|fetch) failed: /);
    // Argo CD's revision is never read by git as an option.
    await expect(w.contains(repo.url, 'main', sha, '--output=/tmp/x')).rejects.toThrow("revision '--output=/tmp/x' is not a commit SHA");
  });

  it.each([
    [() => ({ edit: setValueEdit({ file: 'a.yaml', key: 'image.tag', value: '1.5.0\nmalicious: true' }) }), /value '.*' is not a valid image tag/s],
    [() => ({ edit: setValueEdit({ file: 'a.yaml', key: 'image.tag', value: '{a: b}' }) }), /not a valid image tag/],
    [() => ({ edit: setValueEdit({ file: '../../etc/passwd', key: 'image.tag', value: '1' }) }), /file '..\/..\/etc\/passwd' must be a relative path/],
    [() => ({ edit: setValueEdit({ file: '/etc/passwd', key: 'image.tag', value: '1' }) }), /must be a relative path/],
    [() => ({ edit: setValueEdit({ file: 'a.yaml', key: 'image..tag', value: '1' }) }), /key 'image..tag' is not a valid YAML key path/],
    [() => ({ branch: '--upload-pack=evil' }), /branch '--upload-pack=evil' is not a valid branch name/],
    [() => ({ pushBranch: 'a..b' }), /pushBranch 'a..b' is not a valid branch name/],
    [() => ({ repoURL: 'ext::sh -c evil' }), /repoURL 'ext::sh -c evil' must be an https/],
    [() => ({ trailer: { key: 'Promotion-Id', value: 'x\nSigned-off-by: y' } }), /not a valid git trailer/],
  ])('rejects bad input before git runs (%#)', async (overrides, message) => {
    await expect(async () => writer('a').write(change(overrides()))).rejects.toThrow(message);
    expect(await repo.log()).toHaveLength(1);
  });

  it('names what went wrong, not the warnings around it, when git fails', async () => {
    const missing = `file://${repo.root}/missing.git`;
    const error = await writer('a').write(change({ repoURL: missing })).catch(e => e);
    expect(error.message).toMatch(/^git clone failed: .*(does not appear to be a git repository|not found)/);
  });

  it('rejects a missing file, writing nothing', async () => {
    await expect(writer('a').write(change({ file: 'apps/missing/values.yaml' }))).rejects.toThrow(
      'apps/missing/values.yaml does not exist in the repository',
    );
    expect(await repo.log()).toHaveLength(1);
  });
});
