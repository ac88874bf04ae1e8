import { createMockDirectory, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'fs';
import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import path from 'path';
import { createBareRepo, readRepo } from './__testUtils__/gitRepos';
import { scaffolderModuleGitops } from './module';

describe('scaffolderModuleGitops', () => {
  async function actionsWith(data: object) {
    const actions: TemplateAction<any, any, any>[] = [];
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions: (...a: any[]) => actions.push(...a) }]],
      features: [scaffolderModuleGitops, mockServices.rootConfig.factory({ data })],
    });
    return actions;
  }

  it('registers every GitOps action, each documented and dry-run aware', async () => {
    const actions = await actionsWith({});
    expect(actions.map(a => a.id).sort()).toEqual([
      'gitops:image:set',
      'gitops:promote',
      'gitops:publish:local',
      'gitops:service:register',
    ]);
    for (const action of actions) {
      expect(action.description).toBeTruthy();
      expect(action.examples?.length).toBeGreaterThan(0);
      expect(action.supportsDryRun).toBe(true);
    }
  });

  it('publishes under gitops.scaffolder.localPublishDir', async () => {
    const actions = await actionsWith({ gitops: { scaffolder: { localPublishDir: '/srv/repos' } } });
    const publish = actions.find(a => a.id === 'gitops:publish:local')!;
    const outputs: Record<string, unknown> = {};
    await publish.handler({
      input: { repoName: 'svc', defaultBranch: 'main', gitCommitMessage: 'x' },
      workspacePath: path.resolve('.'),
      isDryRun: true,
      logger: mockServices.logger.mock(),
      output: (name: string, value: unknown) => (outputs[name] = value),
    } as any);
    expect(outputs.remoteUrl).toBe('file:///srv/repos/svc.git');
  });

  it('writes to gitops.scaffolder.gitopsRepoUrl with the gitops.git author, cloning under gitops.git.workDir/scaffolder', async () => {
    const dir = createMockDirectory();
    const repoUrl = await createBareRepo(dir.path, 'gitops', { 'apps/svc/dev/values.yaml': 'image:\n  tag: "1"\n' });
    const actions = await actionsWith({
      gitops: {
        git: { authorName: 'Platform Bot', authorEmail: 'bot@acme.test', workDir: dir.resolve('work') },
        scaffolder: { gitopsRepoUrl: repoUrl },
      },
    });
    const setImage = actions.find(a => a.id === 'gitops:image:set')!;
    await setImage.handler(
      createMockActionContext({ input: { service: 'svc', environment: 'dev', tag: '2' }, workspacePath: dir.resolve('ws') }),
    );
    const repo = await readRepo(repoUrl);
    expect(repo.files['apps/svc/dev/values.yaml']).toBe('image:\n  tag: "2"\n');
    expect(repo.log).toMatch(/^Platform Bot <bot@acme.test>\|Deploy svc 2 to dev/);
    expect(fs.readdirSync(dir.resolve('work'))).toEqual(['scaffolder']);
  });
});
