import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { setupServer } from 'msw/node';
import { gitopsPlugin } from '../plugin';

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
      refreshIntervalSeconds: 1,
      instances: [{ name: 'main', url: ARGOCD_URL, token: 'argocd-token' }],
    },
  },
};

/**
 * An msw server for the upstream peers that lets requests to the test backend itself
 * (127.0.0.1) through, and counts the upstream ones.
 */
export function setupUpstreamServer() {
  const server = setupServer();
  const counter = { calls: 0, requests: [] as Request[] };
  beforeAll(() =>
    server.listen({
      onUnhandledRequest: (req, print) => {
        if (new URL(req.url).hostname !== '127.0.0.1') print.error();
      },
    }),
  );
  beforeEach(() => {
    counter.calls = 0;
    counter.requests = [];
    server.events.on('request:start', ({ request }) => {
      if (new URL(request.url).hostname !== '127.0.0.1') {
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

/** The gitops plugin in a test backend; the inventory is refreshed once at start-up. */
export async function startGitopsTestBackend(
  options: {
    entities?: Entity[];
    features?: Parameters<typeof startTestBackend>[0]['features'];
    config?: object;
    /** A scheduler the test triggers tasks on; default: tasks run once at start-up. */
    scheduler?: ReturnType<typeof mockServices.scheduler>;
  } = {},
) {
  const { server } = await startTestBackend({
    features: [
      gitopsPlugin,
      mockServices.rootConfig.factory({ data: options.config ?? testConfig }),
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
