// The queue's paused flag (`DELETE /api/queue` pauses, `POST /api/queue` resumes, as in Drone). It
// lives in the settings table, not in memory, so every replica and a restarted server honour it.
import { deleteSetting, getSetting, putSetting } from '../store/queries/settings.js';
import type { Db } from '../store/schema.js';

const NAME = 'queue.paused';

/** True while dispatch is paused. */
export async function queuePaused(db: Db): Promise<boolean> {
  return (await getSetting(db, NAME)) === 'true';
}

/** Pauses (true) or resumes (false) dispatch. */
export async function setQueuePaused(db: Db, paused: boolean): Promise<void> {
  if (paused) await putSetting(db, NAME, 'true');
  else await deleteSetting(db, NAME);
}
