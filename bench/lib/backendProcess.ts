/**
 * A child process that holds one backend and nothing else, so its RSS is that
 * backend's: our gitops plugin or Roadie's Argo CD backend, in Backstage's test
 * backend, configured for the peers the parent started. The parent drives it over
 * IPC (see `forkBackend`) and sends every HTTP request to it from outside.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { AddressInfo } from 'net';
import { ENVIRONMENTS, catalogEntities } from './dataSet';

/** `none`: the test backend with no plugin, the floor both backends' RSS stands on. */
export type BackendKind = 'gitops' | 'roadie' | 'none';
/** The credentials the backend gets for every instance: what it logs in with, if at all. */
export type AuthMode = 'token' | 'password';
export type BackendOptions = {
  kind: BackendKind;
  instances: { name: string; url: string; token?: string; username?: string; password?: string }[];
  /** Services the catalog holds (gitops reads entities from it; Roadie does not). */
  services: number;
};
/** heapUsed is what is retained; RSS also holds the heap V8 grew to and has not given back. */
export type Memory = { rssMiB: number; maxRssMiB: number; heapUsedMiB: number; heapTotalMiB: number };
type Request = { id: number; type: 'refresh' | 'memory' | 'stop' };

const INVENTORY_TASK = 'gitops-argocd-inventory-refresh';

/**
 * Loads only the plugin this process measures: the other one's code would count in
 * its RSS. `require`, not `import()`: the Node transform leaves dynamic imports to
 * Node's ESM loader, which does not see the named exports of transpiled TypeScript.
 */
function loadPlugin<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id);
}

/**
 * Our plugin with a scheduler the parent can trigger: the inventory refresh runs once
 * at start-up (as in production), then only when asked, so "cold" views are possible.
 */
function gitopsFeatures(options: BackendOptions) {
  const { gitopsPlugin } = loadPlugin<typeof import('../../plugins/gitops-backend/src/plugin')>(
    '../../plugins/gitops-backend/src/plugin',
  );
  const scheduler = mockServices.scheduler() as ReturnType<typeof mockServices.scheduler> & {
    factory(options: object): never;
    triggerTask(id: string): Promise<void>;
  };
  const features = [
    gitopsPlugin,
    scheduler.factory({ includeInitialDelayedTasksOnStartup: true }),
    catalogServiceMock.factory({ entities: catalogEntities(options.services) }),
    mockServices.rootConfig.factory({
      data: {
        gitops: {
          environments: ENVIRONMENTS.map(name => ({ name, match: { labels: { env: name } } })),
          argocd: { refreshIntervalSeconds: 3600, instances: options.instances },
        },
      },
    }),
  ];
  return { features, refresh: () => scheduler.triggerTask(INVENTORY_TASK) };
}

/** Roadie's backend as its README configures it: every instance under `appLocatorMethods`. */
function roadieFeatures(options: BackendOptions) {
  const { default: roadiePlugin } = loadPlugin<typeof import('@roadiehq/backstage-plugin-argo-cd-backend')>(
    '@roadiehq/backstage-plugin-argo-cd-backend',
  );
  const features = [
    roadiePlugin,
    mockServices.rootConfig.factory({
      data: { argocd: { appLocatorMethods: [{ type: 'config', instances: options.instances }] } },
    }),
  ];
  // Roadie keeps no state between requests: there is nothing to refresh.
  return { features, refresh: async () => {} };
}

/** Memory after a full collection (the parent forks us with --expose-gc). */
function memory(): Memory {
  global.gc!();
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  return {
    rssMiB: Math.round(rss / 2 ** 20),
    heapUsedMiB: Math.round(heapUsed / 2 ** 20),
    heapTotalMiB: Math.round(heapTotal / 2 ** 20),
    // maxRSS is in KiB.
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 2 ** 10),
  };
}

async function main() {
  const options: BackendOptions = JSON.parse(process.argv[2]);
  const { features, refresh } = {
    gitops: gitopsFeatures,
    roadie: roadieFeatures,
    none: () => ({ features: [], refresh: async () => {} }),
  }[options.kind](options);
  const backend = await startTestBackend({ features });
  process.on('message', async ({ id, type }: Request) => {
    if (type === 'refresh') await refresh();
    if (type === 'memory') process.send!({ id, ...memory() });
    else if (type === 'stop') {
      await backend.stop();
      // Exit once the reply is out: Backstage leaves sqlite connections open at shutdown
      // (their pool's reaper interval would keep this process up).
      process.send!({ id }, () => process.exit(0));
    } else process.send!({ id });
  });
  process.send!({ port: (backend.server.address() as AddressInfo).port });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
