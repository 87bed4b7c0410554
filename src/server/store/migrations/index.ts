// The ordered list of migrations and the runner that applies them on open. Migrations are imported
// statically (no directory scanning), so a bundled or compiled server carries them all.
import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  sql,
} from 'kysely';
import type { DialectName } from '../db.js';
import { init } from './0001_init.js';
import { repoCredentials } from './0002_repo_credentials.js';

/** Every migration by name, in order. Append only. */
export function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_init': init(dialect),
    '0002_repo_credentials': repoCredentials(dialect),
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/** Applies every pending migration; a no-op when the schema is current. */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  dialect: DialectName,
  schema?: string,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(dialect),
    // With a PostgreSQL schema, keep the bookkeeping tables inside it too, otherwise Kysely finds a
    // `kysely_migration` of another schema on the search path and wrongly skips creating its own.
    ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } =
    dialect === 'sqlite'
      ? await exclusively(db, () => migrator.migrateToLatest())
      : await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed} failed: ${message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

// Kysely runs PostgreSQL migrations in a transaction under an advisory lock, but SQLite ones on a
// bare connection with no lock. Run the whole SQLite pass in one BEGIN IMMEDIATE transaction
// instead: a failed migration leaves no half-made schema, and a second process opening the same
// file waits for the first to finish and then finds nothing left to do. (Both work because a
// Kysely SQLite instance has exactly one connection.)
async function exclusively<DB>(
  db: Kysely<DB>,
  run: () => Promise<MigrationResultSet>,
): Promise<MigrationResultSet> {
  await sql`begin immediate`.execute(db);
  let result: MigrationResultSet;
  try {
    result = await run();
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
  await (result.error === undefined ? sql`commit` : sql`rollback`).execute(db);
  return result;
}
