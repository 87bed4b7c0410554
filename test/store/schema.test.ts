// The migrated schema: snapshot per dialect (a migration's effect is reviewed as a diff), the same
// tables and columns on both dialects, and migrations that are idempotent.
// Update the snapshots after an intended change with: UPDATE_SNAPSHOTS=1 node --import tsx --test test/store/schema.test.ts
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, migrations } from '../../src/server/store/migrations/index.js';
import { findRepo } from '../../src/server/store/queries/repos.js';
import { dropSchema, pgExec, pgSkip } from '../support/pg.js';
import { aRepo } from './fixtures.js';
import { freshDatabase, storeTest } from './harness.js';
import { columnLists, dumpSchema } from './schema-dump.js';

const snapshot = (name: string) => new URL(`./snapshots/${name}`, import.meta.url);

function matchSnapshot(actual: string, name: string): void {
  const file = snapshot(name);
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${name} missing: run with UPDATE_SNAPSHOTS=1`);
  assert.equal(
    actual,
    readFileSync(file, 'utf8'),
    `schema differs from snapshots/${name} (UPDATE_SNAPSHOTS=1 to accept)`,
  );
}

storeTest('the schema matches its snapshot', async ({ db, dialect }) => {
  matchSnapshot(await dumpSchema(db, dialect), `schema.${dialect}.txt`);
});

storeTest('both dialects have the same tables and columns in the same order', async ({ db, dialect }) => {
  // One shared file for both dialects: a column added on one side only breaks one of the two runs.
  matchSnapshot(await columnLists(db, dialect), 'columns.txt');
});

storeTest(
  'migrations are idempotent: re-running and re-opening changes nothing',
  async ({ db, dialect, options, openAnother }) => {
    const repo = await aRepo(db);
    const before = await dumpSchema(db, dialect);
    assert.deepEqual(await migrateToLatest(db, dialect, options.schema), []);
    const again = await openAnother();
    assert.deepEqual(await migrateToLatest(again.db, dialect, options.schema), []);
    assert.equal(await dumpSchema(again.db, dialect), before);
    assert.deepEqual(await findRepo(again.db, repo.id), repo);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    assert.deepEqual(
      applied.rows.map((r) => r.name),
      Object.keys(migrations(dialect)),
    );
  },
);

test('two servers migrating a fresh PostgreSQL schema at once both succeed', { skip: pgSkip() }, async () => {
  const fresh = await freshDatabase('postgres');
  try {
    const [a, b] = await Promise.all([fresh.open(), fresh.open()]);
    assert.equal(await dumpSchema(a!.db, 'postgres'), await dumpSchema(b!.db, 'postgres'));
    const applied = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(a!.db);
    assert.equal(Number(applied.rows[0]?.n), Object.keys(migrations('postgres')).length);
  } finally {
    await fresh.dispose();
  }
});

test('migration names are ordered and numbered', () => {
  const names = Object.keys(migrations('sqlite'));
  assert.deepEqual(names, [...names].sort());
  names.forEach((n, i) => {
    assert.match(n, new RegExp(`^${String(i + 1).padStart(4, '0')}_[a-z0-9_]+$`));
  });
  assert.deepEqual(Object.keys(migrations('postgres')), names);
});

test('introspection and migration stay inside the store’s schema while others are dropped', {
  skip: pgSkip(),
}, async () => {
  // Other sessions creating and dropping schemas in the same database must not break a migration.
  let churning = true;
  const churn = (async () => {
    let i = 0;
    while (churning) {
      const name = `churn_${process.pid}_${i++}`;
      await pgExec(`create schema ${name}; create table ${name}.t (id serial primary key, v text)`);
      await dropSchema(name);
    }
  })();
  const fresh = await Promise.all([
    freshDatabase('postgres'),
    freshDatabase('postgres'),
    freshDatabase('postgres'),
  ]);
  try {
    for (let round = 0; round < 3; round++) {
      const stores = await Promise.all(fresh.map((f) => f.open()));
      for (const s of stores) {
        const tables = (await s.db.introspection.getTables()).map((t) => t.name).sort();
        assert.deepEqual(tables, [
          'builds',
          'cards',
          'crons',
          'latest',
          'lines',
          'logs',
          'perms',
          'repo_credentials',
          'repos',
          'runners',
          'secrets',
          'settings',
          'stages',
          'steps',
          'users',
        ]);
      }
    }
  } finally {
    churning = false;
    await churn;
    for (const f of fresh) await f.dispose();
  }
});
