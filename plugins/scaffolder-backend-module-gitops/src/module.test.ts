import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import path from 'path';
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
});
