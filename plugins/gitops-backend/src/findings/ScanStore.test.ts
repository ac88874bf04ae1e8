import { createTestDatabases } from '../__testUtils__/databases';
import { migrationsDirectory } from '../database/migrations';
import { DatabaseScanStore } from './ScanStore';
import type { ImageVulnerability } from './types';

const databases = createTestDatabases();

const critical: ImageVulnerability = {
  id: 'CVE-2019-18224',
  severity: 'critical',
  package: 'libidn2-0',
  installed: '2.0.5-1',
  fixed: '2.0.5-1+deb10u1',
};
const low: ImageVulnerability = {
  id: 'CVE-2019-18276',
  severity: 'low',
  package: 'bash',
  installed: '5.0-4',
};

describe.each(databases.eachSupportedId())(
  'DatabaseScanStore on %p',
  databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: migrationsDirectory });
      return { knex, store: new DatabaseScanStore(knex) };
    }

    it('returns the newest scan of an image, with its findings', async () => {
      const { store } = await createStore();
      const base = {
        image: 'ghcr.io/example/payments-api:1.5.0',
        uploadedBy: 'user:default/ci',
      };
      await store.addScan({
        ...base,
        scannedAt: new Date('2026-11-22T10:00:00Z'),
        findings: [critical, low],
      });
      const added = await store.addScan({
        ...base,
        scannedAt: new Date('2026-11-22T11:00:00Z'),
        findings: [low],
      });
      await store.addScan({
        ...base,
        image: 'ghcr.io/example/payments-api:1.4.2',
        scannedAt: new Date('2026-11-22T12:00:00Z'),
        findings: [],
      });

      expect(added.id).toEqual(expect.any(Number));
      const latest = await store.latestScanFor(
        'ghcr.io/example/payments-api:1.5.0',
      );
      expect(latest).toEqual({
        id: added.id,
        image: 'ghcr.io/example/payments-api:1.5.0',
        digest: undefined,
        scannedAt: new Date('2026-11-22T11:00:00Z'),
        findings: [low],
        uploadedBy: 'user:default/ci',
      });
      expect(
        await store.latestScanFor('ghcr.io/example/payments-api:9.9.9'),
      ).toBeUndefined();
    });

    it('stores images canonically and prefers a scan of the exact digest', async () => {
      const { store } = await createStore();
      const at = (hour: number) => new Date(Date.UTC(2026, 10, 22, hour));
      await store.addScan({
        image: 'nginx:1.25',
        digest: 'sha256:aaa',
        scannedAt: at(9),
        findings: [critical],
        uploadedBy: 'ci',
      });
      await store.addScan({
        image: 'docker.io/library/nginx:1.25@sha256:bbb',
        scannedAt: at(10),
        findings: [low],
        uploadedBy: 'ci',
      });

      expect(
        (await store.latestScanFor('index.docker.io/library/nginx:1.25'))
          ?.digest,
      ).toBe('sha256:bbb');
      const exact = await store.latestScanFor('nginx:1.25@sha256:aaa');
      expect(exact).toMatchObject({
        image: 'docker.io/library/nginx:1.25',
        digest: 'sha256:aaa',
        findings: [critical],
      });
      // An unknown digest still gets the newest scan of its tag.
      expect((await store.latestScanFor('nginx:1.25@sha256:ccc'))?.digest).toBe(
        'sha256:bbb',
      );
    });

    it('deletes superseded and expired scans, keeping the newest of each image and digest', async () => {
      const { store } = await createStore();
      const scan = (image: string, day: number, digest?: string) =>
        store.addScan({ image, digest, scannedAt: new Date(`2026-01-${String(day).padStart(2, '0')}T00:00:00Z`), findings: [low], uploadedBy: 'ci' });
      await scan('ghcr.io/example/orders-api:2.1.0', 1);
      await scan('ghcr.io/example/orders-api:2.1.0', 2);
      const newest = await scan('ghcr.io/example/orders-api:2.1.0', 3);
      const pinned = await scan('ghcr.io/example/orders-api:2.1.0', 1, `sha256:${'a'.repeat(64)}`);
      const lone = await scan('ghcr.io/example/payments-api:1.4.2', 1);

      const deleted = await store.deleteExpired({ supersededBefore: new Date('2026-01-10T00:00:00Z'), expiredBefore: new Date('2025-01-01T00:00:00Z') });
      expect(deleted).toBe(2);
      expect((await store.latestScanFor('ghcr.io/example/orders-api:2.1.0'))?.id).toBe(newest.id);
      expect((await store.latestScanFor(`ghcr.io/example/orders-api:2.1.0@sha256:${'a'.repeat(64)}`))?.id).toBe(pinned.id);
      expect((await store.latestScanFor('ghcr.io/example/payments-api:1.4.2'))?.id).toBe(lone.id);

      // Past the expiry even the newest scan goes: evidence that old is no evidence.
      expect(await store.deleteExpired({ supersededBefore: new Date('2026-01-10T00:00:00Z'), expiredBefore: new Date('2026-01-02T00:00:00Z') })).toBe(2);
      expect(await store.latestScanFor('ghcr.io/example/payments-api:1.4.2')).toBeUndefined();
      expect((await store.latestScanFor('ghcr.io/example/orders-api:2.1.0'))?.id).toBe(newest.id);
    });

    it('rolls the migration back', async () => {
      const { knex } = await createStore();
      expect(await knex.schema.hasTable('gitops_scans')).toBe(true);
      // By name: later migrations (of other features) may follow this one.
      await knex.migrate.down({
        directory: migrationsDirectory,
        name: '20261122010000_scans.js',
      });
      expect(await knex.schema.hasTable('gitops_scans')).toBe(false);
      expect(await knex.schema.hasTable('gitops_applications')).toBe(true);
    });
  },
);
