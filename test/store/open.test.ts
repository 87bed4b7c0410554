// Opening a store: URL forms, clear errors, and the SQLite settings that matter for concurrency.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStore, parseStoreUrl, redactLocation, StoreConfigError } from '../../src/server/store/db.js';
import { createRepo, findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { pgSkip, pgUrl } from '../support/pg.js';

test('store URLs: sqlite forms, plain paths and postgres', () => {
  assert.deepEqual(parseStoreUrl(':memory:'), { dialect: 'sqlite', path: ':memory:' });
  assert.deepEqual(parseStoreUrl('sqlite::memory:'), { dialect: 'sqlite', path: ':memory:' });
  assert.deepEqual(parseStoreUrl('sqlite:data/hangar.db'), { dialect: 'sqlite', path: 'data/hangar.db' });
  assert.deepEqual(parseStoreUrl('sqlite:///var/lib/hangar.db'), {
    dialect: 'sqlite',
    path: '/var/lib/hangar.db',
  });
  assert.deepEqual(parseStoreUrl('sqlite3:/tmp/x.db'), { dialect: 'sqlite', path: '/tmp/x.db' });
  assert.deepEqual(parseStoreUrl('/var/lib/hangar/hangar.sqlite'), {
    dialect: 'sqlite',
    path: '/var/lib/hangar/hangar.sqlite',
  });
  assert.deepEqual(parseStoreUrl('hangar.db'), { dialect: 'sqlite', path: 'hangar.db' });
  assert.deepEqual(parseStoreUrl('postgres://u:p@db:5432/hangar?sslmode=disable'), {
    dialect: 'postgres',
    url: 'postgres://u:p@db:5432/hangar?sslmode=disable',
  });
  assert.equal(parseStoreUrl('postgresql://db/hangar').dialect, 'postgres');
});

test('bad store URLs are refused with a clear message', () => {
  assert.throws(() => parseStoreUrl('mysql://root@db/drone'), {
    name: 'StoreConfigError',
    message: /unsupported database URL scheme "mysql:"/,
  });
  assert.throws(() => parseStoreUrl('  '), StoreConfigError);
  assert.throws(() => parseStoreUrl('sqlite:'), /names no file/);
});

test('a printed location never shows the password', () => {
  const shown = redactLocation(parseStoreUrl('postgres://hangar:s3cr3t-pw@db:5432/hangar'));
  assert.equal(shown.includes('s3cr3t-pw'), false);
  assert.match(shown, /^postgres:\/\/hangar:\*+@db:5432\/hangar$/);
  assert.equal(redactLocation(parseStoreUrl('x.db')), 'sqlite:x.db');
});

test('an SQLite file in a missing directory gives a clear error', async () => {
  await assert.rejects(openStore('sqlite:/nonexistent-dir-hangar/x/hangar.db'), {
    name: 'StoreConfigError',
    message: /cannot open SQLite database \/nonexistent-dir-hangar\/x\/hangar\.db/,
  });
});

test('a file that is not an SQLite database gives a clear error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-open-'));
  try {
    const file = join(dir, 'notes.txt');
    await writeFile(
      file,
      'this is not a database, just some text that is long enough to matter\n'.repeat(20),
    );
    await assert.rejects(openStore(file), {
      name: 'StoreConfigError',
      message: /cannot open SQLite database .*notes\.txt: file is not a database/,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an unreachable PostgreSQL gives a clear error without the password', async () => {
  const err = await openStore('postgres://hangar:s3cr3t-pw@127.0.0.1:1/hangar').then(
    () => assert.fail('opened'),
    (e: unknown) => e as Error,
  );
  assert.ok(err instanceof StoreConfigError);
  assert.match(err.message, /cannot use PostgreSQL at postgres:\/\/hangar:\*+@127\.0\.0\.1:1\/hangar: /);
  assert.equal(err.message.includes('s3cr3t-pw'), false);
});

test('invalid PostgreSQL schema names are refused before connecting', async () => {
  await assert.rejects(
    openStore('postgres://127.0.0.1:1/x', { schema: 'a"; drop table x; --' }),
    /invalid PostgreSQL schema/,
  );
  await assert.rejects(openStore(':memory:', { schema: 'x' }), /PostgreSQL only/);
  await assert.rejects(openStore(':memory:', { busyTimeoutMs: Number.NaN }), /invalid SQLite busy timeout/);
});

test('SQLite files open in WAL mode with a busy timeout and foreign keys on, and keep data', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-open-'));
  try {
    const url = `sqlite:${join(dir, 'h.db')}`;
    const store = await openStore(url, { busyTimeoutMs: 1234 });
    assert.equal(store.dialect, 'sqlite');
    const pragma = async (name: string) =>
      Object.values(
        (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(store.db)).rows[0] ?? {},
      )[0];
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('busy_timeout'), 1234);
    assert.equal(await pragma('foreign_keys'), 1);
    await createRepo(store.db, { namespace: 'a', name: 'b' });
    await store.close();
    const reopened = await openStore(join(dir, 'h.db'));
    assert.equal((await findRepoBySlug(reopened.db, 'a/b'))?.slug, 'a/b');
    await reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an in-memory store works and starts empty', async () => {
  const store = await openStore(':memory:');
  assert.equal(await findRepoBySlug(store.db, 'a/b'), undefined);
  await createRepo(store.db, { namespace: 'a', name: 'b' });
  assert.ok(await findRepoBySlug(store.db, 'a/b'));
  await store.close();
});

test('PostgreSQL int8 values come back as numbers, not strings', { skip: pgSkip() }, async () => {
  const store = await openStore(pgUrl as string, { poolSize: 1, migrate: false });
  try {
    const { rows } = await sql<{
      n: unknown;
      big: unknown;
    }>`select count(*) as n, 4102444800::bigint as big`.execute(store.db);
    assert.deepEqual(rows[0], { n: 1, big: 4102444800 });
  } finally {
    await store.close();
  }
});
