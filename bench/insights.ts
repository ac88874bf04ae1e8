/**
 * Delivery insights (DORA) at fleet scale: 2,000 services x 3 environments with a year
 * of generated promotion history in SQLite (better-sqlite3 in a temporary file, through
 * knex and the plugin's real migrations), read through InsightsService and
 * InsightsStore as the `GET /v1/insights` route reads them:
 * - the fleet's insights by owner and system for prod (what the fleet page reads) and
 *   for every environment, 30 and 90 days;
 * - one entity's panel (prod, 30 days, and every environment over 90 days).
 * The catalog (owners, systems) and the permission check are not part of it: the
 * route's `place` callback is answered from memory here. Targets: fleet p95 < 300 ms,
 * entity p95 < 50 ms.
 */
import type { Entity } from '@backstage/catalog-model';
import type { LoggerService } from '@backstage/backend-plugin-api';
import fs from 'fs';
import knexFactory from 'knex';
import os from 'os';
import path from 'path';
import { ConfigReader } from '@backstage/config';
import type { ArgoApplication } from '../plugins/gitops-backend/src/argocd/types';
import { readGitopsConfig } from '../plugins/gitops-backend/src/config/gitopsConfig';
import { InsightsService } from '../plugins/gitops-backend/src/insights/InsightsService';
import { InventoryIndex } from '../plugins/gitops-backend/src/inventory/InventoryIndex';
import { InsightsStore } from '../plugins/gitops-backend/src/insights/InsightsStore';
import { percentile } from './lib/percentile';
import { backendRevision } from './lib/revision';

const SERVICES = 2000;
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
/** Days between promotions into each environment. */
const EVERY_DAYS: Record<string, number> = { dev: 3, staging: 4, prod: 7 };
const TEAMS = 40;
const SYSTEMS = 100;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-31T00:00:00Z');
const FLEET_READS = 20;
const ENTITY_READS = 200;

