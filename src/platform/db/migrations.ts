import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database, Dialect } from './database.js';

/**
 * A migration receives the dialect so the rare non-portable statement can branch;
 * everything else uses Kysely's schema builder, which writes both dialects.
 */
export interface TesseraMigration {
  // Untyped on purpose (Kysely's advice): a migration describes the schema as it was then, not today's types.
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

/** Named `<yyyymmddnn>_<module>_<what>` so that the one global order is the creation order. */
export type MigrationSet = Record<string, TesseraMigration>;

export async function migrate(database: Database, sets: MigrationSet[]): Promise<string[]> {
  const all: Record<string, Migration> = {};
  for (const set of sets) {
    for (const [name, m] of Object.entries(set)) {
      if (all[name]) throw new Error(`Two migrations are named ${name}`);
      all[name] = { up: (db) => m.up(db, database.dialect) };
    }
  }
  const provider: MigrationProvider = { getMigrations: async () => all };
  const migrator = new Migrator({ db: database.db, provider, migrationTableName: 'tessera_migrations', migrationLockTableName: 'tessera_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
