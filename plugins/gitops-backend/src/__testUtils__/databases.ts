import { TestDatabases } from '@backstage/backend-test-utils';

/**
 * The engines the database code is tested on: SQLite always, PostgreSQL when
 * `BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING` points at one (.ci/run
 * installs and starts PostgreSQL 15 from Debian's packages and sets it).
 */
export function createTestDatabases() {
  return TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
}
