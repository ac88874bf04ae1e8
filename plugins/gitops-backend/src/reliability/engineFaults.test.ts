import { GitopsRepositoryWriter, type PullRequest, type PullRequestProvider } from '@gitops-suite/backstage-plugin-gitops-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createTestDatabases } from '../__testUtils__/databases';
import { createEngineHarness, newPromotion, type EngineHarness } from './__testUtils__/engineHarness';
import { seedGit as git } from './__testUtils__/seedGit';

/*
 * Issue 16: what the promotion engine does when the world around it fails.
 *
 * - A pull request nobody merges does not hold its environment forever: after the
 *   environment's `promotion.pullRequestTimeoutMinutes` it is closed and the promotion
 *   fails, saying why.
 * - Every error of a step is an event on the promotion (what the UI's history shows),
 *   not only a log line; a step that keeps failing the same way says so once.
 * - When git cannot tell whether Argo CD's revision contains the promotion's commit
 *   (the revision is unknown to the repository, or the repository is unreachable), the
 *   deployment is unknown: never "not deployed" (which fails the promotion, marks the
 *   version bad and may roll back) and never deployed. The engine records it and asks
 *   again; past the verify timeout the promotion ends as unverified, the version not
 *   marked bad.
 */

const MINUTE = 60_000;
const T0 = new Date('2026-12-02T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);
const PR_URL = 'https://github.com/acme/gitops/pull/12';

const databases = createTestDatabases();

function fakeGithub(state: { get?: () => Promise<PullRequest> } = {}) {
  const closed: number[] = [];
  const open: PullRequest = { url: PR_URL, number: 12, state: 'open' };
  const provider: PullRequestProvider = {
    supports: () => true,
    open: async () => open,
    get: async () => (state.get ? state.get() : open),
    async close(_repoURL, number) {
      closed.push(number);
      return { ...open, state: 'closed' };
    },
  };
  return { provider, closed, state };
}

const writtenWriter = { write: async () => ({ sha: 'c'.repeat(40), alreadyPushed: false, unchanged: false }) };

describe.each(databases.eachSupportedId())('promotion engine faults on %s', databaseId => {
  describe('a pull request', () => {
    let harness: EngineHarness;
    beforeEach(async () => {
      harness = await createEngineHarness(databases, databaseId, {
        write: { method: 'pull-request' },
        pullRequestTimeoutMinutes: 60,
      });
      await harness.store.create(newPromotion('p1', {}, { method: 'pull-request' }), T0);
    });

    it('that nobody merges is closed and fails the promotion after pullRequestTimeoutMinutes', async () => {
      const github = fakeGithub();
      const engine = harness.engine('replica-a', { writer: writtenWriter, pullRequests: [github.provider] });
      harness.setClock(T0);
      await engine.runOnce();
      expect((await harness.store.get('p1'))!.status).toBe('pull-request-open');

      harness.setClock(at(59));
      await engine.runOnce();
      expect((await harness.store.get('p1'))!.status).toBe('pull-request-open');
      expect(github.closed).toEqual([]);

      harness.setClock(at(61));
      await engine.runOnce();
      const failed = await harness.store.get('p1');
      expect(failed).toMatchObject({
        status: 'failed',
        failureReason: 'Pull request #12 was not merged within 60 min (promotion.pullRequestTimeoutMinutes): closed it',
      });
      expect(github.closed).toEqual([12]);
      // The environment is free for the next promotion.
      await harness.store.create(newPromotion('p2'), at(62));
    });

    it('whose host fails is an event on the promotion, once per distinct error, and is asked again', async () => {
      const github = fakeGithub();
      const engine = harness.engine('replica-a', { writer: writtenWriter, pullRequests: [github.provider] });
      harness.setClock(T0);
      await engine.runOnce();

      github.state.get = async () => {
        throw new Error('GitHub answered 502 Bad Gateway');
      };
      for (const minute of [1, 2, 3]) {
        harness.setClock(at(minute));
        await engine.runOnce();
      }
      const failing = await harness.store.get('p1');
      expect(failing!.status).toBe('pull-request-open');
      expect(failing!.events.filter(e => e.type === 'engine-error').map(e => e.message)).toEqual([
        'Step pull-request-open failed, will retry: GitHub answered 502 Bad Gateway',
      ]);

      github.state.get = async () => ({ url: PR_URL, number: 12, state: 'merged', mergeCommitSha: 'd'.repeat(40) });
      harness.setClock(at(4));
      await engine.runOnce();
      expect(await harness.store.get('p1')).toMatchObject({ status: 'committed', commit: { sha: 'd'.repeat(40) } });
    });
  });

  describe('verification, when git cannot answer', () => {
    let harness: EngineHarness;
    let root: string;
    let remote: string;
    const failed: string[] = [];

    beforeEach(async () => {
      failed.length = 0;
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-engine-faults-'));
      remote = path.join(root, 'gitops.git');
      const seed = path.join(root, 'seed');
      git(root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
      git(root, ['clone', '--quiet', remote, seed]);
      fs.mkdirSync(path.join(seed, 'apps/payments-api/staging'), { recursive: true });
      fs.writeFileSync(path.join(seed, 'apps/payments-api/staging/values.yaml'), 'image:\n  tag: "1.4.2"\n');
      git(seed, ['add', '.']);
      git(seed, ['commit', '--quiet', '-m', 'seed']);
      git(seed, ['push', '--quiet', 'origin', 'HEAD:main']);
      harness = await createEngineHarness(databases, databaseId, { verifyTimeoutMinutes: 30 });
      await harness.store.create(newPromotion('p1', {}, { repoURL: `file://${remote}` }), T0);
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    /** Writes the promotion and brings it to `syncing`, as the engine does. */
    async function committedAndSyncing() {
      const engine = harness.engine('replica-a', {
        writer: new GitopsRepositoryWriter({ workDir: path.join(root, 'work'), author: { name: 'engine', email: 'engine@example.com' } }),
        onVerificationFailed: async (_promotion, reason) => {
          failed.push(reason);
        },
      });
      harness.setClock(T0);
      await engine.runOnce();
      await engine.runOnce();
      expect((await harness.store.get('p1'))!.status).toBe('syncing');
      return engine;
    }

    it.each([
      {
        fault: 'Argo CD synced a revision the repository does not have',
        breakGit: () => {},
        error: /Step syncing failed, will retry: cannot tell whether f{7} contains [0-9a-f]{7}: git merge-base failed: .*f{40}/,
      },
      {
        fault: 'the repository is unreachable',
        breakGit: () => fs.renameSync(remote, `${remote}.gone`),
        error: /Step syncing failed, will retry: cannot tell whether f{7} contains [0-9a-f]{7}: git fetch failed: .*(does not appear to be a git repository|not found)/,
      },
    ])('records an unknown deployment when $fault: never "not deployed", never marked bad', async ({ breakGit, error }) => {
      const engine = await committedAndSyncing();
      // Synced, Healthy and running the tag: only the revision check stands between
      // the promotion and success.
      harness.setApplication({ revision: 'f'.repeat(40), tag: '1.5.0' });
      breakGit();

      for (const minute of [1, 2, 3]) {
        harness.setClock(at(minute));
        await engine.runOnce();
      }
      const unknown = await harness.store.get('p1');
      expect(unknown!.status).toBe('syncing');
      const errors = unknown!.events.filter(e => e.type === 'engine-error');
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(error);

      harness.setClock(at(31));
      await engine.runOnce();
      const ended = await harness.store.get('p1');
      expect(ended).toMatchObject({
        status: 'failed',
        failureReason: expect.stringMatching(/^Could not verify the deployment within 30 min: cannot tell whether /),
      });
      // Unknown is not a failure of the version: nothing marks it bad or rolls back.
      expect(failed).toEqual([]);
      expect(await harness.store.badVersions('component:default/payments-api', 'staging')).toEqual([]);
    });
  });
});
