// Adaptive cards a step emitted (Drone's `/step/{id}/card`), stored verbatim.
import type { Db } from '../schema.js';

/** Stores (or replaces) the card of a step. */
export async function putCard(db: Db, stepId: number, data: Buffer): Promise<void> {
  await db
    .insertInto('cards')
    .values({ step_id: stepId, data })
    .onConflict((oc) => oc.column('step_id').doUpdateSet({ data }))
    .execute();
}

/** The card of a step, if any. */
export async function findCard(db: Db, stepId: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('cards').select('data').where('step_id', '=', stepId).executeTakeFirst();
  return row?.data;
}

/** Deletes the card of a step. */
export async function deleteCard(db: Db, stepId: number): Promise<void> {
  await db.deleteFrom('cards').where('step_id', '=', stepId).execute();
}
