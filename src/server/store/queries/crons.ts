// Cron jobs of a repo (drone-reference.md §5.6). The scheduler selects the due ones and moves
// `next` on with an optimistic-lock update, so when several replicas tick at once only one fires.
import type { Insertable } from 'kysely';
import { decodeRow, encodeRow, unixNow } from '../codec.js';
import { ConflictError, uniquely } from '../errors.js';
import type { Cron } from '../models.js';
import { columns, type CronTable, type Db } from '../schema.js';

/** Fields of a new cron: repo, name and expression are required. */
export type NewCron = Pick<Cron, 'repo_id' | 'name' | 'expr'> & Partial<Omit<Cron, 'id' | 'version'>>;

const decode = (row: object): Cron => decodeRow(columns.crons, row);
const encode = (cron: Partial<Cron>) => encodeRow(columns.crons, cron) as Insertable<CronTable>;

/** Inserts a cron (version 1); DuplicateError when the repo already has one of that name. */
export async function createCron(db: Db, input: NewCron): Promise<Cron> {
  const now = unixNow();
  const cron: Omit<Cron, 'id'> = {
    next: 0,
    prev: 0,
    event: 'push',
    branch: '',
    target: '',
    disabled: false,
    created: now,
    updated: now,
    ...input,
    version: 1,
  };
  const row = await uniquely('cron', input.name, () =>
    db.insertInto('crons').values(encode(cron)).returningAll().executeTakeFirstOrThrow(),
  );
  return decode(row);
}

/** The cron with this id, if any. */
export async function findCron(db: Db, id: number): Promise<Cron | undefined> {
  const row = await db.selectFrom('crons').selectAll().where('id', '=', id).executeTakeFirst();
  return row && decode(row);
}

/** A repo's cron by name, if any. */
export async function findCronByName(db: Db, repoId: number, name: string): Promise<Cron | undefined> {
  const row = await db
    .selectFrom('crons')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && decode(row);
}

/** A repo's crons, by name. */
export async function listCrons(db: Db, repoId: number): Promise<Cron[]> {
  const rows = await db
    .selectFrom('crons')
    .selectAll()
    .where('repo_id', '=', repoId)
    .orderBy('name')
    .execute();
  return rows.map(decode);
}

/** Enabled crons whose `next` time is before `now`, soonest first. */
export async function listDueCrons(db: Db, now: number): Promise<Cron[]> {
  const rows = await db
    .selectFrom('crons')
    .selectAll()
    .where('disabled', '=', 0)
    .where('next', '<', now)
    .orderBy('next')
    .orderBy('id')
    .execute();
  return rows.map(decode);
}

/**
 * Saves every field of `cron` if nobody changed it since it was read (`version` matches), and
 * returns it with the new version; ConflictError otherwise.
 */
export async function updateCron(db: Db, cron: Cron): Promise<Cron> {
  const { id, version, ...fields } = cron;
  const row = await uniquely('cron', cron.name, () =>
    db
      .updateTable('crons')
      .set({ ...encode(fields), version: version + 1 })
      .where('id', '=', id)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst(),
  );
  if (!row) throw new ConflictError('cron', id, version);
  return decode(row);
}

/** Deletes a cron. */
export async function deleteCron(db: Db, id: number): Promise<void> {
  await db.deleteFrom('crons').where('id', '=', id).execute();
}
