import {
  coreServices,
  createBackendPlugin,
  type UrlReaderService,
} from '@backstage/backend-plugin-api';
import { createMockDirectory, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ScmIntegrations } from '@backstage/integration';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { createFetchPlainAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'fs/promises';
import request from 'supertest';
import { createPublishLocalAction } from '../actions/publishLocal';
import { gitopsLocalReposUrlReaderModule } from './module';

const CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
spec:
  type: service
  lifecycle: experimental
  owner: team-payments
`;

describe('gitopsLocalReposUrlReaderModule', () => {
  const dir = createMockDirectory();
  const config = () =>
    mockServices.rootConfig.factory({
      data: { gitops: { scaffolder: { localPublishDir: dir.resolve('repos') } } },
    });

  /** Runs gitops:publish:local like a template does and returns its outputs. */
  async function publish() {
    dir.setContent({
      workspace: {
        'catalog-info.yaml': CATALOG_INFO,
        docs: { 'index.md': '# Payments\n', guides: { 'setup.md': 'Setup\n' } },
      },
    });
    const ctx = createMockActionContext({
      workspacePath: dir.resolve('workspace'),
      input: { repoName: 'payments-api', defaultBranch: 'main', gitCommitMessage: 'Initial commit' },
    });
    const action = createPublishLocalAction({
      baseDir: dir.resolve('repos'),
      author: { name: 'Backstage GitOps', email: 'gitops@backstage.local' },
    });
    await action.handler(ctx);
    const outputs = Object.fromEntries(
      (ctx.output as jest.Mock).mock.calls.map(([name, value]) => [name, value]),
    );
    return outputs as { remoteUrl: string; repoContentsUrl: string; commitHash: string };
  }

  it('gives every plugin coreServices.urlReader access to published repositories', async () => {
    const { repoContentsUrl, commitHash, remoteUrl } = await publish();
    expect(repoContentsUrl).toBe('https://gitops.local/payments-api/blob/main');
    expect(remoteUrl).toBe(`file://${dir.resolve('repos/payments-api.git')}`);

    let urlReader: UrlReaderService | undefined;
    const consumer = createBackendPlugin({
      pluginId: 'consumer',
      register(env) {
        env.registerInit({
          deps: { reader: coreServices.urlReader },
          async init({ reader }) {
            urlReader = reader;
          },
        });
      },
    });
    await startTestBackend({ features: [gitopsLocalReposUrlReaderModule, config(), consumer] });

    const file = await urlReader!.readUrl(`${repoContentsUrl}/catalog-info.yaml`);
    expect((await file.buffer()).toString()).toBe(CATALOG_INFO);
    expect(file.etag).toBe(commitHash);

    // fetch:plain of a directory, as a template step would run it
    const integrations = ScmIntegrations.fromConfig(mockServices.rootConfig());
    const fetchPlain = createFetchPlainAction({ reader: urlReader!, integrations });
    const ctx = createMockActionContext({
      workspacePath: dir.resolve('fetched'),
      input: { url: `${repoContentsUrl}/docs`, targetPath: 'docs' },
    });
    await fs.mkdir(dir.resolve('fetched'));
    await fetchPlain.handler(ctx as any);
    expect(await fs.readFile(dir.resolve('fetched/docs/guides/setup.md'), 'utf8')).toBe('Setup\n');
  });

  it('lets the catalog read <repoContentsUrl>/catalog-info.yaml as a url location', async () => {
    const { repoContentsUrl } = await publish();
    const target = `${repoContentsUrl}/catalog-info.yaml`;
    const { server } = await startTestBackend({
      features: [gitopsLocalReposUrlReaderModule, config(), catalogPlugin],
    });

    // what catalog:register does: the dry run processes the location through the readers
    const dryRun = await request(server)
      .post('/api/catalog/locations?dryRun=true')
      .send({ type: 'url', target });
    expect(dryRun.status).toBe(201);
    const entity = dryRun.body.entities.find((e: any) => e.kind === 'Component');
    expect(entity.metadata.name).toBe('payments-api');
    expect(entity.metadata.annotations['backstage.io/managed-by-location']).toBe(`url:${target}`);

    const missing = await request(server)
      .post('/api/catalog/locations?dryRun=true')
      .send({ type: 'url', target: 'https://gitops.local/unknown/blob/main/catalog-info.yaml' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('no matching files found');
    // the whole catalog backend starts here: slow on a busy machine
  }, 30_000);
});
