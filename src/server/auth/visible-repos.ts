// The repos a user is connected to: those they own and those with a cached permission row (Drone
// lists a user's repos through the perms table). Used by /api/user/repos and /api/user/builds.
// Also the active public repos, which anyone (guests included) may read: /api/public/repos.
import { decodeRow } from '../store/codec.js';
import type { Build, Repo } from '../store/models.js';
import { columns, type Db } from '../store/schema.js';

const repoOf = (row: object): Repo => decodeRow(columns.repos, row);

function connected(db: Db, userId: number) {
  return db
    .selectFrom('repos')
    .where((eb) =>
      eb.or([
        eb('repos.user_id', '=', userId),
        eb.exists(
          eb
            .selectFrom('perms')
            .select('perms.repo_id')
            .whereRef('perms.repo_id', '=', 'repos.id')
            .where('perms.user_id', '=', userId),
        ),
      ]),
    );
}

/** The user's repos, by slug. */
export async function listUserRepos(db: Db, userId: number): Promise<Repo[]> {
  const rows = await connected(db, userId).selectAll('repos').orderBy('repos.slug').execute();
  return rows.map(repoOf);
}

/** The user's repos by slug, each with its newest build (if any). */
export async function listUserReposWithLatest(
  db: Db,
  userId: number,
): Promise<{ repo: Repo; build: Build | undefined }[]> {
  return withNewestBuild(db, await listUserRepos(db, userId));
}

/** The active public repos, by slug. */
export async function listPublicRepos(db: Db): Promise<Repo[]> {
  const rows = await db
    .selectFrom('repos')
    .selectAll()
    .where('visibility', '=', 'public')
    .where('active', '=', 1)
    .orderBy('slug')
    .execute();
  return rows.map(repoOf);
}

/** The active public repos by slug, each with its newest build (if any). */
export async function listPublicReposWithLatest(db: Db): Promise<{ repo: Repo; build: Build | undefined }[]> {
  return withNewestBuild(db, await listPublicRepos(db));
}

async function withNewestBuild(db: Db, repos: Repo[]): Promise<{ repo: Repo; build: Build | undefined }[]> {
  if (repos.length === 0) return [];
  const ids = repos.map((r) => r.id);
  const newest = db
    .selectFrom('builds')
    .select((eb) => ['repo_id', eb.fn.max('number').as('number')])
    .where('repo_id', 'in', ids)
    .groupBy('repo_id')
    .as('newest');
  const rows = await db
    .selectFrom('builds')
    .innerJoin(newest, (join) =>
      join.onRef('newest.repo_id', '=', 'builds.repo_id').onRef('newest.number', '=', 'builds.number'),
    )
    .selectAll('builds')
    .execute();
  const byRepo = new Map(rows.map((row) => [row.repo_id, decodeRow<Build>(columns.builds, row)]));
  return repos.map((repo) => ({ repo, build: byRepo.get(repo.id) }));
}

/** The newest builds across the user's repos (Drone: 25), each with its repo. */
export async function listUserRecentBuilds(
  db: Db,
  userId: number,
  limit = 25,
): Promise<{ repo: Repo; build: Build }[]> {
  const builds = await db
    .selectFrom('builds')
    .selectAll('builds')
    .where('builds.repo_id', 'in', connected(db, userId).select('repos.id'))
    .orderBy('builds.id', 'desc')
    .limit(limit)
    .execute();
  if (builds.length === 0) return [];
  const repoIds = [...new Set(builds.map((b) => b.repo_id))];
  const repos = await db.selectFrom('repos').selectAll().where('id', 'in', repoIds).execute();
  const byId = new Map(repos.map((r) => [r.id, repoOf(r)]));
  return builds.flatMap((row) => {
    const repo = byId.get(row.repo_id);
    return repo ? [{ repo, build: decodeRow<Build>(columns.builds, row) }] : [];
  });
}
