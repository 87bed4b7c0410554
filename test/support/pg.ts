// Tests that need PostgreSQL: in CI it must be there (never a silent skip); on a developer's
// machine without it they skip with the reason. Start one with scripts/setup-postgres.sh.
import pg from 'pg';

/** The PostgreSQL URL the tests use, from HANGAR_TEST_PG_URL. */
export const pgUrl: string | undefined = process.env.HANGAR_TEST_PG_URL || undefined;

/** Skip option for node:test; throws in CI when no PostgreSQL URL is configured. */
export function pgSkip(): string | false {
  if (pgUrl) return false;
  if (process.env.CI === 'true') {
    throw new Error(
      'PostgreSQL required in CI but HANGAR_TEST_PG_URL is not set (run scripts/setup-postgres.sh)',
    );
  }
  return 'HANGAR_TEST_PG_URL not set (export HANGAR_TEST_PG_URL="$(scripts/setup-postgres.sh)")';
}

let seq = 0;

/** A schema name no other test (in this or another process) uses. */
export function uniqueSchemaName(prefix = 't'): string {
  seq += 1;
  const rand = Math.floor(Math.random() * 0x1000000).toString(36);
  return `${prefix}_${process.pid}_${seq}_${rand}`;
}

/** Runs one statement on a short-lived connection (schema set-up and clean-up). */
export async function pgExec(sql: string): Promise<void> {
  if (!pgUrl) throw new Error('HANGAR_TEST_PG_URL not set');
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Drops a schema made for a test, with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await pgExec(`drop schema if exists "${schema}" cascade`);
}
