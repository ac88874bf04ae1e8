import type { LoggerService } from '@backstage/backend-plugin-api';
import type { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { GitopsRepositoryWriter } from '@gitops-suite/backstage-plugin-gitops-node';
import { argoApplication } from '../../__testUtils__/argoCdSwagger';
import { testInventory } from '../../__testUtils__/inventory';
import { readGitopsConfig } from '../../config/gitopsConfig';
import { migrationsDirectory } from '../../database/migrations';
import { PromotionStore, type NewPromotion } from '../../database/PromotionStore';
import { PromotionEngine, type PromotionEngineOptions } from '../../promotions/PromotionEngine';

/**
 * The promotion engine on a real database with everything around it a test controls:
 * the Argo CD application it verifies (through the real InventoryIndex), the writer,
 * the pull request provider and the clock. Several engines on one harness are several
 * replicas on one database, each with its own store (as each process has).
 */

export const ENTITY_REF = 'component:default/payments-api';
export const APP = 'payments-api-staging';

export function harnessConfig(promotion: object = {}) {
  return readGitopsConfig(
    new ConfigReader({
      gitops: {
        environments: [
          { name: 'dev', match: { labels: { env: 'dev' } } },
          { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } }, promotion },
        ],
        argocd: { stream: false, instances: [{ name: 'main', url: 'http://argocd.invalid', token: 't' }] },
      },
    }),
  );
}

export function newPromotion(id: string, overrides: Partial<NewPromotion> = {}, target: Partial<NewPromotion['target']> = {}): NewPromotion {
  return {
    id,
    entityRef: ENTITY_REF,
    from: 'dev',
    to: 'staging',
    version: { tag: '1.5.0', repository: 'ghcr.io/example/payments-api' },
    previousVersion: { tag: '1.4.2', repository: 'ghcr.io/example/payments-api' },
    requestedBy: 'user:default/alice',
    status: 'approved',
    gates: [],
    requiredApprovals: 0,
    target: {
      instance: 'main',
      appName: APP,
      repoURL: 'https://github.com/acme/gitops',
      branch: 'main',
      file: 'apps/payments-api/staging/values.yaml',
      key: 'image.tag',
      method: 'commit',
      ...target,
    },
    ...overrides,
  };
}

/** A logger that keeps what it was told, for assertions and for failure output. */
export function recordingLogger(): LoggerService & { lines: string[] } {
  const lines: string[] = [];
  const logger = {
    lines,
    error: (message: string) => lines.push(`error ${message}`),
    warn: (message: string) => lines.push(`warn ${message}`),
    info: (message: string) => lines.push(`info ${message}`),
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

export async function createEngineHarness(databases: TestDatabases, databaseId: TestDatabaseId, promotionConfig: object = {}) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({ directory: migrationsDirectory });
  const config = harnessConfig(promotionConfig);
  const inventory = testInventory(config, []);
  const store = new PromotionStore(knex);
  const logger = recordingLogger();
  let clock: Date | undefined;

  return {
    knex,
    config,
    store,
    logger,
    /** Fixes the engines' clock (default: real time). */
    setClock(at: Date | undefined) {
      clock = at;
    },
    /** What Argo CD reports for the target application. */
    setApplication(state: { revision: string; sync?: string; health?: string; tag?: string }) {
      const application = argoApplication(APP, {
        labels: { env: 'staging' },
        revision: state.revision,
        sync: state.sync ?? 'Synced',
        health: state.health ?? 'Healthy',
        image: `ghcr.io/example/payments-api:${state.tag ?? '1.5.0'}`,
      });
      inventory.set([{ instance: 'main', application }]);
    },
    /** One replica's engine, with its own store on the shared database. */
    engine(workerId: string, options: Omit<Partial<PromotionEngineOptions>, 'writer'> & { writer?: Partial<GitopsRepositoryWriter> } = {}) {
      return new PromotionEngine({
        config,
        store: new PromotionStore(knex),
        writer: options.writer as GitopsRepositoryWriter,
        inventory,
        clients: new Map(),
        logger,
        workerId,
        now: () => clock ?? new Date(),
        ...options,
      } as PromotionEngineOptions);
    },
  };
}

export type EngineHarness = Awaited<ReturnType<typeof createEngineHarness>>;

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
