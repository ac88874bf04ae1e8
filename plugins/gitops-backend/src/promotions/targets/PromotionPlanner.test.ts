import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { readGitopsConfig } from '../../config/gitopsConfig';
import type { ArgoApplication } from '../../argocd/types';
import { DeploymentsService } from '../../deployments/DeploymentsService';
import { testInventory } from '../../__testUtils__/inventory';
import { PromotionPlanner, type PlannerGit } from './PromotionPlanner';

const GITOPS = 'https://github.com/example/gitops.git';
const CHARTS = 'https://charts.example.com';
const DEV_SHA = 'a'.repeat(40);
const STAGING_SHA = 'b'.repeat(40);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'svc', annotations: { 'argocd/app-selector': 'app.kubernetes.io/name=svc' } },
  spec: {},
};

function config(write: Record<string, string> = {}) {
  return readGitopsConfig(
    new ConfigReader({
      gitops: {
        environments: [
          { name: 'dev', match: { labels: { env: 'dev' } } },
          { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } }, promotion: { write } },
        ],
        argocd: { instances: [{ name: 'main', url: 'https://argocd.example.com', token: 't' }] },
      },
    }),
  );
}

/** An Argo CD application as the API returns it (the fields the planner reads). */
function app(env: string, spec: ArgoApplication['spec'], extra: Partial<ArgoApplication['metadata']> = {}, revision = env === 'dev' ? DEV_SHA : STAGING_SHA): ArgoApplication {
  return {
    metadata: { name: `svc-${env}`, namespace: 'argocd', labels: { 'app.kubernetes.io/name': 'svc', env }, ...extra },
    spec: { destination: { server: 'https://kubernetes.default.svc', namespace: `svc-${env}` }, ...spec },
    status: {
      sync: { status: 'Synced', revision },
      health: { status: 'Healthy' },
      summary: { images: [`ghcr.io/example/svc:${env === 'dev' ? '1.2.0' : '1.1.0'}`] },
    },
  };
}

function gitFake(kinds: Record<string, 'branch' | 'tag' | 'commit'> = {}): PlannerGit & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolveRevision: async ({ revision }: { revision: string }) => {
      asked.push(revision);
      return { kind: kinds[revision] ?? 'branch' };
    },
    diff: async () => ({
      from: STAGING_SHA,
      to: DEV_SHA,
      files: [{ path: 'apps/svc/values.yaml', status: 'M', additions: 1, deletions: 1 }],
      patch: '-  tag: "1.1.0"\n+  tag: "1.2.0"\n',
      truncated: false,
    }),
    mergeConflicts: async () => [],
  } as unknown as PlannerGit & { asked: string[] };
}

async function plan(apps: ArgoApplication[], write?: Record<string, string>, git: PlannerGit = gitFake()) {
  const gitops = config(write);
  const inventory = testInventory(gitops, apps.map(application => ({ instance: 'main', application })));
  const view = await new DeploymentsService(gitops, inventory).getDeployments(entity);
  const [dev, staging] = view.environments;
  return new PromotionPlanner(inventory, git).plan(entity, gitops.environments[1], dev, staging);
}

