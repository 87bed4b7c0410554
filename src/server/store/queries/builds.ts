// Builds: creation with a race-free number, lookups, paging, and optimistic-lock updates.
import type { Insertable } from 'kysely';
import { decodeRow, encodeRow, unixNow } from '../codec.js';
import { ConflictError, uniquely } from '../errors.js';
import { type Build, incompleteStatuses, type Stage, type Status } from '../models.js';
import { columns, type BuildTable, type Db } from '../schema.js';
import { transaction } from '../transaction.js';
import { type Page, pageBounds } from './paging.js';
import { nextBuildNumber } from './repos.js';
import { createStages, type NewStage } from './stages.js';

/** Fields of a new build: `repo_id` is required; `number` is taken from the repo's counter when absent. */
export type NewBuild = Pick<Build, 'repo_id'> & Partial<Omit<Build, 'id' | 'version'>>;

const decode = (row: object): Build => decodeRow(columns.builds, row);
const encode = (build: Partial<Build>) => encodeRow(columns.builds, build) as Insertable<BuildTable>;

/** A build with Drone's zero values in every field `fields` does not give (created/updated `now`). */
export function blankBuild(fields: Partial<Build> & Pick<Build, 'repo_id'>, now = 0): Build {
  return {
    id: 0,
    trigger: '',
    number: 0,
    parent: 0,
    status: 'pending',
    error: '',
    event: '',
    action: '',
    link: '',
    timestamp: 0,
    title: '',
    message: '',
    before: '',
    after: '',
    ref: '',
    source_repo: '',
    source: '',
    target: '',
    author_login: '',
    author_name: '',
    author_email: '',
    author_avatar: '',
    sender: '',
    params: {},
    cron: '',
    deploy_to: '',
    deploy_id: 0,
    debug: false,
    changed_files: null,
    started: 0,
    finished: 0,
    created: now,
    updated: now,
    version: 0,
    ...fields,
  };
}

/**
 * Inserts a build (version 1). Without an explicit `number` the repo's counter is incremented in
 * the same transaction, so a build never exists without its number and numbers are never reused.
 */
export async function createBuild(db: Db, input: NewBuild): Promise<Build> {
  return transaction(db, async (tx) => {
    const number = input.number ?? (await nextBuildNumber(tx, input.repo_id));
    const now = unixNow();
    const { id: _, ...build } = blankBuild({ ...input, number, version: 1 }, now);
    const row = await uniquely('build', `${input.repo_id}#${number}`, () =>
      tx.insertInto('builds').values(encode(build)).returningAll().executeTakeFirstOrThrow(),
    );
    return decode(row);
  });
}

/**
 * Creates a build and its stages in one transaction (the trigger's step 9, drone-reference.md §5.5):
 * the scheduler can never see a build half made.
 */
export async function createBuildWithStages(
  db: Db,
  input: NewBuild,
  stages: Omit<NewStage, 'repo_id' | 'build_id'>[],
): Promise<{ build: Build; stages: Stage[] }> {
  return transaction(db, async (tx) => {
    const build = await createBuild(tx, input);
    const created = await createStages(
      tx,
      stages.map((s) => ({ ...s, repo_id: build.repo_id, build_id: build.id })),
    );
    return { build, stages: created };
  });
}

/** The build with this id, if any. */
export async function findBuild(db: Db, id: number): Promise<Build | undefined> {
  const row = await db.selectFrom('builds').selectAll().where('id', '=', id).executeTakeFirst();
  return row && decode(row);
}

/** Build `number` of a repo, if any. */
export async function findBuildByNumber(db: Db, repoId: number, number: number): Promise<Build | undefined> {
  const row = await db
    .selectFrom('builds')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row && decode(row);
}

/** The newest build of a repo, optionally only for one ref (`refs/heads/main`), if any. */
export async function findLatestBuild(db: Db, repoId: number, ref?: string): Promise<Build | undefined> {
  let q = db.selectFrom('builds').selectAll().where('repo_id', '=', repoId);
  if (ref !== undefined) q = q.where('ref', '=', ref);
  const row = await q.orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row && decode(row);
}

/** A repo's builds, newest first, one page at a time; optionally only those of one ref. */
export async function listBuilds(
  db: Db,
  repoId: number,
  page: Page & { ref?: string } = {},
): Promise<Build[]> {
  const { limit, offset } = pageBounds(page);
  let q = db.selectFrom('builds').selectAll().where('repo_id', '=', repoId);
  if (page.ref !== undefined) q = q.where('ref', '=', page.ref);
  const rows = await q.orderBy('number', 'desc').limit(limit).offset(offset).execute();
  return rows.map(decode);
}

/** Every pending or running build, oldest first (the admin's incomplete-builds view). */
export async function listIncompleteBuilds(db: Db): Promise<Build[]> {
  const rows = await db
    .selectFrom('builds')
    .selectAll()
    .where('status', 'in', incompleteStatuses)
    .orderBy('id')
    .execute();
  return rows.map(decode);
}

/**
 * Older builds that an auto-cancel would supersede (drone-reference.md §5.5): same repo, event and
 * ref, a number below `below`, and one of `statuses` (pending, or pending/running with
 * `auto_cancel_running`). Oldest first.
 */
export async function listSupersededBuilds(
  db: Db,
  q: { repoId: number; event: string; ref: string; below: number; statuses: readonly Status[] },
): Promise<Build[]> {
  if (q.statuses.length === 0) return [];
  const rows = await db
    .selectFrom('builds')
    .selectAll()
    .where('repo_id', '=', q.repoId)
    .where('event', '=', q.event)
    .where('ref', '=', q.ref)
    .where('number', '<', q.below)
    .where('status', 'in', q.statuses)
    .orderBy('number')
    .execute();
  return rows.map(decode);
}

/**
 * Saves every field of `build` if nobody changed it since it was read (`version` matches), and
 * returns it with the new version; ConflictError otherwise.
 */
export async function updateBuild(db: Db, build: Build): Promise<Build> {
  const { id, version, ...fields } = build;
  const row = await db
    .updateTable('builds')
    .set({ ...encode(fields), version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new ConflictError('build', id, version);
  return decode(row);
}

/** Deletes a repo's builds numbered below `number` (with their stages, steps and logs); returns how many. */
export async function purgeBuilds(db: Db, repoId: number, number: number): Promise<number> {
  const res = await db
    .deleteFrom('builds')
    .where('repo_id', '=', repoId)
    .where('number', '<', number)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
