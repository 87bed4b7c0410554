// Step logs: the complete log a runner uploads when a step ends (stored verbatim, Drone's
// `/logs/upload` body), and the live lines streamed while it runs. Live lines live in the database
// so that any server replica can serve a stream, and a client that reconnects can resume from a
// position.
import type { Line } from '../models.js';
import type { Db } from '../schema.js';

/** Stores (or replaces) the complete log of a step. */
export async function putLog(db: Db, stepId: number, data: Buffer): Promise<void> {
  await db
    .insertInto('logs')
    .values({ step_id: stepId, data })
    .onConflict((oc) => oc.column('step_id').doUpdateSet({ data }))
    .execute();
}

/** The complete log of a step, if uploaded. */
export async function findLog(db: Db, stepId: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('logs').select('data').where('step_id', '=', stepId).executeTakeFirst();
  return row?.data;
}

/** Deletes the complete log of a step (Drone's log purge). */
export async function deleteLog(db: Db, stepId: number): Promise<void> {
  await db.deleteFrom('logs').where('step_id', '=', stepId).execute();
}

/**
 * Appends live lines. A line whose position is already stored is ignored, so a batch the runner
 * re-sends (or two replicas relaying the same batch) never duplicates output. Returns how many
 * lines were new.
 */
export async function appendLines(db: Db, stepId: number, lines: readonly Line[]): Promise<number> {
  if (lines.length === 0) return 0;
  const res = await db
    .insertInto('lines')
    .values(lines.map((l) => ({ step_id: stepId, pos: l.pos, out: l.out, time: l.time })))
    .onConflict((oc) => oc.columns(['step_id', 'pos']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n);
}

/** Live lines of a step from position `from` on (inclusive), in order, at most `limit` of them. */
export async function readLines(db: Db, stepId: number, from = 0, limit = 5000): Promise<Line[]> {
  return db
    .selectFrom('lines')
    .select(['pos', 'out', 'time'])
    .where('step_id', '=', stepId)
    .where('pos', '>=', from)
    .orderBy('pos')
    .limit(limit)
    .execute();
}

/**
 * Keeps only the last `keep` live lines of a step (Drone retains 5000 per live stream) and
 * returns how many were dropped.
 */
export async function trimLines(db: Db, stepId: number, keep = 5000): Promise<number> {
  const last = await db
    .selectFrom('lines')
    .select((eb) => eb.fn.max('pos').as('max'))
    .where('step_id', '=', stepId)
    .executeTakeFirst();
  const max = last?.max;
  if (max === null || max === undefined) return 0;
  const res = await db
    .deleteFrom('lines')
    .where('step_id', '=', stepId)
    .where('pos', '<=', Number(max) - keep)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Drops the live lines of a step (its stream ended and the complete log is stored). */
export async function deleteLines(db: Db, stepId: number): Promise<void> {
  await db.deleteFrom('lines').where('step_id', '=', stepId).execute();
}
