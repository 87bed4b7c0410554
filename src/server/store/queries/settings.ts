// Small server-wide values every replica must agree on (e.g. whether the queue is paused).
import { unixNow } from '../codec.js';
import type { Db } from '../schema.js';

/** The value of a setting, if set. */
export async function getSetting(db: Db, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

/** Sets a setting. */
export async function putSetting(db: Db, name: string, value: string): Promise<void> {
  const updated = unixNow();
  await db
    .insertInto('settings')
    .values({ name, value, updated })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated }))
    .execute();
}

/** Removes a setting. */
export async function deleteSetting(db: Db, name: string): Promise<void> {
  await db.deleteFrom('settings').where('name', '=', name).execute();
}
