// The first administrator, on both dialects.
import assert from 'node:assert/strict';
import { bootstrapAdmin } from '../../src/server/auth/bootstrap.js';
import {
  createUser,
  findUserByLogin,
  findUserByToken,
  listUsers,
} from '../../src/server/store/queries/users.js';
import { storeTest } from '../store/harness.js';

storeTest('no admin yet: `admin` is created with a token shown once', async ({ db }) => {
  const first = await bootstrapAdmin(db, '');
  assert.ok(first.token);
  assert.equal((await findUserByToken(db, first.token))?.login, 'admin');
  const second = await bootstrapAdmin(db, '');
  assert.equal(second.token, undefined);
  assert.equal((await listUsers(db)).length, 1);
  // The stored form is a hash.
  assert.notEqual((await findUserByLogin(db, 'admin'))?.token_hash, first.token);
});

storeTest('HANGAR_ADMIN_TOKEN: the holder (or `admin`) becomes an active admin with it', async ({ db }) => {
  const token = 'given-token-0123456789abcdef';
  const a = await bootstrapAdmin(db, token);
  assert.equal(a.token, undefined);
  assert.equal((await findUserByToken(db, token))?.admin, true);
  await bootstrapAdmin(db, token);
  assert.equal((await listUsers(db)).length, 1);
  // A changed token moves to `admin`.
  await bootstrapAdmin(db, `${token}-2`);
  assert.equal((await findUserByToken(db, `${token}-2`))?.login, 'admin');
  assert.equal(await findUserByToken(db, token), undefined);
});

storeTest('an ordinary user named admin is promoted when no admin exists', async ({ db }) => {
  await createUser(db, { login: 'admin' });
  const r = await bootstrapAdmin(db, '');
  assert.ok(r.token);
  assert.equal((await findUserByToken(db, r.token))?.admin, true);
});

storeTest('two servers bootstrapping at once end with one admin', async ({ db, openAnother }) => {
  const other = await openAnother();
  const results = await Promise.all([bootstrapAdmin(db, ''), bootstrapAdmin(other.db, '')]);
  assert.equal((await listUsers(db)).filter((u) => u.admin).length, 1);
  const shown = results.filter((r) => r.token);
  assert.ok(shown.length >= 1);
  // The last token shown is the one that works.
  const working = await Promise.all(
    shown.map(async (r) => (await findUserByToken(db, r.token as string)) !== undefined),
  );
  assert.ok(working.includes(true));
});
