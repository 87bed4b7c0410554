// /api/user and /api/users: the JSON Drone clients read, token handling, admin operations.
import assert from 'node:assert/strict';
import { createBuild } from '../../src/server/store/queries/builds.js';
import { findUserByLogin, hashToken } from '../../src/server/store/queries/users.js';
import { serverTest } from './harness.js';

const userKeys = [
  'id',
  'login',
  'email',
  'machine',
  'admin',
  'active',
  'avatar',
  'syncing',
  'synced',
  'created',
  'updated',
  'last_login',
];

serverTest("GET /api/user: Drone's fields, no token or hash", async (s) => {
  const res = await s.call('GET', '/api/user', { token: s.admin.token });
  assert.deepEqual(Object.keys(res.json).sort(), [...userKeys].sort());
  assert.ok(!res.body.includes(s.admin.token));
  assert.ok(!res.body.includes(hashToken(s.admin.token)));
});

serverTest('PATCH /api/user changes the email only', async (s) => {
  const me = await s.user();
  const res = await s.call('PATCH', '/api/user', {
    token: me.token,
    body: { email: 'me@example.com', admin: true },
  });
  assert.equal(res.status, 200);
  assert.equal(res.json.email, 'me@example.com');
  assert.equal(res.json.admin, false);
});

serverTest('POST /api/user/token: the current token, or a new one with rotate=true', async (s) => {
  const me = await s.user();
  const same = await s.call('POST', '/api/user/token', { token: me.token });
  assert.equal(same.status, 200);
  assert.equal(same.json.token, me.token);
  assert.equal(same.json.login, me.user.login);
  const rotated = await s.call('POST', '/api/user/token?rotate=true', { token: me.token });
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.json.token, me.token);
  assert.equal((await s.call('GET', '/api/user', { token: me.token })).status, 401);
  assert.equal((await s.call('GET', '/api/user', { token: rotated.json.token })).status, 200);
  // The new token is stored only as a hash.
  const stored = await findUserByLogin(s.db, me.user.login);
  assert.ok(stored && stored.token_hash !== rotated.json.token && stored.token_hash.length === 64);
});

serverTest('GET /api/user/repos: owned and permitted repos; latest=true adds the newest build', async (s) => {
  const me = await s.user();
  const owned = await s.repo({ name: 'b-owned' }, me);
  const shared = await s.repo({ name: 'a-shared' });
  await s.grant(me, shared, 'read');
  await s.repo({ name: 'c-other' });
  await createBuild(s.db, { repo_id: owned.id, event: 'push' });
  const second = await createBuild(s.db, { repo_id: owned.id, event: 'push' });
  const plain = await s.call('GET', '/api/user/repos', { token: me.token });
  assert.deepEqual(
    plain.json.map((r: { slug: string }) => r.slug),
    [shared.slug, owned.slug],
  );
  assert.ok(plain.json.every((r: object) => !('build' in r) && !('secret' in r) && !('signer' in r)));
  const latest = await s.call('GET', '/api/user/repos?latest=true', { token: me.token });
  const byslug = new Map(latest.json.map((r: { slug: string }) => [r.slug, r]));
  assert.equal((byslug.get(owned.slug) as { build: { number: number } }).build.number, second.number);
  assert.equal('build' in (byslug.get(shared.slug) as object), false);
});

serverTest("GET /api/user/builds: newest builds of the user's repos, each with its repo", async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  const other = await s.repo();
  await createBuild(s.db, { repo_id: repo.id, event: 'push', message: 'one' });
  await createBuild(s.db, { repo_id: other.id, event: 'push', message: 'not mine' });
  await createBuild(s.db, { repo_id: repo.id, event: 'push', message: 'two' });
  const res = await s.call('GET', '/api/user/builds', { token: me.token });
  assert.equal(res.status, 200);
  assert.deepEqual(
    res.json.map((r: { slug: string; build: { message: string } }) => [r.slug, r.build.message]),
    [
      [repo.slug, 'two'],
      [repo.slug, 'one'],
    ],
  );
  const empty = await s.user();
  assert.deepEqual((await s.call('GET', '/api/user/builds', { token: empty.token })).json, []);
});

serverTest('/api/users: create (with token), find, update, rotate, delete', async (s) => {
  const t = s.admin.token;
  const created = await s.call('POST', '/api/users', { token: t, body: { login: 'octobot', machine: true } });
  assert.equal(created.status, 200);
  assert.equal(created.json.login, 'octobot');
  assert.equal(created.json.machine, true);
  assert.equal(created.json.active, true);
  assert.equal(typeof created.json.token, 'string');
  assert.equal((await s.call('GET', '/api/user', { token: created.json.token })).json.login, 'octobot');

  const given = await s.call('POST', '/api/users', {
    token: t,
    body: { login: 'given', token: 'a-chosen-token-0123456789' },
  });
  assert.equal(given.json.token, 'a-chosen-token-0123456789');
  assert.equal(
    (await s.call('GET', '/api/user', { token: 'a-chosen-token-0123456789' })).json.login,
    'given',
  );

  assert.equal((await s.call('POST', '/api/users', { token: t, body: { login: 'octobot' } })).status, 409);
  const badChar = await s.call('POST', '/api/users', { token: t, body: { login: 'a b' } });
  assert.deepEqual([badChar.status, badChar.json.message], [400, 'Invalid character in username']);
  const badLen = await s.call('POST', '/api/users', { token: t, body: { login: '' } });
  assert.deepEqual([badLen.status, badLen.json.message], [400, 'Invalid username length']);
  assert.equal((await s.call('POST', '/api/users', { token: t, body: {} })).status, 400);

  const list = await s.call('GET', '/api/users', { token: t });
  assert.ok(list.json.some((u: { login: string }) => u.login === 'octobot'));
  assert.ok(list.json.every((u: object) => !('token' in u)));
  assert.equal((await s.call('GET', '/api/users/octobot', { token: t })).json.login, 'octobot');
  assert.equal((await s.call('GET', '/api/users/nobody', { token: t })).status, 404);

  const promoted = await s.call('PATCH', '/api/users/octobot', { token: t, body: { admin: true } });
  assert.equal(promoted.json.admin, true);
  const deactivated = await s.call('PATCH', '/api/users/octobot', { token: t, body: { active: false } });
  assert.deepEqual([deactivated.json.active, deactivated.json.admin], [false, false]);
  assert.equal((await s.call('GET', '/api/user', { token: created.json.token })).status, 401);
  await s.call('PATCH', '/api/users/octobot', { token: t, body: { active: true } });

  const rotated = await s.call('POST', '/api/users/octobot/token/rotate', { token: t });
  assert.equal(rotated.status, 200);
  assert.equal(rotated.json.message, 'Token rotated successfully.');
  assert.equal((await s.call('GET', '/api/user', { token: created.json.token })).status, 401);
  assert.equal((await s.call('GET', '/api/user', { token: rotated.json.token })).status, 200);

  const repo = await s.repo(
    {},
    { user: (await findUserByLogin(s.db, 'octobot'))!, token: rotated.json.token },
  );
  const repos = await s.call('GET', '/api/users/octobot/repos', { token: t });
  assert.deepEqual(
    repos.json.map((r: { slug: string }) => r.slug),
    [repo.slug],
  );

  assert.equal((await s.call('DELETE', '/api/users/octobot', { token: t })).status, 204);
  assert.equal((await s.call('GET', '/api/users/octobot', { token: t })).status, 404);
  assert.equal((await s.call('DELETE', '/api/users/octobot', { token: t })).status, 404);
});
