import { TestDatabases } from '@backstage/backend-test-utils';
import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import knexFactory, { type Knex } from 'knex';
import os from 'os';
import path from 'path';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { migrationsDirectory } from '../database/migrations';
import { PromotionStore, type NewPromotion } from '../database/PromotionStore';
import { startFakePeer, type FakePeer } from './__testUtils__/fakePeer';
import { seedGit as git } from './__testUtils__/seedGit';

/*
 * Issue 9: two backend replicas run the promotion engine on one database; one is
 * killed in the middle of a git push; every promotion still ends exactly once, with
 * exactly one commit. Issue 16: while the replica is alive, however long its push
 * takes, its lease is renewed and nobody else works on its promotion.
 *
 * Each replica is its own OS process (replicas.child.ts, run through Backstage's
 * Node transform) with the plugin's real classes: PromotionEngine, PromotionStore on
 * the shared database, an Inventory following the Argo CD API, and a
 * GitopsRepositoryWriter with its own work directory pushing to one bare repository.
 * This process plays the rest of the world: an Argo CD API (a real HTTP server on
 * port 0) whose applications are synced and healthy at whatever the branch is at.
 *
 * A pre-receive hook holds the first push that reaches the remote until the test has
 * killed its replica. Replica a starts alone, leases the oldest promotion (one at a
 * time) and is held on its push for longer than a lease; meanwhile its lease is
 * renewed and no other replica takes the promotion. Then a is SIGKILLed, either with
 * its git push (as when a pod dies; b ran all along and did the other promotions, and
 * a restarts as a2 on the same work directory), or alone, its push then landing with
 * nobody to record it (b starts after it landed: a push held at the remote fails if
 * the branch moved meanwhile). a's promotion stays leased to it until its last renewal
 * runs out, after which the others take it over. Then: every promotion succeeded with
 * each step logged once, one commit per promotion, linear history, the promoted tags in
 * the values files, and nothing moved a's promotion before its lease ran out.
 *
 * Databases: PostgreSQL is what replicas share in production and what the claim is
 * about, so the test runs on it whenever BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
 * is set (scripts/test.sh sets it in CI). Without it, the test runs on a SQLite *file*
 * that the processes share instead: the same leases and compare-and-swap transitions,
 * so the engine's logic across processes is still proven, but that run says nothing
 * about PostgreSQL, and Backstage does not support replicas on SQLite.
 */

const LEASE_MS = 3_000;
const SERVICES = ['orders-api', 'payments-api', 'catalog-api'];
const TARGETS = ['staging', 'prod'];
const ENVIRONMENTS = [
  { name: 'dev', match: { labels: { env: 'dev' } } },
  { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } } },
  { name: 'prod', promotesFrom: 'staging', match: { labels: { env: 'prod' } } },
];
const VALUES = (service: string, tag: string) => `# ${service}
image:
  repository: ghcr.io/example/${service}
  # the deployed version
  tag: "${tag}"
`;
/** Runs this package's TypeScript in a plain Node process, as packages/sandbox/bin does. */
const NODE_TRANSFORM = require.resolve('@backstage/cli/config/nodeTransform.cjs');
const REPLICA_ENTRY = path.join(__dirname, 'replicas.child.ts');

const postgres = TestDatabases.create({ ids: ['POSTGRES_15'] });
const engines: [string][] = postgres.supports('POSTGRES_15') ? [['PostgreSQL 15']] : [['a SQLite file']];


const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

interface Replica {
  name: string;
  process: ChildProcess;
  output: string[];
  exited: Promise<NodeJS.Signals | number | null>;
}

const promotions: NewPromotion[] = SERVICES.flatMap((service, s) =>
  TARGETS.map((to, t) => ({
    id: `p${s * TARGETS.length + t + 1}-${service}-${to}`,
    entityRef: `component:default/${service}`,
    from: to === 'staging' ? 'dev' : 'staging',
    to,
    version: { tag: `2.${s}.${t}`, repository: `ghcr.io/example/${service}` },
    previousVersion: { tag: '1.0.0', repository: `ghcr.io/example/${service}` },
    requestedBy: 'user:default/alice',
    status: 'approved' as const,
    gates: [],
    requiredApprovals: 0,
    target: {
      instance: 'main',
      appName: `${service}-${to}`,
      repoURL: '', // set once the repository exists
      branch: 'main',
      file: `apps/${service}/${to}/values.yaml`,
      key: 'image.tag',
      strategy: 'helm-value' as const,
      method: 'commit' as const,
    },
  })),
);

