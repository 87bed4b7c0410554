// The lock that orders every transaction touching one build's stages.
import { sql } from 'kysely';
import type { Db } from '../store/schema.js';

/**
 * Takes the build row's lock for the rest of the transaction (a no-op update: PostgreSQL row lock;
 * SQLite transactions already hold the database's write lock). Every transaction that writes a
 * build's stages takes it first — as a cancel does by updating the build first — so they queue up
 * instead of deadlocking.
 */
export async function lockBuild(tx: Db, buildId: number): Promise<void> {
  await tx.updateTable('builds').set({ updated: sql`updated` }).where('id', '=', buildId).execute();
}
