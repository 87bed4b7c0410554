// Runs one store test on every dialect: SQLite (a fresh file in a temp dir) and PostgreSQL (a
// fresh schema in HANGAR_TEST_PG_URL's database). Each run gets its own empty, migrated store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type DialectName, openStore, type Store, type StoreOptions } from '../../src/server/store/db.js';
import type { Db } from '../../src/server/store/schema.js';
import { dropSchema, pgSkip, pgUrl, uniqueSchemaName } from '../support/pg.js';

/** What a test body gets. */
export interface StoreCtx {
  dialect: DialectName;
  store: Store;
  db: Db;
  /** Opens another store on the same database (another connection/pool, as a second server would). */
  openAnother(options?: StoreOptions): Promise<Store>;
  /** How to open the same database elsewhere (e.g. in a worker thread). */
  url: string;
  options: StoreOptions;
}

type Body = (ctx: StoreCtx) => Promise<void>;

/** A fresh database on `dialect`; `dispose` closes every store opened on it and deletes it. */
export async function freshDatabase(dialect: DialectName): Promise<{
  url: string;
  options: StoreOptions;
  open(options?: StoreOptions): Promise<Store>;
  dispose(): Promise<void>;
}> {
  const opened: Store[] = [];
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'hangar-store-'));
    const url = `sqlite:${join(dir, 'hangar.db')}`;
    return {
      url,
      options: {},
      async open(options) {
        const s = await openStore(url, options);
        opened.push(s);
        return s;
      },
      async dispose() {
        for (const s of opened) await s.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = uniqueSchemaName();
  const url = pgUrl as string;
  return {
    url,
    options: { poolSize: 4, schema },
    async open(options) {
      const s = await openStore(url, { poolSize: 4, ...options, schema });
      opened.push(s);
      return s;
    },
    async dispose() {
      for (const s of opened) await s.close();
      await dropSchema(schema);
    },
  };
}

/** Declares `name [sqlite]` and `name [postgres]` tests running `body` on a fresh store each. */
export function storeTest(name: string, body: Body): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const skip = dialect === 'postgres' ? pgSkip() : false;
    test(`${name} [${dialect}]`, { skip }, async () => {
      const fresh = await freshDatabase(dialect);
      try {
        const store = await fresh.open();
        await body({
          dialect,
          store,
          db: store.db,
          openAnother: (options) => fresh.open(options),
          url: fresh.url,
          options: fresh.options,
        });
      } finally {
        await fresh.dispose();
      }
    });
  }
}

/** Runs `fn` on both dialects (PostgreSQL only when configured) and returns the results by dialect. */
export async function onBothDialects<T>(
  fn: (db: Db) => Promise<T>,
): Promise<Partial<Record<DialectName, T>>> {
  const out: Partial<Record<DialectName, T>> = {};
  for (const dialect of ['sqlite', 'postgres'] as const) {
    if (dialect === 'postgres' && pgSkip() !== false) continue;
    const fresh = await freshDatabase(dialect);
    try {
      const store = await fresh.open();
      out[dialect] = await fn(store.db);
    } finally {
      await fresh.dispose();
    }
  }
  return out;
}
