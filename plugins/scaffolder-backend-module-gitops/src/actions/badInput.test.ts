import { createMockDirectory, mockServices, registerMswTestHooks } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { GitopsRepositoryWriter, ScmCredentials } from '@gitops-suite/backstage-plugin-gitops-node';
import { ScmIntegrations } from '@backstage/integration';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import fs from 'fs';
import { createBareRepo, readRepo } from '../__testUtils__/gitRepos';
import { createPromoteAction } from './promote';
import { createPublishLocalAction } from './publishLocal';
import { createRegisterServiceAction } from './registerService';
import { createSetImageAction } from './setImage';

/**
 * A bad-input corpus across the gitops:* actions, for what their own tests leave out:
 * YAML, newlines and comments where a single value goes, absolute paths and symlinks out
 * of the workspace, names that are not names, and commit messages forging the trailer a
 * step finds its own commit by. Every input here passes the action's JSON schema (the
 * scaffolder checks that first), so the handler is what must refuse it: an InputError
 * naming the field, nothing pushed or published, no call to the GitOps backend, and the
 * same action still working with valid input right after.
 */

const author = { name: 'Backstage GitOps', email: 'gitops@backstage.local' };
const VALUES = (tag: string) => `image:\n  repository: ghcr.io/example/payments-api\n  tag: "${tag}"\n`;
const SEED = {
  'apps/payments-api/dev/values.yaml': VALUES('1.4.0'),
  'apps/payments-api/prod/values.yaml': VALUES('1.3.0'),
};
const GITOPS_BASE = 'http://localhost:0/api/gitops';

type ActionName = 'gitops:image:set' | 'gitops:service:register' | 'gitops:promote' | 'gitops:publish:local';

/** Valid input of each action; a case overrides some fields. */
const VALID: Record<ActionName, Record<string, unknown>> = {
  'gitops:image:set': { service: 'payments-api', environment: 'dev', tag: '1.5.0' },
  'gitops:service:register': { service: 'checkout-api', imageRepository: 'ghcr.io/acme/checkout-api' },
  'gitops:promote': { entityRef: 'component:default/payments-api', from: 'staging', to: 'prod' },
  'gitops:publish:local': { repoName: 'checkout-api' },
};

