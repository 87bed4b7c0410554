// Prints a store's schema in a stable text form, for the snapshot test: SQLite's own DDL, or
// PostgreSQL's catalog (columns, constraints, indexes) with the per-test schema name removed.
import { sql } from 'kysely';
import type { DialectName } from '../../src/server/store/db.js';
import type { Db } from '../../src/server/store/schema.js';

/** Table → column names in declaration order (the same on both dialects if the DDL agrees). */
export async function columnLists(db: Db, dialect: DialectName): Promise<string> {
  const rows =
    dialect === 'sqlite'
      ? (
          await sql<{ tbl: string; col: string }>`
            select m.name as tbl, p.name as col
            from sqlite_master m join pragma_table_info(m.name) p
            where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like 'kysely_%'
            order by m.name, p.cid`.execute(db)
        ).rows
      : (
          await sql<{ tbl: string; col: string }>`
            select table_name as tbl, column_name as col
            from information_schema.columns
            where table_schema = current_schema() and table_name not like 'kysely_%'
            order by table_name, ordinal_position`.execute(db)
        ).rows;
  const byTable = new Map<string, string[]>();
  for (const r of rows) byTable.set(r.tbl, [...(byTable.get(r.tbl) ?? []), r.col]);
  return `${[...byTable].map(([t, cols]) => `${t}: ${cols.join(' ')}`).join('\n')}\n`;
}

/** The full schema as the database reports it. */
export async function dumpSchema(db: Db, dialect: DialectName): Promise<string> {
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ type: string; name: string; sql: string }>`
      select type, name, sql from sqlite_master
      where name not like 'sqlite_%' and name not like 'kysely_%' and sql is not null
      order by tbl_name, type desc, name`.execute(db);
    return `${rows.map((r) => `-- ${r.type} ${r.name}\n${r.sql};`).join('\n')}\n`;
  }
  const out: string[] = [];
  const columns = await sql<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
    is_identity: string;
  }>`
    select table_name, column_name, data_type, is_nullable, column_default, is_identity
    from information_schema.columns
    where table_schema = current_schema() and table_name not like 'kysely_%'
    order by table_name, ordinal_position`.execute(db);
  for (const c of columns.rows) {
    const attrs = [
      c.data_type,
      c.is_nullable === 'NO' ? 'not null' : 'null',
      c.column_default === null ? '' : `default ${c.column_default}`,
      c.is_identity === 'YES' ? 'identity' : '',
    ].filter(Boolean);
    out.push(`column ${c.table_name}.${c.column_name}: ${attrs.join(' ')}`);
  }
  const constraints = await sql<{ tbl: string; conname: string; def: string }>`
    select c.conrelid::regclass::text as tbl, c.conname, pg_get_constraintdef(c.oid) as def
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where n.nspname = current_schema() and c.conrelid::regclass::text not like '%kysely_%'
    order by 1, 2`.execute(db);
  for (const c of constraints.rows) out.push(`constraint ${c.tbl}.${c.conname}: ${c.def}`);
  const indexes = await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes
    where schemaname = current_schema() and tablename not like 'kysely_%'
    order by tablename, indexname`.execute(db);
  for (const i of indexes.rows) {
    out.push(`index ${i.indexname}: ${i.indexdef.replace(/ ON \S+\.(\w+) /, ' ON $1 ')}`);
  }
  return `${out.join('\n')}\n`;
}
