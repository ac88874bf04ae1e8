import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { setupServer } from 'msw/node';
import { gitopsPlugin } from '../plugin';

/**
 * Node's own `require`: Jest replaces the one of test modules and the `module` builtin's
 * `createRequire`, but `process.getBuiltinModule` (Node 22) gives the real builtin.
 */
const nodeRequire: NodeJS.Require = process
  .getBuiltinModule('module')
  .createRequire(__filename);

export const ARGOCD_URL = 'https://argocd.example.com';

export const paymentsEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { 'argocd/app-selector': 'app.kubernetes.io/name=payments-api' },
  },
  spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
};

export const testConfig = {
  gitops: {
    environments: [
      { name: 'dev', title: 'Development', match: { labels: { env: 'dev' } } },
      { name: 'staging', promotesFrom: 'dev', match: { namePattern: '-staging$' } },
      { name: 'prod', promotesFrom: 'staging', match: { destination: { namespacePattern: '^prod-' } } },
    ],
    argocd: {
      // These peers serve no watch stream: the inventory polls on the refresh task.
      stream: false,
      refreshIntervalSeconds: 1,
      instances: [{ name: 'main', url: ARGOCD_URL, token: 'argocd-token' }],
    },
  },
};

/**
 * An msw server for the upstream peers that lets requests to the test backend itself
 * (127.0.0.1, and localhost: plugin-to-plugin calls such as the gitops plugin's to the
 * Kubernetes plugin) through, and counts the upstream ones.
 */
export function setupUpstreamServer() {
  const isLocal = (url: string) => ['127.0.0.1', 'localhost'].includes(new URL(url).hostname);
  const server = setupServer();
  const counter = { calls: 0, requests: [] as Request[] };
  beforeAll(() =>
    server.listen({
      onUnhandledRequest: (req, print) => {
        if (!isLocal(req.url)) print.error();
      },
    }),
  );
  beforeEach(() => {
    counter.calls = 0;
    counter.requests = [];
    server.events.on('request:start', ({ request }) => {
      if (!isLocal(request.url)) {
        counter.calls++;
        counter.requests.push(request.clone());
      }
    });
  });
  afterEach(() => {
    server.events.removeAllListeners();
    server.resetHandlers();
  });
  afterAll(() => server.close());
  return { server, counter };
}

let kubernetesBackendPlugin: BackendFeature | undefined;
/**
 * The real Kubernetes backend plugin, loaded by Node itself rather than through Jest's
 * module registry: its proxy does `await import('@kubernetes/client-node')`, which Jest
 * only runs with `--experimental-vm-modules` (and that flag breaks other dependencies of
 * the plugin under Jest). Services, extension points and features are matched by id,
 * so it plugs into the test backend like any other feature. `@kubernetes/client-node`
 * (ESM, about a second to load) is loaded ahead too, so the first proxied request of a
 * test is not slowed past a short Kubernetes request timeout (Node's `require` of an ES
 * module shares its cache with `import()`).
 */
export function kubernetesBackend(): BackendFeature {
  if (!kubernetesBackendPlugin) {
    nodeRequire('@kubernetes/client-node');
    kubernetesBackendPlugin = nodeRequire('@backstage/plugin-kubernetes-backend').default;
  }
  return kubernetesBackendPlugin!;
}

/**
 * The gitops plugin in a test backend; the inventory is refreshed once at start-up. With
 * `kubernetes` config the real Kubernetes backend plugin runs beside it, as it must in
 * production: findings and rollout controls reach clusters through its proxy.
 */
export async function startGitopsTestBackend(
  options: {
    entities?: Entity[];
    features?: Parameters<typeof startTestBackend>[0]['features'];
    config?: object;
    /** A scheduler the test triggers tasks on; default: tasks run once at start-up. */
    scheduler?: ReturnType<typeof mockServices.scheduler>;
  } = {},
) {
  const config: object = options.config ?? testConfig;
  const { server } = await startTestBackend({
    features: [
      gitopsPlugin,
      ...('kubernetes' in config ? [kubernetesBackend()] : []),
      mockServices.rootConfig.factory({ data: config }),
      options.scheduler
        ? (options.scheduler as unknown as { factory(o: object): never }).factory({
            includeInitialDelayedTasksOnStartup: true,
          })
        : mockServices.scheduler.factory({ includeInitialDelayedTasksOnStartup: true }),
      catalogServiceMock.factory({ entities: options.entities ?? [paymentsEntity] }),
      ...(options.features ?? []),
    ],
  });
  return server;
}
