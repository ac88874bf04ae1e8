import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import type { ArgoApplication } from '../argocd/types';
import { readGitopsConfig } from '../config/gitopsConfig';
import { DeploymentsService } from '../deployments/DeploymentsService';
import { testInventory } from '../__testUtils__/inventory';

const gitops = readGitopsConfig(
  new ConfigReader({
    gitops: {
      environments: [{ name: 'dev', match: { labels: { env: 'dev' } } }],
      argocd: { instances: [{ name: 'main', url: 'https://argocd.example.com', token: 't' }] },
    },
  }),
);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'svc', annotations: { 'argocd/app-selector': 'app.kubernetes.io/name=svc' } },
  spec: {},
};

/**
 * An application as the ApplicationSet controller generates it from a pull-request
 * generator: owned by the ApplicationSet, annotated from the generator's parameters
 * (number, title, branch, author, head_sha) by the template.
 */
function preview(number: number, extra: Partial<ArgoApplication['metadata']> = {}): ArgoApplication {
  return {
    metadata: {
      name: `svc-pr-${number}`,
      namespace: 'argocd',
      // A template copying the environment label must not make it an environment's.
      labels: { 'app.kubernetes.io/name': 'svc', env: 'dev' },
      creationTimestamp: '2026-12-01T10:00:00Z',
      ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: 'svc-previews', controller: true }],
      annotations: {
        'gitops.backstage.io/pr-number': String(number),
        'gitops.backstage.io/pr-title': 'Add search',
        'gitops.backstage.io/pr-branch': 'feature/search',
        'gitops.backstage.io/pr-author': 'dana',
        'gitops.backstage.io/pr-head-sha': '089d92cbf9ff857a39e6feccd32798ca700fb958',
        'gitops.backstage.io/pr-url': `https://github.com/example/svc/pull/${number}`,
      },
      ...extra,
    },
    spec: { source: { repoURL: 'https://github.com/example/gitops.git', path: 'apps/svc/preview' } },
    status: {
      sync: { status: 'Synced', revision: 'c'.repeat(40) },
      health: { status: 'Healthy' },
      summary: { images: [`ghcr.io/example/svc:pr-${number}-089d92cb`], externalURLs: [`https://svc-pr-${number}.preview.example.com`] },
    },
  };
}

const dev: ArgoApplication = {
  metadata: { name: 'svc-dev', namespace: 'argocd', labels: { 'app.kubernetes.io/name': 'svc', env: 'dev' } },
  spec: { source: { repoURL: 'https://github.com/example/gitops.git', path: 'apps/svc/dev' } },
  status: { sync: { status: 'Synced' }, health: { status: 'Healthy' }, summary: { images: ['ghcr.io/example/svc:1.0.0'] } },
};

async function deployments(apps: ArgoApplication[]) {
  const inventory = testInventory(gitops, apps.map(application => ({ instance: 'main', application })));
  return new DeploymentsService(gitops, inventory).getDeployments(entity);
}

describe('preview environments', () => {
  it('lists pull requests’ previews apart from the environments, newest first', async () => {
    const view = await deployments([dev, preview(7), preview(12)]);
    expect(view.environments[0].applications.map(a => a.name)).toEqual(['svc-dev']);
    expect(view.unassigned).toEqual([]);
    expect(view.previews?.map(p => p.pullRequest.number)).toEqual([12, 7]);
    expect(view.previews?.[1]).toMatchObject({
      pullRequest: {
        number: 7,
        title: 'Add search',
        branch: 'feature/search',
        author: 'dana',
        headSha: '089d92cbf9ff857a39e6feccd32798ca700fb958',
        url: 'https://github.com/example/svc/pull/7',
      },
      version: { image: 'ghcr.io/example/svc:pr-7-089d92cb', tag: 'pr-7-089d92cb' },
      url: 'https://svc-pr-7.preview.example.com',
      createdAt: '2026-12-01T10:00:00Z',
      tearingDown: false,
      application: { applicationSet: 'svc-previews', sync: { status: 'Synced' } },
    });
  });

  it('says a preview is tearing down while Argo CD deletes it', async () => {
    const view = await deployments([preview(7, { deletionTimestamp: '2026-12-02T10:00:00Z' })]);
    expect(view.previews?.[0]).toMatchObject({ tearingDown: true, application: { deleting: true } });
  });

  it('takes an application with the preview labels as one, and never links a non-http URL', async () => {
    const labelled: ArgoApplication = {
      ...dev,
      metadata: {
        name: 'svc-pr-3',
        labels: { 'app.kubernetes.io/name': 'svc', env: 'dev', 'gitops.backstage.io/preview': 'true' },
        // An annotation is anyone's text: a script URL must never become a link.
        // eslint-disable-next-line no-script-url
        annotations: { 'gitops.backstage.io/pr-number': '3', 'gitops.backstage.io/pr-url': 'javascript:alert(1)' },
      },
    };
    const view = await deployments([dev, labelled]);
    expect(view.environments[0].applications.map(a => a.name)).toEqual(['svc-dev']);
    expect(view.previews?.[0].pullRequest).toEqual({ number: 3 });
  });

  it('leaves an ApplicationSet’s environment applications in their environments', async () => {
    const generated: ArgoApplication = {
      ...dev,
      metadata: { ...dev.metadata, ownerReferences: [{ kind: 'ApplicationSet', name: 'svc' }] },
    };
    const view = await deployments([generated]);
    expect(view.environments[0].applications.map(a => a.name)).toEqual(['svc-dev']);
    expect(view.previews).toEqual([]);
  });
});
