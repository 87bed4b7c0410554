// The credentials of a mirrored repository's remote (migration 0002). The password arrives and
// leaves sealed: this module never sees it in plain text.
import { unixNow } from '../codec.js';
import type { Db } from '../schema.js';

/** A repo's stored credentials: the username, and the password sealed by the server's key. */
export interface StoredCredentials {
  repo_id: number;
  username: string;
  password: Buffer;
}

/** The repo's credentials, if it has any. */
export async function findRepoCredentials(db: Db, repoId: number): Promise<StoredCredentials | undefined> {
  const row = await db
    .selectFrom('repo_credentials')
    .select(['repo_id', 'username', 'password'])
    .where('repo_id', '=', repoId)
    .executeTakeFirst();
  return row
    ? { repo_id: row.repo_id, username: row.username, password: Buffer.from(row.password) }
    : undefined;
}

/** Sets (or replaces) the repo's credentials. */
export async function putRepoCredentials(db: Db, creds: StoredCredentials): Promise<void> {
  const updated = unixNow();
  const { repo_id, username, password } = creds;
  await db
    .insertInto('repo_credentials')
    .values({ repo_id, username, password, updated })
    .onConflict((oc) => oc.column('repo_id').doUpdateSet({ username, password, updated }))
    .execute();
}

/** Forgets the repo's credentials. */
export async function deleteRepoCredentials(db: Db, repoId: number): Promise<void> {
  await db.deleteFrom('repo_credentials').where('repo_id', '=', repoId).execute();
}
