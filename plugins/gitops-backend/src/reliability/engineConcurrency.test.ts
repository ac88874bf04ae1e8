import { GitopsRepositoryWriter } from '@gitops-suite/backstage-plugin-gitops-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createTestDatabases } from '../__testUtils__/databases';
import { createEngineHarness, newPromotion, type EngineHarness } from './__testUtils__/engineHarness';
import { seedGit as git } from './__testUtils__/seedGit';

/*
 * Issue 16, throughput: promotions approved at once into one GitOps repository must not
 * wait one fetch-rebase-push each. An engine works several promotions at once (each on
 * its own lease), and the writer group-commits what reaches one branch together. Two
 * engines (replicas) on one database and one remote: every promotion lands exactly once,
 * as its own commit, history stays linear, and fewer pushes than promotions were needed.
 */

const SERVICES = 8;
const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('engine concurrency on %s', databaseId => {
  let harness: EngineHarness;
  let root: string;
  let remote: string;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-engine-concurrency-'));
    remote = path.join(root, 'gitops.git');
    const seed = path.join(root, 'seed');
    git(root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    git(root, ['clone', '--quiet', remote, seed]);
    for (let s = 0; s < SERVICES; s++) {
      fs.mkdirSync(path.join(seed, `apps/svc-${s}/staging`), { recursive: true });
      fs.writeFileSync(path.join(seed, `apps/svc-${s}/staging/values.yaml`), `# svc-${s}\nimage:\n  tag: "1.4.2" # promoted\n`);
    }
    git(seed, ['add', '.']);
    git(seed, ['commit', '--quiet', '-m', 'seed']);
    git(seed, ['push', '--quiet', 'origin', 'HEAD:main']);
    // The remote's reflog counts the pushes from here on.
    git(remote, ['config', 'core.logAllRefUpdates', 'always']);
    harness = await createEngineHarness(databases, databaseId);
    for (let s = 0; s < SERVICES; s++) {
      await harness.store.create(
        newPromotion(`p${s}`, { entityRef: `component:default/svc-${s}` }, {
          repoURL: `file://${remote}`,
          file: `apps/svc-${s}/staging/values.yaml`,
        }),
        new Date(Date.now() - SERVICES + s),
      );
    }
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Pushes that moved main since the seed (the remote's reflog). */
  const pushes = () => {
    const moves = git(remote, ['reflog', 'show', '--format=%H', 'refs/heads/main']).split('\n').filter(Boolean);
    return moves.length;
  };
  const writer = (name: string) =>
    new GitopsRepositoryWriter({ workDir: path.join(root, name), author: { name: 'engine', email: 'engine@example.com' } });

  it('works promotions at once on two replicas, landing each once in fewer pushes than promotions', async () => {
    let concurrentWrites = 0;
    let mostConcurrentWrites = 0;
    /** The real writer, counting how many of its writes overlap (lanes work at once, not in turn). */
    const counting = (name: string) => {
      const real = writer(name);
      const write = real.write.bind(real);
      real.write = async change => {
        mostConcurrentWrites = Math.max(mostConcurrentWrites, ++concurrentWrites);
        try {
          return await write(change);
        } finally {
          concurrentWrites--;
        }
      };
      return real;
    };
    const a = harness.engine('replica-a', { concurrency: 4, writer: counting('a') });
    const b = harness.engine('replica-b', { concurrency: 4, writer: counting('b') });
    await Promise.all([a.runOnce(), b.runOnce()]);

    const promotions = await Promise.all(Array.from({ length: SERVICES }, (_, s) => harness.store.get(`p${s}`)));
    // Written; the other replica may have taken a committed one on to its next step.
    expect(promotions.every(p => ['committed', 'syncing'].includes(p!.status))).toBe(true);
    const log = git(remote, ['log', '--format=%B%x00', 'main']).split('\0');
    const trailers = log.flatMap(entry => entry.match(/Promotion-Id: p\d+/g) ?? []);
    expect(trailers.sort()).toEqual(Array.from({ length: SERVICES }, (_, s) => `Promotion-Id: p${s}`).sort());
    expect(git(remote, ['rev-list', '--count', 'main'])).toBe(String(SERVICES + 1));
    expect(git(remote, ['rev-list', '--merges', '--count', 'main'])).toBe('0');
    // Each commit sha the engine recorded is the commit carrying its trailer.
    for (const p of promotions) {
      expect(git(remote, ['log', '-1', '--format=%B', p!.commit!.sha])).toContain(`Promotion-Id: ${p!.id}`);
    }
    expect(mostConcurrentWrites).toBeGreaterThan(2);
    expect(pushes()).toBeLessThan(SERVICES);
  }, 60_000);

  it('works one promotion at a time with concurrency 1', async () => {
    const engine = harness.engine('replica-a', { concurrency: 1, writer: writer('a') });
    await engine.runOnce();
    expect(pushes()).toBe(SERVICES);
  }, 60_000);
});
