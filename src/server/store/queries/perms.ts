// A user's read/write/admin access to a repo, cached from the SCM (Drone's perms table).
import type { Insertable } from 'kysely';
import { decodeRow, encodeRow, unixNow } from '../codec.js';
import type { Perm } from '../models.js';
import { columns, type Db, type PermTable } from '../schema.js';

/** Fields of a perm to save; times default to now. */
export type PermInput = Pick<Perm, 'user_id' | 'repo_id' | 'read' | 'write' | 'admin'> & Partial<Perm>;

const decode = (row: object): Perm => decodeRow(columns.perms, row);
const encode = (perm: Partial<Perm>) => encodeRow(columns.perms, perm) as Insertable<PermTable>;

/** Creates or replaces the perm of a user on a repo. */
export async function upsertPerm(db: Db, input: PermInput): Promise<Perm> {
  const now = unixNow();
  const perm: Perm = { synced: now, created: now, updated: now, ...input };
  const { user_id, repo_id, created, ...changes } = encode(perm);
  const row = await db
    .insertInto('perms')
    .values(encode(perm))
    .onConflict((oc) => oc.columns(['user_id', 'repo_id']).doUpdateSet(changes))
    .returningAll()
    .executeTakeFirstOrThrow();
  return decode(row);
}

/** A user's perm on a repo, if cached. */
export async function findPerm(db: Db, userId: number, repoId: number): Promise<Perm | undefined> {
  const row = await db
    .selectFrom('perms')
    .selectAll()
    .where('user_id', '=', userId)
    .where('repo_id', '=', repoId)
    .executeTakeFirst();
  return row && decode(row);
}

/** Everyone with a cached perm on a repo (collaborators), by user id. */
export async function listPermsOfRepo(db: Db, repoId: number): Promise<Perm[]> {
  const rows = await db
    .selectFrom('perms')
    .selectAll()
    .where('repo_id', '=', repoId)
    .orderBy('user_id')
    .execute();
  return rows.map(decode);
}

/** Forgets a user's perm on a repo. */
export async function deletePerm(db: Db, userId: number, repoId: number): Promise<void> {
  await db.deleteFrom('perms').where('user_id', '=', userId).where('repo_id', '=', repoId).execute();
}
