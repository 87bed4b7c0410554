// Groups queries into one atomic unit on either dialect.
import type { Db } from './schema.js';

/**
 * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. Inside an
 * existing transaction it simply joins it (Kysely cannot nest), so query helpers can use this freely.
 */
export async function transaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