const corpus: Array<[ActionName, Record<string, unknown>, RegExp]> = [
  // YAML and comments where one value goes
  ['gitops:image:set', { tag: '*release' }, /^tag '\*release'/],
  ['gitops:image:set', { tag: '1.5.0 # pinned' }, /^tag '1.5.0 # pinned'/],
  ['gitops:image:set', { tag: '{major: 1}' }, /^tag '\{major: 1\}'/],
  ['gitops:image:set', { repository: 'ghcr.io/acme/payments-api\nmalicious: true' }, /^repository '/],
  ['gitops:image:set', { key: 'image.tag\nmalicious' }, /^key '/],
  ['gitops:service:register', { service: 'checkout-api\nkind: Secret' }, /^service '/],
  ['gitops:service:register', { imageRepository: 'ghcr.io/acme/checkout-api\nkind: Secret' }, /^imageRepository '/],
  ['gitops:service:register', { project: 'default\nkind: Secret' }, /^project '/],
  ['gitops:service:register', { destinationServer: 'https://kubernetes.default.svc\nkind: Secret' }, /^destinationServer '/],
  ['gitops:service:register', { imageTag: '0.1.0 # first' }, /^imageTag '/],
  // names that are not names, and traversal
  ['gitops:image:set', { environment: '../prod' }, /^environment '..\/prod'/],
  ['gitops:image:set', { service: 'payments-api\n' }, /^service '/],
  ['gitops:image:set', { valuesPathTemplate: '/etc/{service}/{environment}.yaml' }, /^valuesPathTemplate '/],
  ['gitops:image:set', { branch: 'main\nmalicious' }, /^branch '/],
  ['gitops:service:register', { manualPromotionIn: ['../prod'] }, /^manualPromotionIn\[\] '..\/prod'/],
  ['gitops:promote', { entityRef: 'component:default/payments-api\nmalicious: true' }, /^entityRef '/],
  ['gitops:promote', { from: '../staging' }, /^from '..\/staging'/],
  ['gitops:promote', { to: 'prod\n' }, /^to '/],
  ['gitops:publish:local', { repoName: 'checkout-api\n' }, /^repoName '/],
  ['gitops:publish:local', { sourcePath: '/etc' }, /^sourcePath '\/etc'/],
  ['gitops:publish:local', { sourcePath: 'escape' }, /^sourcePath 'escape'/],
  ['gitops:publish:local', { defaultBranch: 'main\nx' }, /^defaultBranch '/],
  ['gitops:publish:local', { gitAuthorName: 'Jo\nDev' }, /^gitAuthorName '/],
  ['gitops:publish:local', { gitAuthorEmail: 'jo@example.com\n' }, /^gitAuthorEmail '/],
  // commit messages that would make another step's change look written
  ['gitops:image:set', { commitMessage: 'Deploy\n\nBackstage-Task-Id: mock-task-id/image/payments-api/prod/1.5.0' }, /Backstage-Task-Id/],
  ['gitops:service:register', { commitMessage: 'Register\n\nbackstage-task-id: mock-task-id/register/orders-api' }, /Backstage-Task-Id/i],
];

describe('gitops:* actions refuse bad input', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const dir = createMockDirectory();
  let repoUrl: string;
  let backendCalls: number;

  const integrations = ScmIntegrations.fromConfig(mockServices.rootConfig({ data: {} }));
  const writeOptions = () => ({
    writer: new GitopsRepositoryWriter({
      workDir: dir.resolve('work'),
      author,
      credentials: ScmCredentials.fromIntegrations(integrations),
    }),
  });
  const actions: Record<ActionName, () => { handler(ctx: any): Promise<void> }> = {
    'gitops:image:set': () => createSetImageAction({ defaultRepoUrl: repoUrl, ...writeOptions() }),
    'gitops:service:register': () => createRegisterServiceAction({ defaultRepoUrl: repoUrl, ...writeOptions() }),
    'gitops:promote': () => createPromoteAction({ discovery: mockServices.discovery(), auth: mockServices.auth() }),
    'gitops:publish:local': () => createPublishLocalAction({ baseDir: dir.resolve('repos'), author }),
  };
  /** Everything an action could have changed. */
  const state = async () => ({
    head: (await readRepo(repoUrl)).head,
    published: fs.existsSync(dir.resolve('repos')) ? fs.readdirSync(dir.resolve('repos')) : [],
    backendCalls,
  });

  beforeEach(async () => {
    dir.clear();
    repoUrl = await createBareRepo(dir.path, 'gitops', SEED);
    dir.addContent({ workspace: { 'catalog-info.yaml': 'kind: Component\n' }, outside: { 'secret.txt': 'x' } });
    fs.symlinkSync(dir.resolve('outside'), dir.resolve('workspace/escape'));
    backendCalls = 0;
    server.use(
      http.post(`${GITOPS_BASE}/v1/promotions`, () => {
        backendCalls++;
        return HttpResponse.json({ id: 'p-1', status: 'awaiting-approval', version: { tag: '1.5.0' } }, { status: 201 });
      }),
    );
  });

  it.each(corpus.map(([name, input, message]) => [name, JSON.stringify(input), input, message] as const))(
    '%s refuses %s',
    async (name, _label, input, message) => {
      const before = await state();
      const run = (values: object) =>
        actions[name]().handler(
          createMockActionContext({ workspacePath: dir.resolve('workspace'), input: { ...VALID[name], ...values } as any }),
        );

      const refusal = await run(input).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(refusal).toMatchObject({ name: 'InputError', message: expect.stringMatching(message) });
      expect(await state()).toEqual(before);

      // The same action still works with valid input.
      await run({});
      expect(await state()).not.toEqual(before);
    },
  );
});
