// Repositories, and the per-repo build counter.
import type { Insertable } from 'kysely';
import { decodeRow, encodeRow, unixNow } from '../codec.js';
import { ConflictError, uniquely } from '../errors.js';
import type { Repo } from '../models.js';
import { columns, type Db, type RepoTable } from '../schema.js';
import { type Page, pageBounds } from './paging.js';

/** Fields of a new repo: namespace and name are required; `slug` defaults to `namespace/name`. */
export type NewRepo = Pick<Repo, 'namespace' | 'name'> & Partial<Omit<Repo, 'id' | 'version'>>;

const decode = (row: object): Repo => decodeRow(columns.repos, row);
const encode = (repo: Partial<Repo>) => encodeRow(columns.repos, repo) as Insertable<RepoTable>;

/** Inserts a repo (version 1); DuplicateError when the slug is taken. */
export async function createRepo(db: Db, input: NewRepo): Promise<Repo> {
  const now = unixNow();
  const repo: Omit<Repo, 'id'> = {
    uid: '',
    user_id: 0,
    slug: `${input.namespace}/${input.name}`,
    scm: '',
    git_http_url: '',
    git_ssh_url: '',
    link: '',
    default_branch: 'main',
    private: false,
    visibility: 'public',
    active: false,
    config_path: '.drone.yml',
    trusted: false,
    protected: false,
    ignore_forks: false,
    ignore_pull_requests: false,
    auto_cancel_pull_requests: false,
    auto_cancel_pushes: false,
    auto_cancel_running: false,
    timeout: 60,
    throttle: 0,
    counter: 0,
    synced: 0,
    created: now,
    updated: now,
    archived: false,
    signer: '',
    secret: '',
    ...input,
    version: 1,
  };
  const row = await uniquely('repo', repo.slug, () =>
    db.insertInto('repos').values(encode(repo)).returningAll().executeTakeFirstOrThrow(),
  );
  return decode(row);
}

/** The repo with this id, if any. */
export async function findRepo(db: Db, id: number): Promise<Repo | undefined> {
  const row = await db.selectFrom('repos').selectAll().where('id', '=', id).executeTakeFirst();
  return row && decode(row);
}

/** The repo `namespace/name`, if any. */
export async function findRepoBySlug(db: Db, slug: string): Promise<Repo | undefined> {
  const row = await db.selectFrom('repos').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && decode(row);
}

/** The repo with this SCM id, if any. */
export async function findRepoByUid(db: Db, uid: string): Promise<Repo | undefined> {
  const row = await db
    .selectFrom('repos')
    .selectAll()
    .where('uid', '=', uid)
    .orderBy('id')
    .executeTakeFirst();
  return row && decode(row);
}

/** All repos by slug, one page at a time (admin listing). */
export async function listRepos(db: Db, page: Page = {}): Promise<Repo[]> {
  const { limit, offset } = pageBounds(page);
  const rows = await db.selectFrom('repos').selectAll().orderBy('slug').limit(limit).offset(offset).execute();
  return rows.map(decode);
}

/** The repos a user may read (from cached perms), by slug. */
export async function listReposOfUser(db: Db, userId: number): Promise<Repo[]> {
  const rows = await db
    .selectFrom('repos')
    .innerJoin('perms', 'perms.repo_id', 'repos.id')
    .selectAll('repos')
    .where('perms.user_id', '=', userId)
    .where('perms.read', '=', 1)
    .orderBy('repos.slug')
    .execute();
  return rows.map(decode);
}

/**
 * Saves every field of `repo` if nobody changed it since it was read (`version` matches), and
 * returns it with the new version; ConflictError otherwise.
 */
export async function updateRepo(db: Db, repo: Repo): Promise<Repo> {
  const { id, version, ...fields } = repo;
  const row = await uniquely('repo', repo.slug, () =>
    db
      .updateTable('repos')
      .set({ ...encode(fields), version: version + 1 })
      .where('id', '=', id)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst(),
  );
  if (!row) throw new ConflictError('repo', id, version);
  return decode(row);
}

/** Deletes a repo with its builds, secrets, crons and perms. */
export async function deleteRepo(db: Db, id: number): Promise<void> {
  await db.deleteFrom('repos').where('id', '=', id).execute();
}

/**
 * Takes the repo's next build number. One atomic UPDATE … RETURNING: the row lock (PostgreSQL) or
 * the write lock (SQLite) serialises concurrent callers, so no two ever get the same number. Drone
 * does this with an optimistic-lock retry loop instead; the effect is the same without retries.
 * The repo's version moves too, so anyone saving a stale copy gets a ConflictError rather than
 * writing an old counter back.
 */
export async function nextBuildNumber(db: Db, repoId: number): Promise<number> {
  const row = await db
    .updateTable('repos')
    .set((eb) => ({ counter: eb('counter', '+', 1), version: eb('version', '+', 1) }))
    .where('id', '=', repoId)
    .returning('counter')
    .executeTakeFirst();
  if (!row) throw new ConflictError('repo', repoId);
  return row.counter;
}
