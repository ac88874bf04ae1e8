import fs from 'fs';
import os from 'os';
import path from 'path';
import { git } from './git';
import { GitopsRepositoryWriter, type ValueChange } from './GitopsRepositoryWriter';

const VALUES = `# payments-api in staging (team-payments)
image:
  repository: ghcr.io/example/payments-api
  # the deployed version: promotions bump it
  tag: "1.4.2"
replicas: 3
`;

const author = { name: 'Backstage GitOps', email: 'gitops@backstage.local' };

describe('GitopsRepositoryWriter', () => {
  let root: string;
  let remote: string;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-writer-'));
    remote = path.join(root, 'gitops.git');
    const seed = path.join(root, 'seed');
    await git(root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    await git(root, ['clone', '--quiet', remote, seed]);
    fs.mkdirSync(path.join(seed, 'apps/payments-api/staging'), { recursive: true });
    fs.mkdirSync(path.join(seed, 'apps/orders-api/staging'), { recursive: true });
    fs.writeFileSync(path.join(seed, 'apps/payments-api/staging/values.yaml'), VALUES);
    fs.writeFileSync(path.join(seed, 'apps/orders-api/staging/values.yaml'), VALUES.replace(/payments/g, 'orders'));
    await git(seed, ['add', '.']);
    await git(seed, ['commit', '--quiet', '-m', 'seed'], ['user.name=seed', 'user.email=seed@example.com']);
    await git(seed, ['push', '--quiet', 'origin', 'HEAD:main']);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const change = (overrides: Partial<ValueChange> = {}): ValueChange => ({
    repoURL: `file://${remote}`,
    branch: 'main',
    file: 'apps/payments-api/staging/values.yaml',
    key: 'image.tag',
    value: '1.5.0',
    promotionId: 'p-1',
    message: 'Promote payments-api 1.5.0 from dev to staging',
    ...overrides,
  });

  const writer = (name: string) =>
    new GitopsRepositoryWriter({ workDir: path.join(root, name), author });

  async function remoteLog() {
    return (await git(root, ['--git-dir', remote, 'log', '--format=%s%n%b%x00', 'main'])).split('\0').map(s => s.trim()).filter(Boolean);
  }
  const remoteFile = (file: string) => git(root, ['--git-dir', remote, 'show', `main:${file}`]);

  it('commits the new tag with every comment kept and the Promotion-Id trailer', async () => {
    const result = await writer('a').write(change());
    expect(result).toMatchObject({ alreadyPushed: false, unchanged: false });
    expect(await remoteFile('apps/payments-api/staging/values.yaml')).toBe(
      VALUES.replace('"1.4.2"', '"1.5.0"').trim(),
    );
    const log = await remoteLog();
    expect(log).toHaveLength(2);
    expect(log[0]).toContain('Promote payments-api 1.5.0 from dev to staging');
    expect(log[0]).toContain('Promotion-Id: p-1');
    expect(await git(root, ['--git-dir', remote, 'log', '-1', '--format=%an <%ae>', 'main'])).toBe('Backstage GitOps <gitops@backstage.local>');
    expect(await git(root, ['--git-dir', remote, 'rev-parse', 'main'])).toBe(result.sha);
  });

  it('is idempotent: a retried step finds its commit instead of making another', async () => {
    const first = await writer('a').write(change());
    const again = await writer('b').write(change());
    expect(again).toEqual({ sha: first.sha, alreadyPushed: true, unchanged: false });
    expect(await remoteLog()).toHaveLength(2);
  });

  it('after a crash between commit and push, exactly one commit lands', async () => {
    const w = writer('a');
    await w.write(change({ promotionId: 'warm-up', file: 'apps/orders-api/staging/values.yaml' }));
    // The crashed attempt: a local commit that never reached the remote.
    const clone = path.join(root, 'a', fs.readdirSync(path.join(root, 'a'))[0]);
    fs.writeFileSync(path.join(clone, 'apps/payments-api/staging/values.yaml'), VALUES.replace('1.4.2', '1.5.0'));
    await git(clone, ['commit', '--quiet', '-am', 'Promote\n\nPromotion-Id: p-1'], ['user.name=x', 'user.email=x@example.com']);

    await w.write(change());
    const log = await remoteLog();
    expect(log.filter(entry => entry.includes('Promotion-Id: p-1'))).toHaveLength(1);
    expect(log).toHaveLength(3);
  });

  it('lands two concurrent promotions from two replicas with a linear history', async () => {
    await Promise.all([
      writer('replica-1').write(change({ promotionId: 'p-a' })),
      writer('replica-2').write(change({ promotionId: 'p-b', file: 'apps/orders-api/staging/values.yaml', value: '2.2.0', message: 'Promote orders-api' })),
    ]);
    const log = await remoteLog();
    expect(log).toHaveLength(3);
    expect(await git(root, ['--git-dir', remote, 'rev-list', '--merges', '--count', 'main'])).toBe('0');
    expect(await remoteFile('apps/payments-api/staging/values.yaml')).toContain('tag: "1.5.0"');
    expect(await remoteFile('apps/orders-api/staging/values.yaml')).toContain('tag: "2.2.0"');
  });

  it('does not mistake another promotion whose id starts the same for its own commit', async () => {
    await writer('a').write(change({ promotionId: 'p-1', value: '1.5.0' }));
    const second = await writer('a').write(change({ promotionId: 'p-10', value: '1.6.0' }));
    expect(second.alreadyPushed).toBe(false);
    expect(await remoteLog()).toHaveLength(3);
  });

  it('reports an unchanged file without committing', async () => {
    const result = await writer('a').write(change({ value: '1.4.2' }));
    expect(result.unchanged).toBe(true);
    expect(await remoteLog()).toHaveLength(1);
  });

  it.each([
    [{ value: '1.5.0\nmalicious: true' }, /not a valid image tag/],
    [{ value: '{a: b}' }, /not a valid image tag/],
    [{ file: '../../etc/passwd' }, /not a path inside the repository/],
    [{ file: '/etc/passwd' }, /not a path inside the repository/],
    [{ key: 'image..tag' }, /not a valid YAML key path/],
    [{ branch: '--upload-pack=evil' }, /not a valid branch name/],
    [{ repoURL: 'ext::sh -c evil' }, /not a supported repository URL/],
    [{ file: 'apps/missing/values.yaml' }, /does not exist/],
  ])('rejects %j and writes nothing', async (overrides, message) => {
    await expect(writer('a').write(change(overrides))).rejects.toThrow(message);
    expect(await remoteLog()).toHaveLength(1);
  });
});