describe.each(engines)('two promotion engine replicas on %s', engine => {
  let root: string;
  let remote: string;
  let knex: Knex;
  let databaseConfig: Knex.Config;
  let argocd: FakePeer;
  const replicas: Replica[] = [];

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-replicas-'));
    remote = path.join(root, 'gitops.git');

    // The GitOps repository: every service in every environment at 1.0.0.
    const seed = path.join(root, 'seed');
    git(root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    git(root, ['init', '--quiet', '--initial-branch=main', seed]);
    for (const service of SERVICES) {
      for (const env of ['dev', ...TARGETS]) {
        fs.mkdirSync(path.join(seed, 'apps', service, env), { recursive: true });
        fs.writeFileSync(path.join(seed, 'apps', service, env, 'values.yaml'), VALUES(service, '1.0.0'));
      }
    }
    git(seed, ['add', '.']);
    git(seed, ['commit', '--quiet', '-m', 'seed']);
    git(seed, ['push', '--quiet', remote, 'HEAD:main']);
    // The first push to arrive afterwards names its replica and waits for `release`
    // (its replica is killed meanwhile); every later push goes straight through.
    const hook = path.join(remote, 'hooks', 'pre-receive');
    fs.writeFileSync(
      hook,
      `#!/bin/sh
cat >/dev/null
if mkdir "${root}/held" 2>/dev/null; then
  echo "$REPLICA_NAME" > "${root}/held/replica.tmp" && mv "${root}/held/replica.tmp" "${root}/held/replica"
  i=0
  while [ ! -e "${root}/release" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
fi
exit 0
`,
    );
    fs.chmodSync(hook, 0o755);

    // Argo CD: every application synced and healthy at the branch's current head.
    argocd = await startFakePeer((req, res) => {
      const head = git(root, ['--git-dir', remote, 'rev-parse', 'main']);
      const apps = SERVICES.flatMap(service =>
        ['dev', ...TARGETS].map(env => {
          const app = argoApplication(`${service}-${env}`, { labels: { env }, revision: head });
          app.spec.source = { repoURL: `file://${remote}`, path: `apps/${service}/${env}`, targetRevision: 'main' };
          return app;
        }),
      );
      const url = new URL(req.url ?? '/', 'http://argocd');
      const name = url.pathname.match(/^\/api\/v1\/applications\/([^/]+)$/)?.[1];
      const body = url.pathname === '/api/v1/applications' ? { items: apps } : apps.find(a => a.metadata.name === name);
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { code: 5, message: `application ${name} not found` }));
    });

    if (engine.startsWith('PostgreSQL')) {
      knex = await postgres.init('POSTGRES_15');
      // knex keeps the password out of the enumerable (loggable) settings: copy it over.
      const connection = (knex.client.config as Knex.Config).connection as Knex.PgConnectionConfig;
      databaseConfig = { client: 'pg', connection: { ...connection, password: connection.password } };
    } else {
      databaseConfig = { client: 'better-sqlite3', connection: { filename: path.join(root, 'gitops.sqlite') }, useNullAsDefault: true };
      knex = knexFactory(databaseConfig);
    }
    await knex.migrate.latest({ directory: migrationsDirectory });

    const store = new PromotionStore(knex);
    const start = Date.now();
    for (const [index, promotion] of promotions.entries()) {
      await store.create({ ...promotion, target: { ...promotion.target, repoURL: `file://${remote}` } }, new Date(start + index));
    }
  });

  afterEach(async () => {
    fs.writeFileSync(path.join(root, 'release'), '');
    // Live replicas stop after their current run (closing their database connections);
    // then whatever is left of each process group goes.
    const running = replicas.splice(0);
    for (const replica of running) {
      if (replica.process.exitCode === null && replica.process.signalCode === null) replica.process.kill('SIGTERM');
    }
    for (const replica of running) {
      await Promise.race([replica.exited, sleep(5_000)]);
      try {
        process.kill(-replica.process.pid!, 'SIGKILL');
      } catch {
        // the whole process group is gone
      }
      await replica.exited;
    }
    await argocd.close();
    // The PostgreSQL database is dropped by TestDatabases after the file.
    if (!engine.startsWith('PostgreSQL')) await knex.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  });

  function startReplica(name: string, workDir: string, startWhen?: string): Replica {
    const child = spawn(
      process.execPath,
      ['-e', `require(${JSON.stringify(NODE_TRANSFORM)}); require(${JSON.stringify(REPLICA_ENTRY)});`],
      {
        // Its own process group: killing the group kills the replica with its git children.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          REPLICA_NAME: name,
          REPLICA_WORK_DIR: workDir,
          REPLICA_DATABASE: JSON.stringify(databaseConfig),
          REPLICA_ARGOCD_URL: argocd.url,
          REPLICA_LEASE_MS: String(LEASE_MS),
          REPLICA_ENVIRONMENTS: JSON.stringify(ENVIRONMENTS),
          ...(startWhen ? { REPLICA_START_WHEN: startWhen } : {}),
        },
      },
    );
    const output: string[] = [];
    child.stdout!.on('data', chunk => output.push(String(chunk)));
    child.stderr!.on('data', chunk => output.push(`[${name} stderr] ${chunk}`));
    const exited = new Promise<NodeJS.Signals | number | null>(resolve =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    const replica = { name, process: child, output, exited };
    replicas.push(replica);
    return replica;
  }

  /** Polls until `check` returns a value; on timeout, fails with what the replicas logged. */
  async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        const logs = replicas.map(r => r.output.join('')).join('\n');
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Replicas logged:\n${logs}`);
      }
      await sleep(50);
    }
  }

  const heldReplica = () => {
    try {
      return fs.readFileSync(path.join(root, 'held', 'replica'), 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };

  /** The remote's main branch, oldest first. */
  function history() {
    const log = git(root, ['--git-dir', remote, 'log', '--reverse', '--format=%H%x1f%P%x1f%an%x1f%B%x1e', 'main']);
    return log.split('\x1e').map(c => c.trim()).filter(Boolean).map(entry => {
      const [sha, parents, author, message] = entry.split('\x1f');
      const trailers: string[] = message.match(/^Promotion-Id: .+$/gm) ?? [];
      return { sha, parents: parents.split(' ').filter(Boolean), author, trailers };
    });
  }

  it.each([
    {
      how: 'killed with its git push (the whole process group, as when a pod dies); it restarts on the same work directory',
      withItsPush: true,
      // a's push died with it: b or the restarted a made the one commit.
      firstCommittedBy: ['replica b', 'replica a2'],
      firstCommitted: /^Committed [0-9a-f]{7} to main$/,
    },
    {
      how: 'killed alone while its push, already at the remote, is let through afterwards',
      withItsPush: false,
      // a's commit landed after it died: b found it by its trailer instead of writing it again.
      firstCommittedBy: ['replica a'],
      firstCommitted: /^Found commit [0-9a-f]{7} already pushed by an earlier attempt$/,
    },
  ])('every promotion ends exactly once with exactly one commit when the pushing replica is $how', async ({ withItsPush, firstCommittedBy, firstCommitted }) => {
    const started = Date.now();
    const a = startReplica('a', path.join(root, 'work-a'));
    // b loads alongside a, and starts its engine when the test says.
    const b = startReplica('b', path.join(root, 'work-b'), path.join(root, 'start-b'));
    const startB = async () => {
      fs.writeFileSync(path.join(root, 'start-b'), '');
      await waitFor('replica b to run', () => (b.output.join('').includes('started as worker') ? true : undefined));
    };
    expect(await waitFor('replica a to reach the remote with its first push', heldReplica)).toBe('a');
    const first = promotions[0].id;
    const lease = () => knex('gitops_promotions').where({ id: first }).first('status', 'claimed_by', 'claimed_until');

    // a holds the promotion it is pushing, and only that one.
    const leases = await knex('gitops_promotions').select('id', 'status', 'claimed_by').orderBy('created_at');
    expect(leases.map(l => [l.id, l.status, l.claimed_by])).toEqual(
      promotions.map((p, i) => (i === 0 ? [p.id, 'writing', `a-${a.process.pid}`] : [p.id, 'approved', null])),
    );
    const firstLeasedUntil = new Date((await lease()).claimed_until).getTime();

    // a stays held on its push past its first lease: renewed, the promotion stays a's
    // while b (where it runs) works on the others.
    if (withItsPush) await startB();
    await waitFor('a to be held past its first lease', () => (Date.now() > firstLeasedUntil + 1_000 ? true : undefined));
    const held = await lease();
    expect({ status: held.status, claimed_by: held.claimed_by }).toEqual({ status: 'writing', claimed_by: `a-${a.process.pid}` });
    expect(new Date(held.claimed_until).getTime()).toBeGreaterThan(Date.now());

    // A negative pid kills the process group: a with its `git push` and the hook.
    process.kill(withItsPush ? -a.process.pid! : a.process.pid!, 'SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    const leasedUntil = new Date((await lease()).claimed_until).getTime();
    const restarted = withItsPush ? startReplica('a2', path.join(root, 'work-a')) : undefined;
    if (!withItsPush) {
      // The orphaned `git push` completes now: the commit lands with nobody to record it.
      fs.writeFileSync(path.join(root, 'release'), '');
      await waitFor('the dead replica\'s push to land', () => (history().length === 2 ? true : undefined), 10_000);
      await startB();
    }

    const ended = await waitFor('every promotion to end', async () => {
      const rows = await knex('gitops_promotions').select('id', 'status', 'commit_sha');
      return rows.every(r => ['succeeded', 'failed', 'cancelled'].includes(r.status)) ? rows : undefined;
    });
    const elapsed = Date.now() - started;

    const store = new PromotionStore(knex);
    const stored = await Promise.all(promotions.map(p => store.get(p.id)));
    const commits = history();
    const logs = replicas.map(r => r.output.join('')).join('\n');

    // Every promotion succeeded, and each step of its log happened exactly once.
    expect(ended.map(r => [r.id, r.status]).sort()).toEqual(promotions.map(p => [p.id, 'succeeded']).sort());
    for (const promotion of stored) {
      expect({ id: promotion!.id, events: promotion!.events.map(e => e.type) }).toEqual({
        id: promotion!.id,
        events: ['requested', 'writing', 'committed', 'syncing', 'succeeded'],
      });
    }

    // One commit per promotion on top of the seed, linear, each carrying one trailer,
    // and it is the commit its promotion recorded; no other branch was pushed.
    expect(commits).toHaveLength(1 + promotions.length);
    expect(commits.every(c => c.parents.length <= 1)).toBe(true);
    expect(git(root, ['--git-dir', remote, 'rev-list', '--merges', 'main'])).toBe('');
    expect(git(root, ['--git-dir', remote, 'for-each-ref', '--format=%(refname)'])).toBe('refs/heads/main');
    for (const promotion of stored) {
      const carrying = commits.filter(c => c.trailers.includes(`Promotion-Id: ${promotion!.id}`));
      expect({ id: promotion!.id, commits: carrying.map(c => c.sha) }).toEqual({ id: promotion!.id, commits: [promotion!.commit!.sha] });
    }
    expect(commits.slice(1).every(c => c.trailers.length === 1)).toBe(true);

    // The values files hold the promoted tags.
    for (const promotion of promotions) {
      expect(git(root, ['--git-dir', remote, 'show', `main:${promotion.target.file}`])).toBe(
        VALUES(promotion.version.repository!.split('/').pop()!, promotion.version.tag).trim(),
      );
    }

    // a's promotion stayed a's until its last renewal ran out: nothing but a moved it
    // before (a wrote its `writing` event), and a held it far longer than one lease.
    const firstStored = stored[0]!;
    const aStartedWriting = new Date(firstStored.events.find(e => e.type === 'writing')!.at).getTime();
    expect(leasedUntil - aStartedWriting).toBeGreaterThan(LEASE_MS + 1_000);
    const takenOver = firstStored.events.filter(e => !['requested', 'writing'].includes(e.type));
    expect(Math.min(...takenOver.map(e => new Date(e.at).getTime()))).toBeGreaterThanOrEqual(leasedUntil);

    const firstCommit = commits.find(c => c.sha === firstStored.commit!.sha)!;
    const committed = firstStored.events.find(e => e.type === 'committed')!;
    expect(firstCommittedBy).toContain(firstCommit.author);
    expect(committed.message).toMatch(firstCommitted);
    expect(committed.message).toContain(firstCommit.sha.slice(0, 7));
    // Every commit after the seed is one of the replicas'.
    expect(commits.slice(1).every(c => ['replica a', 'replica b', 'replica a2'].includes(c.author))).toBe(true);
    expect(b.process.exitCode).toBeNull();
    expect(restarted?.process.exitCode ?? null).toBeNull();
    expect(logs).not.toMatch(/ error /);
    expect(elapsed).toBeLessThan(30_000);
  }, 60_000);
});
