/*
 * One backend replica's promotion engine, as its own OS process, for replicas.test.ts.
 * Started with Backstage's Node transform (see `startReplica` in the test); everything
 * it runs is the plugin's real code: PromotionStore on the shared database, Inventory
 * following the test's Argo CD API itself (polled every 100 ms: the fake serves no
 * watch stream) and writing the shared inventory tables, ArgoCdClient for its calls, GitopsRepositoryWriter with this replica's own
 * work directory. It loops `engine.runOnce()` until killed.
 *
 * Settings come from the environment:
 *   REPLICA_NAME        name used in the worker id, the commit author and the log
 *   REPLICA_WORK_DIR    the writer's work directory
 *   REPLICA_DATABASE    knex config (JSON) of the shared database
 *   REPLICA_ARGOCD_URL  base URL of the Argo CD API
 *   REPLICA_LEASE_MS    the engine's lease duration
 *   REPLICA_ENVIRONMENTS  `gitops.environments` (JSON)
 *   REPLICA_START_WHEN  optional: a file whose existence starts the engine (loaded before)
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { GitopsRepositoryWriter } from '@gitops-suite/backstage-plugin-gitops-node';
import fs from 'fs';
import knexFactory from 'knex';
import { ArgoCdClient } from '../argocd/ArgoCdClient';
import { readGitopsConfig } from '../config/gitopsConfig';
import { DatabaseInventoryStore } from '../database/InventoryStore';
import { PromotionStore } from '../database/PromotionStore';
import { Inventory } from '../inventory/Inventory';
import { PromotionEngine } from '../promotions/PromotionEngine';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function lineLogger(prefix: string): LoggerService {
  const write = (level: string) => (message: string, meta?: unknown) =>
    process.stdout.write(`${new Date().toISOString()} [${prefix}] ${level} ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`);
  const logger: LoggerService = {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

async function main() {
  const name = setting('REPLICA_NAME');
  const logger = lineLogger(name);
  const config = readGitopsConfig(
    new ConfigReader({
      gitops: {
        environments: JSON.parse(setting('REPLICA_ENVIRONMENTS')),
        argocd: { stream: false, instances: [{ name: 'main', url: setting('REPLICA_ARGOCD_URL'), token: 'replica' }] },
      },
    }),
  );
  const db = knexFactory(JSON.parse(setting('REPLICA_DATABASE')));
  const client = new ArgoCdClient(config.argocd.instances[0], 5_000);
  const inventory = new Inventory(config, [client], new DatabaseInventoryStore(db), logger, { pollIntervalMs: 100 });
  await inventory.start();
  // The plugin's scheduled inventory task, every 100 ms here.
  const ticks = setInterval(() => inventory.tick(), 100);
  const engine = new PromotionEngine({
    config,
    store: new PromotionStore(db),
    writer: new GitopsRepositoryWriter({
      workDir: setting('REPLICA_WORK_DIR'),
      author: { name: `replica ${name}`, email: `${name}@replicas.test` },
    }),
    inventory,
    clients: new Map([[client.name, client]]),
    logger,
    workerId: `${name}-${process.pid}`,
    leaseMs: Number(setting('REPLICA_LEASE_MS')),
    // One promotion at a time: the test holds and kills one replica's push of one
    // promotion (engineConcurrency.test.ts covers several lanes sharing a push).
    concurrency: 1,
  });

  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });
  const startWhen = process.env.REPLICA_START_WHEN;
  while (startWhen && !fs.existsSync(startWhen)) await sleep(20);
  logger.info(`started as worker ${name}-${process.pid}`);
  while (!stopping) {
    try {
      await engine.runOnce();
    } catch (error) {
      logger.error(`runOnce failed: ${error}`);
    }
    await sleep(50);
  }
  clearInterval(ticks);
  await inventory.stop();
  await db.destroy();
  process.exit(0);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
