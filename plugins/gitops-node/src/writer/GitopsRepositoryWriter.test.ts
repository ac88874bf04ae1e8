import fs from 'fs';
import path from 'path';
import { createBareRepository } from '../__testUtils__/bareRepository';
import { git } from '../git/git';
import { addFilesEdit, setValueEdit, type RepositoryEdit } from './edits';
import { GitopsRepositoryWriter, type RepositoryChange, type WriterOptions } from './GitopsRepositoryWriter';
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
  const writer = (name: string, options: Partial<WriterOptions> = {}) =>
    new GitopsRepositoryWriter({ workDir: path.join(repo.root, name), author, ...options });

  const PAYMENTS = 'apps/payments-api/staging/values.yaml';
  const ORDERS = 'apps/orders-api/staging/values.yaml';
  /** Change `id` of a batch: a tag bump, alternating between the two services. */
  const bump = (id: string, i: number) =>
    change({ id, file: i % 2 ? ORDERS : PAYMENTS, value: `2.${i}.0`, message: `Promote ${id}` });
  /** Every commit of main (newest first) with its trailers and the files it changed. */
  const commits = async () => {
    const shas = (await repo.git(['rev-list', 'main'])).split('\n');
    return Promise.all(
      shas.map(async sha => ({
        sha,
        trailers: (await repo.git(['log', '-1', '--format=%B', sha])).split('\n').filter(l => l.startsWith('Promotion-Id: ')),
        files: (await repo.git(['diff-tree', '--root', '--no-commit-id', '--name-only', '-r', sha])).split('\n'),
      })),
    );
  };
  /** Pushes that moved main since the remote's reflog was switched on. */
  const recordPushes = () => repo.git(['config', 'core.logAllRefUpdates', 'always']);
  const pushes = async () => (await repo.git(['reflog', 'show', '--format=%H', 'refs/heads/main'])).split('\n').filter(Boolean).length;
  const expectLinear = async () => expect(await repo.git(['rev-list', '--merges', '--count', 'main'])).toBe('0');
  /** Pushes a commit from another clone (someone else's, e.g. CI) to main. */
  const pushFromElsewhere = async (name: string) => {
    const clone = path.join(repo.root, `elsewhere-${name}`);
    if (!fs.existsSync(clone)) await git(repo.root, ['clone', '--quiet', repo.url, clone]);
    await git(clone, ['pull', '--quiet', '--ff-only', 'origin', 'main']);
    fs.writeFileSync(path.join(clone, `${name}.txt`), name);
    await git(clone, ['add', '.']);
    await git(clone, ['commit', '--quiet', '-m', `CI ${name}`], { author });
    for (let attempt = 1; ; attempt++) {
      try {
        await git(clone, ['push', '--quiet', 'origin', 'HEAD:main']);
        return;
      } catch (error) {
        // The writers under test pushed first: CI rebases and pushes again.
        if (attempt >= 20) throw error;
        await git(clone, ['pull', '--quiet', '--rebase', 'origin', 'main'], { author });
      }
    }
  };

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

  describe('group commit', () => {
    it('lands N concurrent changes once each, one commit and trailer per change, in one push', async () => {
      await recordPushes();
      const w = writer('a');
      const ids = Array.from({ length: 12 }, (_, i) => `p-${i}`);
      const results = await Promise.all(ids.map((id, i) => w.write(bump(id, i))));

      expect(results.every(r => !r.alreadyPushed && !r.unchanged)).toBe(true);
      expect(new Set(results.map(r => r.sha)).size).toBe(12);
      const history = await commits();
      expect(history).toHaveLength(13);
      await expectLinear();
      // Oldest first, in the order they were written; each its own commit with its own
      // trailer and only its own file, and the sha each write answered is that commit.
      const ours = history.slice(0, 12).reverse();
      ours.forEach((commit, i) => {
        expect(commit.trailers).toEqual([`Promotion-Id: ${ids[i]}`]);
        expect(commit.files).toEqual([i % 2 ? ORDERS : PAYMENTS]);
        expect(commit.sha).toBe(results[i].sha);
      });
      expect(await repo.file(PAYMENTS)).toContain('tag: "2.10.0"');
      expect(await repo.file(ORDERS)).toContain('tag: "2.11.0"');
      // Written while nothing else was in flight: all twelve went in a single push.
      expect(await pushes()).toBe(1);
      expect(await repo.rev('main')).toBe(results[11].sha);
    });

    it('takes what queued up while a push was in flight into the next batch', async () => {
      await recordPushes();
      const w = writer('a');
      let editing!: () => void;
      let release!: () => void;
      const started = new Promise<void>(resolve => (editing = resolve));
      const gate = new Promise<void>(resolve => (release = resolve));
      const c0 = bump('p-0', 0);
      const held: RepositoryEdit = async dir => {
        editing();
        await gate;
        return c0.edit(dir);
      };
      const first = w.write({ ...c0, edit: held });
      // The first batch is being written: these six wait, then go together.
      await started;
      const rest = Array.from({ length: 6 }, (_, i) => w.write(bump(`p-${i + 1}`, i + 1)));
      release();
      const results = await Promise.all([first, ...rest]);
      expect(new Set(results.map(r => r.sha)).size).toBe(7);
      expect((await commits()).map(c => c.trailers.join()).reverse()).toEqual(['', ...results.map((_, i) => `Promotion-Id: p-${i}`)]);
      expect(await pushes()).toBe(2);
      await expectLinear();
    });

    it('fails a bad change alone, and the others of its batch land', async () => {
      const w = writer('a');
      // An edit that leaves a stray file behind before failing: it must not reach the next commit.
      const sloppy: RepositoryEdit = async dir => {
        fs.writeFileSync(path.join(dir, 'stray.txt'), 'half-done');
        fs.appendFileSync(path.join(dir, PAYMENTS), 'broken: [\n');
        throw new Error('edit blew up');
      };
      const settled = await Promise.allSettled([
        w.write(bump('p-0', 0)),
        w.write(change({ id: 'p-missing', file: 'apps/missing/values.yaml' })),
        w.write(bump('p-2', 1)),
        w.write(change({ id: 'p-sloppy', edit: sloppy })),
        w.write(change({ id: 'p-exists', edit: addFilesEdit({ files: [{ path: ORDERS, content: 'x' }], subject: "service 'orders-api'" }) })),
        w.write(bump('p-5', 2)),
      ]);
      expect(settled.map(s => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
      const reasons = settled.flatMap(s => (s.status === 'rejected' ? [String(s.reason)] : []));
      expect(reasons[0]).toMatch('apps/missing/values.yaml does not exist in the repository');
      expect(reasons[1]).toMatch('edit blew up');
      expect(reasons[2]).toMatch("service 'orders-api' is already registered");

      const history = await commits();
      expect(history.map(c => c.trailers)).toEqual([['Promotion-Id: p-5'], ['Promotion-Id: p-2'], ['Promotion-Id: p-0'], []]);
      expect(history.slice(0, 3).map(c => c.files)).toEqual([[PAYMENTS], [ORDERS], [PAYMENTS]]);
      expect(await repo.file(PAYMENTS)).toBe(VALUES.replace('"1.4.2"', '"2.2.0"').trim());
      await expect(repo.file('stray.txt')).rejects.toThrow();
      await expectLinear();
    });

    it('writes a change queued twice once, and settles one that an earlier change already made', async () => {
      const w = writer('a');
      const [a, again, same] = await Promise.all([
        w.write(change({ id: 'p-1', value: '1.5.0' })),
        w.write(change({ id: 'p-1', value: '1.5.0' })),
        // Another promotion of the same version: the file already holds it after p-1.
        w.write(change({ id: 'p-2', value: '1.5.0' })),
      ]);
      expect(a).toMatchObject({ alreadyPushed: false, unchanged: false });
      expect(again).toEqual({ sha: a.sha, alreadyPushed: true, unchanged: false });
      expect(same).toEqual({ sha: a.sha, alreadyPushed: false, unchanged: true });
      expect(await repo.log()).toHaveLength(2);
    });

    it('redoes every edit on the new head when someone else pushed meanwhile, landing each change once', async () => {
      await recordPushes();
      const w = writer('a');
      const calls = new Map<string, number>();
      const counted = (id: string, edit: RepositoryEdit, intrude = false): RepositoryEdit => async dir => {
        const n = (calls.get(id) ?? 0) + 1;
        calls.set(id, n);
        // The first time round, CI pushes while this batch is being written.
        if (intrude && n === 1) await pushFromElsewhere('ci-1');
        return edit(dir);
      };
      const ids = ['p-0', 'p-1', 'p-2', 'p-3'];
      const results = await Promise.all(
        ids.map((id, i) => {
          const c = bump(id, i);
          return w.write({ ...c, edit: counted(id, c.edit, i === 1) });
        }),
      );

      // Every edit ran on the first head and again on CI's commit.
      expect(ids.map(id => calls.get(id))).toEqual([2, 2, 2, 2]);
      const history = await commits();
      expect(history.map(c => c.trailers.join())).toEqual([
        'Promotion-Id: p-3', 'Promotion-Id: p-2', 'Promotion-Id: p-1', 'Promotion-Id: p-0', '', '',
      ]);
      expect(history[4].files).toEqual(['ci-1.txt']);
      expect(history.slice(0, 4).map(c => c.sha).reverse()).toEqual(results.map(r => r.sha));
      expect(await repo.file('ci-1.txt')).toBe('ci-1');
      expect(await pushes()).toBe(2); // CI's, then ours
      await expectLinear();
    });

    it('gives up on a change after maxPushAttempts rejected pushes, landing nothing of it', async () => {
      const w = writer('a', { maxPushAttempts: 2 });
      let round = 0;
      const alwaysRaced: RepositoryEdit = async dir => {
        await pushFromElsewhere(`ci-${++round}`);
        return setValueEdit({ file: PAYMENTS, key: 'image.tag', value: '1.5.0' })(dir);
      };
      const [raced, other] = await Promise.allSettled([
        w.write(change({ id: 'p-raced', edit: alwaysRaced })),
        w.write(bump('p-other', 1)),
      ]);
      expect(raced.status).toBe('rejected');
      expect(String((raced as PromiseRejectedResult).reason)).toMatch(/^GitCommandError: git push failed: .*rejected/);
      expect(round).toBe(2);
      // Its batch-mate had the same two attempts, raced by the same pushes.
      expect(other.status).toBe('rejected');
      const log = await repo.log();
      expect(log.filter(entry => entry.includes('Promotion-Id'))).toHaveLength(0);
      expect(log).toHaveLength(3); // the seed and CI's two commits
    });

    it('interleaves two writers (replicas) on one repository without loss or duplicates', async () => {
      const replicas = [writer('replica-1'), writer('replica-2')];
      const ids = Array.from({ length: 16 }, (_, i) => `p-${i}`);
      const writes = ids.map((id, i) => replicas[i % 2].write(bump(id, i)));
      // A retried step of p-3 on the other replica, and CI pushing in the middle.
      writes.push(replicas[0].write(bump('p-3', 3)));
      const ci = new Promise(resolve => setTimeout(resolve, 50)).then(() => pushFromElsewhere('ci-1'));
      const results = await Promise.all(writes);
      await ci;

      const history = await commits();
      const trailers = history.flatMap(c => c.trailers);
      expect(trailers.sort()).toEqual(ids.map(id => `Promotion-Id: ${id}`).sort());
      expect(history).toHaveLength(18); // 16 promotions, CI's commit, the seed
      expect(history.filter(c => c.trailers.length).every(c => c.trailers.length === 1 && c.files.length === 1)).toBe(true);
      await expectLinear();
      // Each write answered the commit carrying its trailer; the retried step found p-3's.
      const byTrailer = new Map(history.map(c => [c.trailers[0], c.sha]));
      results.slice(0, 16).forEach((r, i) => expect(r.sha).toBe(byTrailer.get(`Promotion-Id: ${ids[i]}`)));
      expect(results[16].sha).toBe(results[3].sha);
      expect([results[3].alreadyPushed, results[16].alreadyPushed].sort()).toEqual([false, true]);
    }, 30_000);
  });

  it('rejects a missing file, writing nothing', async () => {
    await expect(writer('a').write(change({ file: 'apps/missing/values.yaml' }))).rejects.toThrow(
      'apps/missing/values.yaml does not exist in the repository',
    );
    expect(await repo.log()).toHaveLength(1);
  });
});
