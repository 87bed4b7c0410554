// Column helpers for migrations: the few places where the DDL differs per dialect.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../db.js';

/** Callback for `addColumn`. */
export type ColumnCallback = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/** An auto-increment integer primary key. */
export function idColumn(dialect: DialectName): ColumnCallback {
  // SQLite rejects identity columns (`near "as"`). AUTOINCREMENT also stops SQLite from reusing the
  // id of a deleted last row, which PostgreSQL's identity never does: a runner must never see a new
  // stage under an old stage's id.
  return dialect === 'postgres'
    ? (col) => col.primaryKey().generatedByDefaultAsIdentity()
    : (col) => col.primaryKey().autoIncrement();
}

/** Column type for raw bytes. */
export function bytesType(dialect: DialectName): 'blob' | 'bytea' {
  return dialect === 'postgres' ? 'bytea' : 'blob';
}

/** `text not null default ''` (or another default). */
export const text =
  (dflt = ''): ColumnCallback =>
  (col) =>
    col.notNull().defaultTo(dflt);

/** `integer not null default 0`: counters, exit codes and 0/1 booleans. */
export const int =
  (dflt = 0): ColumnCallback =>
  (col) =>
    col.notNull().defaultTo(dflt);

/**
 * Runs a migration body atomically. PostgreSQL migrations already run in a transaction (Kysely's
 * Migrator, transactional DDL); on SQLite the Migrator runs on one plain connection, so wrap it
 * here: a failed migration must leave no half-made schema behind.
 */
export async function atomically<DB>(
  dialect: DialectName,
  db: Kysely<DB>,
  body: () => Promise<void>,
): Promise<void> {
  if (dialect === 'postgres') return body();
  await sql`begin immediate`.execute(db);
  try {
    await body();
    await sql`commit`.execute(db);
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
}