/** A seeded generator (mulberry32): the same history every run. */
function random(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** No reads of source repositories happen here (no reader is given), so nothing is logged. */
const quietLogger: LoggerService = { error() {}, warn() {}, info() {}, debug() {}, child: () => quietLogger };

const name = (i: number) => `svc-${i}`;
const ref = (i: number) => `component:default/${name(i)}`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-insights-bench-'));
  const db = knexFactory({ client: 'better-sqlite3', connection: { filename: path.join(dir, 'gitops.sqlite') }, useNullAsDefault: true });
  await db.migrate.latest({ directory: path.resolve(__dirname, '../plugins/gitops-backend/migrations') });

  const rnd = random(1);
  const promotions: any[] = [];
  const commits: any[] = [];
  const syncs: any[] = [];
  let id = 0;
  let counts = { promotions: 0, failed: 0, manualRollbacks: 0, automaticRollbacks: 0, withSourceCommits: 0, directSyncs: 0 };
  /** Argo CD's sync history entry of the version a promotion, rollback or CI push made. */
  const synced = (entity: number, env: string, at: number) => {
    syncs.push({
      instance: 'main',
      app_namespace: 'argocd',
      app_name: `${name(entity)}-${env}`,
      history_id: String(syncs.length),
      revision: syncs.length.toString(16).padStart(40, '0'),
      new_revision: true,
      environment: env,
      deployed_at: new Date(at),
    });
  };
  const target = JSON.stringify({ instance: 'main', appName: 'app', repoURL: 'file:///r.git', branch: 'main', file: 'v.yaml', key: 'image.tag' });
  const add = (row: { entity: number; env: string; kind: 'promotion' | 'rollback'; status: string; created: number; ended: number; rollbackOf?: string }) => {
    const pid = `p${(id++).toString().padStart(8, '0')}`;
    promotions.push({
      id: pid,
      entity_ref: ref(row.entity),
      source_env: row.env === 'dev' ? 'dev' : row.env === 'staging' ? 'dev' : 'staging',
      target_env: row.env,
      version: JSON.stringify({ tag: `1.0.${id}` }),
      previous_version: JSON.stringify({ tag: `1.0.${id - 1}` }),
      requested_by: 'user:default/alice',
      status: row.status,
      gates: '[]',
      required_approvals: 0,
      target,
      kind: row.kind,
      rollback_of: row.rollbackOf ?? null,
      created_at: new Date(row.created),
      updated_at: new Date(row.ended),
    });
    return pid;
  };
  for (let s = 0; s < SERVICES; s++) {
    const hasSource = s % 10 !== 0; // every 10th service names no source repository
    for (const env of ENVIRONMENTS) {
      for (let t = NOW - 365 * DAY + rnd() * EVERY_DAYS[env] * DAY; t < NOW - 2 * HOUR; t += EVERY_DAYS[env] * DAY * (0.5 + rnd())) {
        const duration = (0.2 + rnd()) * HOUR;
        counts.promotions++;
        if (rnd() < 0.08) {
          counts.failed++;
          const failed = add({ entity: s, env, kind: 'promotion', status: 'failed', created: t, ended: t + duration });
          if (rnd() < 0.5) {
            counts.automaticRollbacks++;
            add({ entity: s, env, kind: 'rollback', status: 'succeeded', created: t + duration + 60_000, ended: t + duration + 0.5 * HOUR, rollbackOf: failed });
            synced(s, env, t + duration + 0.5 * HOUR);
          }
          continue;
        }
        const pid = add({ entity: s, env, kind: 'promotion', status: 'succeeded', created: t, ended: t + duration });
        synced(s, env, t + duration);
        // CI also pushes straight to dev's GitOps files now and then: a version no promotion made.
        if (env === 'dev' && rnd() < 0.5) {
          counts.directSyncs++;
          synced(s, env, t + duration + 12 * HOUR);
        }
        if (hasSource) {
          counts.withSourceCommits++;
          const n = 1 + Math.floor(rnd() * 4);
          commits.push({
            promotion_id: pid,
            commit_dates: JSON.stringify(Array.from({ length: n }, () => Math.round(t + duration - (2 + rnd() * 70) * HOUR))),
            truncated: false,
            unavailable: null,
            read_at: new Date(t + duration + HOUR),
          });
        }
        if (rnd() < 0.03) {
          counts.manualRollbacks++;
          add({ entity: s, env, kind: 'rollback', status: 'succeeded', created: t + duration + 2 * HOUR, ended: t + duration + 2.5 * HOUR });
          synced(s, env, t + duration + 2.5 * HOUR);
        }
      }
    }
  }
  const loadStart = Date.now();
  await db.batchInsert('gitops_promotions', promotions, 400);
  await db.batchInsert('gitops_promotion_source_commits', commits, 400);
  await db.batchInsert('gitops_deployments', syncs, 400);
  const loadMs = Date.now() - loadStart;
  console.log(`history: ${promotions.length} rows, ${commits.length} source commit rows, ${syncs.length} syncs, loaded in ${loadMs} ms`);

  const store = new InsightsStore(db);
  // The read model the insights map applications to entities with: one application per
  // service and environment, placed by its env label, as the inventory holds them.
  const config = readGitopsConfig(
    new ConfigReader({
      gitops: {
        environments: ENVIRONMENTS.map(env => ({ name: env, match: { labels: { env } } })),
        argocd: { instances: [{ name: 'main', url: 'https://argocd.example.com', token: 't' }] },
      },
    }),
  );
  const applications = Array.from({ length: SERVICES }, (_, s) =>
    ENVIRONMENTS.map(env => ({
      instance: 'main',
      application: {
        metadata: { name: `${name(s)}-${env}`, namespace: 'argocd', labels: { env } },
        spec: { destination: { server: 'https://kubernetes.default.svc', namespace: `${name(s)}-${env}` } },
        status: {},
      } as ArgoApplication,
      rollouts: [],
      rolloutErrors: [],
      observedAt: new Date(NOW),
    })),
  ).flat();
  const index = new InventoryIndex(config, () => ({ errors: [] }), applications);
  const service = new InsightsService({ store, inventory: { index: () => index }, environments: ENVIRONMENTS, logger: quietLogger, now: () => new Date(NOW) });
  const entity = (s: number): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: name(s), namespace: 'default', annotations: { 'argocd/app-name': ENVIRONMENTS.map(env => `${name(s)}-${env}`).join(',') } },
    spec: { owner: `team-${s % TEAMS}`, system: `system-${s % SYSTEMS}` },
  });
  // The fleet route hands the service the entities the caller may read: all of them here.
  const entities = Array.from({ length: SERVICES }, (_, s) => entity(s));
  const place = entities;

  async function series(label: string, reads: number, read: (i: number) => Promise<unknown>) {
    for (let i = 0; i < 3; i++) await read(i); // warm-up, untimed
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < reads; i++) {
      const start = process.hrtime.bigint();
      const answer = await read(i);
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (i === 0) bytes = JSON.stringify(answer).length;
    }
    const result = { reads, p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), max: round(Math.max(...ms)), responseBytes: bytes };
    console.log(label, result);
    return result;
  }
  const pick = random(7);
  const results = {
    fleetProd30: await series('fleet, prod, 30 days', FLEET_READS, () => service.fleet({ days: 30, environment: 'prod' }, place)),
    fleetProd90: await series('fleet, prod, 90 days', FLEET_READS, () => service.fleet({ days: 90, environment: 'prod' }, place)),
    fleetAll30: await series('fleet, every environment, 30 days', FLEET_READS, () => service.fleet({ days: 30 }, place)),
    entityProd30: await series('entity, prod, 30 days', ENTITY_READS, () => service.entity(entity(Math.floor(pick() * SERVICES)), { days: 30, environment: 'prod' })),
    entityAll90: await series('entity, every environment, 90 days', ENTITY_READS, () => service.entity(entity(Math.floor(pick() * SERVICES)), { days: 90 })),
  };
  const sample = await service.fleet({ days: 30, environment: 'prod' }, place);
  const out = {
    benchmark: 'insights',
    date: new Date().toISOString(),
    backend: backendRevision(),
    node: process.version,
    database: 'SQLite (better-sqlite3, temporary file), real migrations',
    dataSet: {
      services: SERVICES,
      environments: ENVIRONMENTS,
      days: 365,
      everyDays: EVERY_DAYS,
      rows: promotions.length,
      sourceCommitRows: commits.length,
      syncRows: syncs.length,
      ...counts,
      servicesWithoutSourceCommits: SERVICES / 10,
      loadMs,
    },
    targets: { fleetP95Ms: 300, entityP95Ms: 50 },
    results,
    met: {
      fleet: Math.max(results.fleetProd30.p95, results.fleetProd90.p95, results.fleetAll30.p95) < 300,
      entity: Math.max(results.entityProd30.p95, results.entityAll90.p95) < 50,
    },
    sampleFleetProd30: sample.fleet,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  fs.writeFileSync(path.join(__dirname, 'results', 'insights.json'), `${JSON.stringify(out, null, 2)}\n`);
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

function round(v: number) {
  return Math.round(v * 100) / 100;
}

main().catch(error => {
  console.error(String(error?.message ?? error).slice(0, 500));
  process.exit(1);
});
