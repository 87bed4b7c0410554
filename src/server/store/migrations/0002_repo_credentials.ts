// Hangar: the credentials of a repository mirrored from a plain git remote (scm `git`). Kept in a
// table of their own, not in `repos`, so the password can never ride along with a repo row into an
// API answer or a log line. The password is sealed with the server's secret key (secrets/box.ts).
import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';
import { bytesType, int, text } from './columns.js';

/** Migration 0002 for one dialect. */
export function repoCredentials(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('repo_credentials')
        .ifNotExists()
        .addColumn('repo_id', 'integer', (c) => c.primaryKey().references('repos.id').onDelete('cascade'))
        .addColumn('username', 'text', text())
        .addColumn('password', bytesType(dialect), (c) => c.notNull())
        .addColumn('updated', 'bigint', int())
        .execute();
    },
  };
}
