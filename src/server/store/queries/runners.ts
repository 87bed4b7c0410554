// Runners the server has seen: what they offer and when they last spoke (Hangar; Drone keeps none).
import type { Insertable } from 'kysely';
import { decodeRow, encodeRow, unixNow } from '../codec.js';
import type { Runner } from '../models.js';
import { columns, type Db, type RunnerTable } from '../schema.js';

/** What a runner reports about itself; `name` identifies it. */
export type RunnerReport = Pick<Runner, 'name'> & Partial<Omit<Runner, 'id' | 'created'>>;

const decode = (row: object): Runner => decodeRow(columns.runners, row);
const encode = (runner: Partial<Runner>) => encodeRow(columns.runners, runner) as Insertable<RunnerTable>;

/** Records a runner's report: creates it on first contact, refreshes it (and `last_seen`) after. */
export async function upsertRunner(db: Db, report: RunnerReport): Promise<Runner> {
  const now = unixNow();
  const runner: Omit<Runner, 'id'> = {
    kind: '',
    type: '',
    os: '',
    arch: '',
    variant: '',
    kernel: '',
    labels: {},
    capacity: 0,
    version: '',
    last_seen: now,
    ...report,
    created: now,
  };
  const { created, ...changes } = encode(runner);
  const row = await db
    .insertInto('runners')
    .values(encode(runner))
    .onConflict((oc) => oc.column('name').doUpdateSet(changes))
    .returningAll()
    .executeTakeFirstOrThrow();
  return decode(row);
}

/** The runner with this name, if known. */
export async function findRunner(db: Db, name: string): Promise<Runner | undefined> {
  const row = await db.selectFrom('runners').selectAll().where('name', '=', name).executeTakeFirst();
  return row && decode(row);
}

/** Every known runner, by name. */
export async function listRunners(db: Db): Promise<Runner[]> {
  const rows = await db.selectFrom('runners').selectAll().orderBy('name').execute();
  return rows.map(decode);
}

/** Forgets a runner. */
export async function deleteRunner(db: Db, name: string): Promise<void> {
  await db.deleteFrom('runners').where('name', '=', name).execute();
}
