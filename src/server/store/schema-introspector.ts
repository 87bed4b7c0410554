// A PostgreSQL introspector that only looks at the store's own schema. Kysely's Migrator asks the
// introspector whether its bookkeeping tables exist, and Kysely's stock PostgreSQL introspector
// reads every table of every schema, calling name-based catalog functions on each; a schema
// dropped by someone else at that moment makes it fail ("schema … does not exist"). Several
// Hangar servers, or other applications, may share one database, so stay inside our schema.
import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Kysely,
  sql,
  type TableMetadata,
} from 'kysely';

interface ColumnRow {
  table: string;
  kind: string;
  schema: string;
  column: string;
  type: string;
  not_null: boolean;
  has_default: boolean;
  identity: boolean;
}

/** Introspects one PostgreSQL schema: `schema`, or the connection's current schema. */
export class SchemaIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string | undefined,
  ) {}

  async getSchemas(): Promise<{ name: string }[]> {
    const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(
      this.db,
    );
    return rows;
  }

  async getTables(options = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    // Only oid-based joins and no name-based functions: nothing here can trip over objects that
    // other sessions are dropping.
    const { rows } = await sql<ColumnRow>`
      select c.relname as table, c.relkind as kind, n.nspname as schema, a.attname as column,
             t.typname as type, a.attnotnull as not_null, a.atthasdef as has_default,
             a.attidentity <> '' as identity
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      join pg_catalog.pg_attribute a on a.attrelid = c.oid
      join pg_catalog.pg_type t on t.oid = a.atttypid
      where n.nspname = coalesce(${this.schema ?? null}::text, current_schema())
        and c.relkind in ('r', 'v', 'p') and a.attnum > 0 and not a.attisdropped
      order by c.relname, a.attnum`.execute(this.db);
    const tables = new Map<string, TableMetadata>();
    for (const r of rows) {
      if (!options.withInternalKyselyTables && r.table.startsWith('kysely_migration')) continue;
      let table = tables.get(r.table);
      if (!table) {
        table = { name: r.table, schema: r.schema, isView: r.kind === 'v', columns: [] };
        tables.set(r.table, table);
      }
      table.columns.push({
        name: r.column,
        dataType: r.type,
        isNullable: !r.not_null,
        hasDefaultValue: r.has_default,
        isAutoIncrementing: r.identity,
      });
    }
    return [...tables.values()];
  }

  async getMetadata(options?: { withInternalKyselyTables: boolean }): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}
