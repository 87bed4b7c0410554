import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../store/db.js';
import { createUser, findUserByLogin, findUserByToken } from '../store/queries/users.js';
import { bootstrapAdmin } from './bootstrap.js';
import { applyUserCreate } from './user-create.js';

test('HANGAR_USER_CREATE makes the account once, then brings it to the given flags', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-user-create-'));
  const store = await openStore(`sqlite:${join(dir, 'hangar.db')}`);
  try {
    const db = store.db;
    const made = await applyUserCreate(db, { login: 'octocat', admin: true, machine: false, token: '' });
    assert.equal(made.created, true);
    assert.equal(made.user.admin, true);
    assert.equal(made.user.token_hash, '');
    // An admin exists, so no `admin` with a generated token is made.
    const boot = await bootstrapAdmin(db, '');
    assert.equal(boot.token, undefined);
    assert.equal(await findUserByLogin(db, 'admin'), undefined);

    const again = await applyUserCreate(db, { login: 'octocat', admin: true, machine: false, token: '' });
    assert.equal(again.created, false);
    assert.equal(again.user.id, made.user.id);

    await createUser(db, { login: 'robot', active: false });
    const token = 'robot-token-0123456789abcdef';
    const robot = await applyUserCreate(db, { login: 'robot', admin: false, machine: true, token });
    assert.equal(robot.created, false);
    assert.equal(robot.user.machine, true);
    assert.equal(robot.user.active, true);
    assert.equal((await findUserByToken(db, token))?.login, 'robot');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
