// Users (tokens stored as hashes), perms, runners, the latest-build index and settings.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ConflictError, DuplicateError } from '../../src/server/store/errors.js';
import { createBuild } from '../../src/server/store/queries/builds.js';
import { deleteLatest, listLatest, upsertLatest } from '../../src/server/store/queries/latest.js';
import { deletePerm, findPerm, listPermsOfRepo, upsertPerm } from '../../src/server/store/queries/perms.js';
import { listReposOfUser } from '../../src/server/store/queries/repos.js';
import {
  deleteRunner,
  findRunner,
  listRunners,
  upsertRunner,
} from '../../src/server/store/queries/runners.js';
import { deleteSetting, getSetting, putSetting } from '../../src/server/store/queries/settings.js';
import {
  createUser,
  deleteUser,
  findUserByLogin,
  findUserByToken,
  hashToken,
  listUsers,
  setUserToken,
  updateUser,
} from '../../src/server/store/queries/users.js';
import { aRepo } from './fixtures.js';
import { storeTest } from './harness.js';

storeTest('API tokens are stored only as sha256 and found by the raw token', async ({ db }) => {
  const alice = await createUser(db, { login: 'alice', admin: true, email: 'a@example.com' });
  const bob = await createUser(db, { login: 'bob', machine: true });
  await assert.rejects(createUser(db, { login: 'alice' }), DuplicateError);
  assert.deepEqual([alice.admin, alice.active, alice.machine, bob.machine], [true, true, false, true]);
  const token = 'tok_0123456789abcdef';
  await setUserToken(db, alice.id, token);
  const stored = await sql<{
    token_hash: string;
  }>`select token_hash from users where id = ${alice.id}`.execute(db);
  assert.equal(stored.rows[0]?.token_hash, hashToken(token));
  assert.match(hashToken(token), /^[0-9a-f]{64}$/);
  assert.equal((await findUserByToken(db, token))?.login, 'alice');
  assert.equal(await findUserByToken(db, 'wrong'), undefined);
  assert.equal(await findUserByToken(db, ''), undefined, 'users without a token never match an empty one');
  await setUserToken(db, alice.id, 'rotated');
  assert.equal(await findUserByToken(db, token), undefined);
  assert.equal((await findUserByToken(db, 'rotated'))?.id, alice.id);
  const renamed = await updateUser(db, {
    ...(await findUserByLogin(db, 'bob'))!,
    active: false,
    avatar: 'x.png',
  });
  assert.deepEqual([renamed.active, renamed.avatar], [false, 'x.png']);
  assert.deepEqual(
    (await listUsers(db)).map((u) => u.login),
    ['alice', 'bob'],
  );
  await deleteUser(db, bob.id);
  await assert.rejects(updateUser(db, renamed), ConflictError);
  await assert.rejects(setUserToken(db, bob.id, 'x'), ConflictError);
});

storeTest('perms decide which repos a user sees', async ({ db }) => {
  const u = await createUser(db, { login: 'carol' });
  const r1 = await aRepo(db);
  const r2 = await aRepo(db);
  await upsertPerm(db, { user_id: u.id, repo_id: r1.id, read: true, write: true, admin: false });
  await upsertPerm(db, { user_id: u.id, repo_id: r2.id, read: false, write: false, admin: false });
  assert.deepEqual(
    (await listReposOfUser(db, u.id)).map((r) => r.id),
    [r1.id],
  );
  const updated = await upsertPerm(db, {
    user_id: u.id,
    repo_id: r2.id,
    read: true,
    write: true,
    admin: true,
  });
  assert.deepEqual([updated.read, updated.write, updated.admin], [true, true, true]);
  assert.equal((await findPerm(db, u.id, r2.id))?.admin, true);
  assert.deepEqual(
    (await listPermsOfRepo(db, r1.id)).map((p) => p.user_id),
    [u.id],
  );
  await deletePerm(db, u.id, r1.id);
  assert.equal(await findPerm(db, u.id, r1.id), undefined);
});

storeTest('runners are recorded on contact and refreshed after', async ({ db }) => {
  const first = await upsertRunner(db, {
    name: 'box-1',
    kind: 'pipeline',
    type: 'docker',
    labels: { gpu: 'yes' },
    last_seen: 10,
  });
  const again = await upsertRunner(db, {
    name: 'box-1',
    kind: 'pipeline',
    type: 'docker',
    capacity: 4,
    last_seen: 20,
  });
  assert.equal(again.id, first.id);
  assert.deepEqual(
    [again.capacity, again.last_seen, again.created, again.labels],
    [4, 20, first.created, {}],
  );
  await upsertRunner(db, { name: 'a-box' });
  assert.deepEqual(
    (await listRunners(db)).map((r) => r.name),
    ['a-box', 'box-1'],
  );
  await deleteRunner(db, 'box-1');
  assert.equal(await findRunner(db, 'box-1'), undefined);
});

storeTest('the latest build per branch is an upsertable index', async ({ db }) => {
  const repo = await aRepo(db);
  const b1 = await createBuild(db, { repo_id: repo.id });
  const b2 = await createBuild(db, { repo_id: repo.id });
  await upsertLatest(db, { repo_id: repo.id, type: 'branch', name: 'main', build_id: b1.id }, 1);
  await upsertLatest(db, { repo_id: repo.id, type: 'branch', name: 'main', build_id: b2.id }, 2);
  await upsertLatest(db, { repo_id: repo.id, type: 'branch', name: 'dev', build_id: b1.id }, 3);
  await upsertLatest(db, { repo_id: repo.id, type: 'pull_request', name: '7', build_id: b1.id }, 4);
  assert.deepEqual(await listLatest(db, repo.id, 'branch'), [
    { repo_id: repo.id, type: 'branch', name: 'dev', build_id: b1.id, created: 3, updated: 3 },
    { repo_id: repo.id, type: 'branch', name: 'main', build_id: b2.id, created: 1, updated: 2 },
  ]);
  await deleteLatest(db, repo.id, 'branch', 'dev');
  assert.deepEqual(
    (await listLatest(db, repo.id, 'branch')).map((l) => l.name),
    ['main'],
  );
});

storeTest('settings are shared values', async ({ db, openAnother }) => {
  assert.equal(await getSetting(db, 'queue.paused'), undefined);
  await putSetting(db, 'queue.paused', 'true');
  assert.equal(await getSetting((await openAnother()).db, 'queue.paused'), 'true');
  await putSetting(db, 'queue.paused', 'false');
  assert.equal(await getSetting(db, 'queue.paused'), 'false');
  await deleteSetting(db, 'queue.paused');
  assert.equal(await getSetting(db, 'queue.paused'), undefined);
});
