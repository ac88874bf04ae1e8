import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

/** Where the plugin's knex migrations live. */
export const migrationsDirectory = resolvePackagePath(
  '@gitops-suite/backstage-plugin-gitops-backend',
  'migrations',
);

/** Connects to the plugin's database and brings its schema up to date. */
export async function connectDatabase(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDirectory });
  }
  return client;
}
