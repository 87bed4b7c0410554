// The latest build per branch, pull request and deployment target of a repo (Drone's `latest`
// table): behind `GET /builds/branches|pulls|deployments` and status badges.
import { unixNow } from '../codec.js';
import type { Latest } from '../models.js';
import type { Db } from '../schema.js';

/** Points the (repo, type, name) entry at `buildId`. */
export async function upsertLatest(
  db: Db,
  entry: Pick<Latest, 'repo_id' | 'type' | 'name' | 'build_id'>,
  now = unixNow(),
): Promise<void> {
  await db
    .insertInto('latest')
    .values({ ...entry, created: now, updated: now })
    .onConflict((oc) =>
      oc.columns(['repo_id', 'type', 'name']).doUpdateSet({ build_id: entry.build_id, updated: now }),
    )
    .execute();
}

/** A repo's entries of one type, by name. */
export async function listLatest(db: Db, repoId: number, type: Latest['type']): Promise<Latest[]> {
  return db
    .selectFrom('latest')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('type', '=', type)
    .orderBy('name')
    .execute();
}

/** Removes an entry (branch deleted, pull request closed). */
export async function deleteLatest(
  db: Db,
  repoId: number,
  type: Latest['type'],
  name: string,
): Promise<void> {
  await db
    .deleteFrom('latest')
    .where('repo_id', '=', repoId)
    .where('type', '=', type)
    .where('name', '=', name)
    .execute();
}