describe('PromotionPlanner', () => {
  it('writes the image tag into the values file of environments on one branch', async () => {
    const result = await plan([
      app('dev', { source: { repoURL: GITOPS, path: 'apps/svc/dev', targetRevision: 'main' } }),
      app('staging', { source: { repoURL: GITOPS, path: 'apps/svc/staging', targetRevision: 'main' } }),
    ]);
    expect(result.write).toEqual({
      strategy: 'helm-value', method: 'commit', repoURL: GITOPS, branch: 'main', file: 'apps/svc/staging/values.yaml', field: 'image.tag',
    });
    expect(result.version).toMatchObject({ tag: '1.2.0' });
    expect(result.previousVersion).toMatchObject({ tag: '1.1.0' });
    expect(result.target.live).toEqual({ kind: 'commit', source: undefined });
  });

  it('sets the chart version of a chart from a Helm repository in the Application manifest', async () => {
    const result = await plan(
      [
        app('dev', { source: { repoURL: CHARTS, chart: 'svc', targetRevision: '1.2.0' } }, {}, '1.2.0'),
        app('staging', { source: { repoURL: CHARTS, chart: 'svc', targetRevision: '1.1.0' } }, {}, '1.1.0'),
      ],
      { applicationFile: 'argocd/{application}.yaml', manifestRepoURL: GITOPS },
    );
    expect(result.write).toMatchObject({ strategy: 'chart-version', file: 'argocd/svc-staging.yaml', field: 'spec.source.targetRevision', branch: 'main' });
    expect(result.target.manifest).toEqual({ kind: 'Application', name: 'svc-staging', path: ['spec', 'source', 'targetRevision'] });
    expect(result.version).toMatchObject({ kind: 'chart', chart: 'svc', tag: '1.2.0', image: 'ghcr.io/example/svc:1.2.0' });
    expect(result.previousVersion).toMatchObject({ kind: 'chart', tag: '1.1.0' });
    expect(result.target.live).toEqual({ kind: 'targetRevision', source: undefined });
  });

  it('refuses a chart version it cannot tell where to write, naming the setting', async () => {
    await expect(
      plan([
        app('dev', { source: { repoURL: CHARTS, chart: 'svc', targetRevision: '1.2.0' } }),
        app('staging', { source: { repoURL: CHARTS, chart: 'svc', targetRevision: '1.1.0' } }),
      ]),
    ).rejects.toThrow(/set gitops\.environments\[staging\]\.promotion\.write\.manifestRepoURL/);
    await expect(
      plan(
        [
          app('dev', { source: { repoURL: CHARTS, chart: 'svc', targetRevision: '1.2.0' } }),
          app('staging', { source: { repoURL: CHARTS, chart: 'svc', targetRevision: '1.1.0' } }),
        ],
        { manifestRepoURL: GITOPS },
      ),
    ).rejects.toThrow(ConflictError);
  });

  it('moves a pinned tag to the commit the source environment synced from its branch', async () => {
    const git = gitFake({ 'svc-seed': 'tag', main: 'branch' });
    const result = await plan(
      [
        app('dev', { source: { repoURL: GITOPS, path: 'apps/svc', targetRevision: 'main' } }),
        app('staging', { source: { repoURL: GITOPS, path: 'apps/svc', targetRevision: 'svc-seed' } }),
      ],
      { applicationFile: 'argocd/{application}.yaml' },
      git,
    );
    expect(result.write).toMatchObject({ strategy: 'git-revision', repoURL: GITOPS, file: 'argocd/svc-staging.yaml' });
    expect(result.version).toMatchObject({ kind: 'revision', tag: DEV_SHA });
    expect(result.previousVersion).toMatchObject({ kind: 'revision', tag: 'svc-seed' });
  });

  it('merges the source environment’s branch into the target’s when both deploy one path', async () => {
    const result = await plan([
      app('dev', { source: { repoURL: GITOPS, path: 'apps/svc', targetRevision: 'dev' } }),
      app('staging', { source: { repoURL: GITOPS, path: 'apps/svc/', targetRevision: 'staging' } }),
    ]);
    expect(result.write).toEqual({
      strategy: 'environment-branch', method: 'commit', repoURL: GITOPS, branch: 'staging', sourceBranch: 'dev', file: 'apps/svc',
    });
    expect(result.version).toMatchObject({ kind: 'revision', tag: DEV_SHA });
    expect(result.diff).toMatchObject({ files: [{ path: 'apps/svc/values.yaml' }], conflicts: [] });
  });

  it('edits the value file of the ref source of a multi-source application', async () => {
    const sources = (env: string) => [
      { repoURL: CHARTS, chart: 'svc', targetRevision: '3.0.0', helm: { valueFiles: [`$values/apps/svc/${env}/values.yaml`] } },
      { repoURL: GITOPS, targetRevision: 'release', ref: 'values' },
    ];
    const result = await plan([app('dev', { sources: sources('dev') }), app('staging', { sources: sources('staging') })]);
    expect(result.write).toMatchObject({ strategy: 'helm-value', repoURL: GITOPS, branch: 'release', file: 'apps/svc/staging/values.yaml' });
    expect(result.target.live).toEqual({ kind: 'commit', source: 1 });
    expect(result.version).toMatchObject({ tag: '1.2.0' });
  });

  it('edits the list element of the ApplicationSet that generated the application', async () => {
    const owned = { ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: 'svc', controller: true }] };
    const source = (tag: string) => ({
      repoURL: GITOPS, path: 'apps/svc', targetRevision: 'main', helm: { parameters: [{ name: 'image.tag', value: tag }] },
    });
    const result = await plan(
      [app('dev', { source: source('1.2.0') }, owned), app('staging', { source: source('1.1.0') }, owned)],
      { applicationSetFile: 'argocd/{applicationSet}.yaml' },
    );
    expect(result.write).toMatchObject({ strategy: 'application-set', file: 'argocd/svc.yaml', repoURL: GITOPS });
    expect(result.target.manifest).toEqual({
      kind: 'ApplicationSet', name: 'svc', application: 'svc-staging', field: { kind: 'helmParameter', name: 'image.tag' },
    });
    expect(result.target.live).toEqual({ kind: 'helmParameter', source: undefined, name: 'image.tag' });
    await expect(plan([app('dev', { source: source('1.2.0') }, owned), app('staging', { source: source('1.1.0') }, owned)])).rejects.toThrow(
      /generated by ApplicationSet svc; set gitops\.environments\[staging\]\.promotion\.write\.applicationSetFile/,
    );
  });

  it('keeps a strategy config names, refusing one the application does not fit', async () => {
    await expect(
      plan(
        [
          app('dev', { source: { repoURL: GITOPS, path: 'apps/svc/dev', targetRevision: 'main' } }),
          app('staging', { source: { repoURL: GITOPS, path: 'apps/svc/staging', targetRevision: 'main' } }),
        ],
        { strategy: 'environment-branch' },
      ),
    ).rejects.toThrow(/do not follow two branches of one repository/);
  });
});
