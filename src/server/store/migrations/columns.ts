// Column helpers for migrations: the few places where the DDL differs per dialect.
import type { ColumnDefinitionBuilder } from 'kysely';
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
