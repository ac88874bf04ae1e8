import { mockCredentials, mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import fs from 'fs';
import type { Knex } from 'knex';
import os from 'os';
import path from 'path';
import { argoApplication } from '../../__testUtils__/argoCdSwagger';
import { paymentsEntity, startGitopsTestBackend } from '../../__testUtils__/testBackend';
import { startFakePeer, type FakePeer } from './fakePeer';
import { seedGit as git } from './seedGit';

/**
 * A whole GitOps world for the write paths: a real bare GitOps repository, an Argo CD
 * peer on port 0 whose applications deploy from it, the plugin database in a knex the
 * test can read, and a scheduler the test triggers. `fingerprint()` is everything a
 * request could have written: rows of the promotion and scan tables, the repository's
 * head, and the mutating calls Argo CD received.
 */

export const alice = mockCredentials.user.header('user:default/alice');
export const bob = mockCredentials.user.header('user:default/bob');
export const ci = mockCredentials.service.header();
export const ENTITY_REF = 'component:default/payments-api';
export const ENTITY_PATH = '/api/gitops/v1/entities/component/default/payments-api';

const VALUES = (tag: string) => `# payments-api
image:
  repository: ghcr.io/example/payments-api
  tag: "${tag}"
`;

const canary = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'canary-demo', namespace: 'payments-dev' },
  spec: {
    replicas: 2,
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
    template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/example/payments-api:1.5.0' }] } },
  },
  // Finished: the source of a promotion must have completed its rollout.
  status: {
    phase: 'Healthy', currentStepIndex: 2, stableRS: '5b9c8d7f6', currentPodHash: '5b9c8d7f6',
    replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2,
  },
};

type MockScheduler = ReturnType<typeof mockServices.scheduler> & { triggerTask(id: string): Promise<void> };


export interface World {
  root: string;
  remote: string;
  argocd: FakePeer;
  knex: Knex;
  scheduler: MockScheduler;
  config: ReturnType<typeof worldConfig>;
  /** What requests may have written; equal before and after a refused request. */
  fingerprint(): Promise<Record<string, unknown>>;
  /** The remote's main branch, newest first: `subject` per commit. */
  log(): string[];
  engine(): Promise<void>;
  dispose(): Promise<void>;
}

export async function createWorld(databases: TestDatabases): Promise<World> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-reliability-'));
  const remote = path.join(root, 'gitops.git');
  const seed = path.join(root, 'seed');
  git(root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  git(root, ['clone', '--quiet', remote, seed]);
  const values = (env: string, tag: string) => {
    fs.mkdirSync(path.join(seed, 'apps/payments-api', env), { recursive: true });
    fs.writeFileSync(path.join(seed, 'apps/payments-api', env, 'values.yaml'), VALUES(tag));
  };
  values('dev', '1.5.0');
  values('staging', '1.4.2');
  values('prod', '1.3.0');
  git(seed, ['add', '.']);
  git(seed, ['commit', '--quiet', '-m', 'seed']);
  // prod ran 1.3.0 before: a rollback candidate.
  values('prod', '1.4.0');
  git(seed, ['commit', '--quiet', '-am', 'Deploy payments-api 1.4.0 to prod']);
  git(seed, ['push', '--quiet', 'origin', 'HEAD:main']);
  const revision = git(seed, ['rev-parse', 'HEAD']);

  const app = (env: string, tag: string) => {
    const application = argoApplication(`payments-api-${env}`, {
      labels: { 'app.kubernetes.io/name': 'payments-api', env },
      namespace: `payments-${env}`,
      image: `ghcr.io/example/payments-api:${tag}`,
      revision,
      rollout: env === 'dev' ? { name: 'canary-demo', namespace: 'payments-dev' } : undefined,
    });
    application.spec.source = { repoURL: `file://${remote}`, path: `apps/payments-api/${env}`, targetRevision: 'main' };
    // Without automated sync, Argo CD's own rollback is allowed (argocd-rollback route).
    if (env === 'prod') delete (application.spec as { syncPolicy?: unknown }).syncPolicy;
    return application;
  };
  const apps = [app('dev', '1.5.0'), app('staging', '1.4.2'), app('prod', '1.4.0')];

  const argocd = await startFakePeer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    const reply = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const [, , , , name, ...rest] = url.pathname.split('/');
    if (url.pathname === '/api/v1/applications') return reply({ items: apps });
    const application = apps.find(a => a.metadata.name === name);
    if (!application) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ code: 5, message: `application ${name} not found` }));
    }
    const sub = rest.join('/');
    if (sub === 'resource') return reply({ manifest: JSON.stringify(canary) });
    if (sub === 'resource/actions') {
      return reply({ actions: ['resume', 'promote-full', 'abort', 'retry', 'pause', 'restart'].map(action => ({ name: action })) });
    }
    return reply(application);
  });

  const knex = await databases.init('SQLITE_3');
  const scheduler = mockServices.scheduler() as MockScheduler;
  const config = worldConfig(argocd.url, root);

  const count = async (table: string) => Number((await knex(table).count({ n: '*' }))[0].n);
  return {
    root,
    remote,
    argocd,
    knex,
    scheduler,
    config,
    async fingerprint() {
      return {
        promotions: await knex('gitops_promotions').select('id', 'status').orderBy('id'),
        approvals: await count('gitops_promotion_approvals'),
        events: await count('gitops_promotion_events'),
        scans: await count('gitops_scans'),
        head: git(root, ['--git-dir', remote, 'rev-parse', 'main']),
        argoCdWrites: argocd.requests.filter(r => !r.startsWith('GET ')),
        workDir: fs.existsSync(path.join(root, 'work')) ? fs.readdirSync(path.join(root, 'work')).sort() : [],
      };
    },
    log: () => git(root, ['--git-dir', remote, 'log', '--format=%s', 'main']).split('\n'),
    engine: () => scheduler.triggerTask('gitops-promotion-engine'),
    async dispose() {
      await argocd.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

function worldConfig(argocdUrl: string, root: string) {
  return {
    gitops: {
      environments: [
        { name: 'dev', match: { labels: { env: 'dev' } } },
        { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } }, promotion: { approvals: { required: 1 } } },
        { name: 'prod', promotesFrom: 'staging', match: { labels: { env: 'prod' } }, promotion: { approvals: { required: 1 } } },
      ],
      argocd: { requestTimeoutMs: 2_000, instances: [{ name: 'main', url: argocdUrl, token: 'argocd-secret-token' }] },
      git: { workDir: path.join(root, 'work') },
    },
  };
}

/** The gitops backend over the world; `features` add e.g. a permissions service. */
export function startWorldBackend(
  world: World,
  options: {
    features?: NonNullable<Parameters<typeof startGitopsTestBackend>[0]>['features'];
    config?: object;
    /** More catalog entities beside payments-api. */
    entities?: Entity[];
  } = {},
) {
  return startGitopsTestBackend({
    scheduler: world.scheduler,
    config: options.config ?? world.config,
    entities: [paymentsEntity, ...(options.entities ?? [])],
    features: [mockServices.database.factory({ knex: world.knex }), ...(options.features ?? [])],
  });
}
