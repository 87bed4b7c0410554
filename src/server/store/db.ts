// Opens the store: one Kysely instance over SQLite (embedded default) or PostgreSQL, migrated to the
// latest schema. Everything that differs between the two dialects lives here or in migrations/;
// the queries are written once against the portable subset (integer ids, 0/1 booleans, epoch-second
// integer times, JSON as text, RETURNING, ON CONFLICT).
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Driver,
  Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations/index.js';
import type { Database as Schema } from './schema.js';
import { SchemaIntrospector } from './schema-introspector.js';

export type DialectName = 'sqlite' | 'postgres';

/** Where a store lives, as parsed from its URL. */
export type StoreLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

export interface StoreOptions {
  /** Run pending migrations on open (default true). */
  migrate?: boolean;
  /** PostgreSQL only: the schema to work in (created when missing). Default: the server's search_path. */
  schema?: string;
  /** PostgreSQL only: max connections in the pool (default 10). */
  poolSize?: number;
  /** SQLite only: how long a writer waits for another process's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/** An open store. `db` is the only way in; close it when done. */
export interface Store {
  readonly db: Kysely<Schema>;
  readonly dialect: DialectName;
  /** The store's location with any password removed, for logs. */
  readonly location: string;
  close(): Promise<void>;
}

/** The error thrown for a database URL or option a user got wrong. */
export class StoreConfigError extends Error {
  override name = 'StoreConfigError';
}

const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Parses a store URL: `sqlite:PATH`, `sqlite://PATH`, `:memory:`, a plain file path, or
 * `postgres://…` / `postgresql://…`.
 */
export function parseStoreUrl(url: string): StoreLocation {
  const u = url.trim();
  if (u === '') throw new StoreConfigError('database URL is empty');
  if (/^postgres(ql)?:\/\//i.test(u)) return { dialect: 'postgres', url: u };
  if (/^sqlite3?:/i.test(u)) {
    let path = u.replace(/^sqlite3?:/i, '');
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new StoreConfigError(`database URL ${u} names no file`);
    return { dialect: 'sqlite', path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(u);
  if (scheme) {
    throw new StoreConfigError(
      `unsupported database URL scheme "${scheme[1]}:" (use sqlite:PATH, a file path, or postgres://…)`,
    );
  }
  return { dialect: 'sqlite', path: u };
}

/** A store location safe to print: the password of a PostgreSQL URL is masked. */
export function redactLocation(loc: StoreLocation): string {
  if (loc.dialect === 'sqlite') return `sqlite:${loc.path}`;
  try {
    const parsed = new URL(loc.url);
    if (parsed.password) parsed.password = '******';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** Opens (and by default migrates) the store at `url`. */
export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const loc = parseStoreUrl(url);
  const location = redactLocation(loc);
  const { db, dialect } =
    loc.dialect === 'sqlite' ? openSqlite(loc.path, options) : await openPostgres(loc.url, options);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(db, dialect, options.schema);
    } catch (err) {
      await db.destroy();
      throw err;
    }
  }
  return { db, dialect, location, close: () => db.destroy() };
}

// Open one store per SQLite file per process: Kysely serialises everything on its single
// connection, but two connections in one thread cannot wait for each other (SQLite's busy handler
// blocks the thread that the lock holder needs). Separate processes are fine.
function openSqlite(path: string, options: StoreOptions): { db: Kysely<Schema>; dialect: DialectName } {
  if (options.schema !== undefined) throw new StoreConfigError('the schema option is for PostgreSQL only');
  const busyTimeout = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeout) || busyTimeout < 0) {
    throw new StoreConfigError(`invalid SQLite busy timeout ${busyTimeout} (milliseconds, an integer >= 0)`);
  }
  let database: Database.Database | undefined;
  try {
    database = new Database(path);
    // WAL lets readers (API, SSE) proceed while the scheduler writes; busy_timeout makes another
    // process wait for the write lock instead of failing at once with SQLITE_BUSY.
    if (path !== ':memory:') database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${busyTimeout}`);
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
  } catch (err) {
    database?.close();
    throw new StoreConfigError(`cannot open SQLite database ${path}: ${(err as Error).message}`);
  }
  return { db: new Kysely<Schema>({ dialect: new ImmediateSqliteDialect({ database }) }), dialect: 'sqlite' };
}

// SQLite transactions start with BEGIN IMMEDIATE: the write lock is taken (waiting up to
// busy_timeout) before the first read. With a plain deferred BEGIN, a transaction that reads and
// then writes while another process committed in between fails at once with SQLITE_BUSY, since
// the busy handler cannot help a stale read snapshot.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

// pg hands int8 (bigint: our times, COUNT(*)) back as strings; every value we store fits in a JS
// number, so parse them as numbers and rows look the same as on SQLite. Scoped to our pools rather
// than pg's global type table, so other pg users in the process are not affected.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

async function openPostgres(
  url: string,
  options: StoreOptions,
): Promise<{ db: Kysely<Schema>; dialect: DialectName }> {
  const schema = options.schema;
  if (schema !== undefined && !schemaName.test(schema)) {
    throw new StoreConfigError(`invalid PostgreSQL schema name "${schema}" (lower-case letters, digits, _)`);
  }
  const config: pg.PoolConfig = { connectionString: url, max: options.poolSize ?? 10, types: pgTypes };
  // Connect once up front: a wrong URL or a server that is down gets one clear message here rather
  // than a migration failure. With a schema, it must also exist before any pooled connection puts
  // it on its search_path.
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    if (schema !== undefined) await createSchema(client, schema);
  } catch (err) {
    throw new StoreConfigError(
      `cannot use PostgreSQL at ${redactLocation({ dialect: 'postgres', url })}: ${(err as Error).message}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  if (schema !== undefined) config.options = `-c search_path=${schema}`;
  const pool = new pg.Pool(config);
  // An idle connection that dies (server restart) emits 'error' on the pool; unhandled, that would
  // crash the process. The next query on a fresh connection reports any lasting problem instead.
  pool.on('error', () => {});
  const db = new Kysely<Schema>({ dialect: new ScopedPostgresDialect({ pool }, schema) });
  return { db, dialect: 'postgres' };
}

// Introspection (which Kysely's Migrator uses) stays inside the store's schema: see
// schema-introspector.ts.
class ScopedPostgresDialect extends PostgresDialect {
  constructor(
    config: PostgresDialectConfig,
    private readonly schema: string | undefined,
  ) {
    super(config);
  }
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaIntrospector(db, this.schema);
  }
}

async function createSchema(client: pg.Client, schema: string): Promise<void> {
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } catch (err) {
    // Two servers creating the schema at the same moment: IF NOT EXISTS does not stop the loser
    // from tripping over the catalog's unique index. The schema exists either way.
    if (!isUniqueViolation(err) && (err as { code?: unknown }).code !== '42P06') throw err;
  }
}

/** True when `err` is a unique-constraint violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // PostgreSQL: SQLSTATE 23505; better-sqlite3: extended result codes.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
