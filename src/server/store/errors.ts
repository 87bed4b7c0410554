// Errors the store raises on purpose. Both carry only the table and key: never row contents, which
// may hold secrets.
import { isUniqueViolation } from './db.js';

/**
 * An optimistic-lock conflict: the row changed (or vanished, or no longer qualifies) since it was
 * read. Drone answers these with 409 and the runner gives the stage up (drone-reference.md §1.2).
 */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    readonly table: string,
    readonly id: number,
    readonly version?: number,
  ) {
    super(
      version === undefined
        ? `${table} ${id} was changed by someone else`
        : `${table} ${id} was changed by someone else (expected version ${version})`,
    );
  }
}

/** A row with the same unique key already exists (a second repo with one slug, a second secret …). */
export class DuplicateError extends Error {
  override name = 'DuplicateError';
  constructor(
    readonly table: string,
    readonly key: string,
  ) {
    super(`${table} ${key} already exists`);
  }
}

/** Runs `fn`, turning a unique-constraint violation into a DuplicateError for `table`/`key`. */
export async function uniquely<T>(table: string, key: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateError(table, key);
    throw err;
  }
}
