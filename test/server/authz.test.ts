// Every route against every kind of caller: a guest, a signed-in user with no access, and users
// with read, write and admin access to the repo, plus a system admin. Each call gets a fresh repo
// (with a secret, a cron and collaborators) so that destructive routes do not affect the others.
import assert from 'node:assert/strict';
import { createCron } from '../../src/server/store/queries/crons.js';
import { createSecret } from '../../src/server/store/queries/secrets.js';
import { serverTest, type TestServer, type TestUser } from './harness.js';

type Role = 'guest' | 'stranger' | 'reader' | 'writer' | 'repoAdmin' | 'sysAdmin';
const roles: Role[] = ['guest', 'stranger', 'reader', 'writer', 'repoAdmin', 'sysAdmin'];

interface RepoRoute {
  method: string;
  path: string;
  body?: unknown;
  level: 'read' | 'write' | 'admin';
  ok: number;
}

const repoRoutes: RepoRoute[] = [
  { method: 'GET', path: '', level: 'read', ok: 200 },
  { method: 'PATCH', path: '', body: { config_path: '.ci.yml' }, level: 'admin', ok: 200 },
  { method: 'POST', path: '', level: 'admin', ok: 200 },
  { method: 'DELETE', path: '', level: 'admin', ok: 200 },
  { method: 'POST', path: '/chown', level: 'admin', ok: 200 },
  { method: 'POST', path: '/repair', level: 'admin', ok: 200 },
  { method: 'GET', path: '/secrets', level: 'write', ok: 200 },
  { method: 'POST', path: '/secrets', body: { name: 'new', data: 'v' }, level: 'write', ok: 200 },
  { method: 'GET', path: '/secrets/s1', level: 'write', ok: 200 },
  { method: 'PATCH', path: '/secrets/s1', body: { data: 'v2' }, level: 'write', ok: 200 },
  { method: 'DELETE', path: '/secrets/s1', level: 'write', ok: 204 },
  { method: 'GET', path: '/cron', level: 'write', ok: 200 },
  { method: 'POST', path: '/cron', body: { name: 'nightly', expr: '@daily' }, level: 'write', ok: 200 },
  { method: 'GET', path: '/cron/c1', level: 'write', ok: 200 },
  { method: 'PATCH', path: '/cron/c1', body: { disabled: true }, level: 'write', ok: 200 },
  { method: 'DELETE', path: '/cron/c1', level: 'write', ok: 204 },
  { method: 'POST', path: '/sign', body: { data: 'kind: pipeline\n' }, level: 'write', ok: 200 },
  { method: 'POST', path: '/encrypt', body: { data: 'x' }, level: 'write', ok: 200 },
  { method: 'POST', path: '/encrypt/secret', body: { data: 'x' }, level: 'write', ok: 200 },
  { method: 'GET', path: '/collaborators', level: 'read', ok: 200 },
  { method: 'GET', path: '/collaborators/MEMBER', level: 'read', ok: 200 },
  { method: 'DELETE', path: '/collaborators/MEMBER', level: 'admin', ok: 204 },
];

/** Drone's answers by level: guests 401; signed-in users without the access 404. */
function expected(level: RepoRoute['level'], role: Role, ok: number): number {
  if (role === 'guest') return 401;
  const rank = { stranger: 0, reader: 1, writer: 2, repoAdmin: 3, sysAdmin: 4 }[role];
  const need = { read: 1, write: 2, admin: 3 }[level];
  return rank >= need ? ok : 404;
}

async function fixture(s: TestServer) {
  const owner = await s.user();
  const repo = await s.repo({}, owner);
  const users: Record<Exclude<Role, 'guest' | 'sysAdmin'>, TestUser> = {
    stranger: await s.user(),
    reader: await s.user(),
    writer: await s.user(),
    repoAdmin: await s.user(),
  };
  await s.grant(users.reader, repo, 'read');
  await s.grant(users.writer, repo, 'write');
  await s.grant(users.repoAdmin, repo, 'admin');
  const member = await s.user();
  await s.grant(member, repo, 'read');
  await createSecret(s.db, {
    repo_id: repo.id,
    namespace: repo.namespace,
    name: 's1',
    data: s.box.seal('one'),
  });
  await createCron(s.db, { repo_id: repo.id, name: 'c1', expr: '@hourly', branch: 'main' });
  const token = (role: Role) =>
    role === 'guest' ? undefined : role === 'sysAdmin' ? s.admin.token : users[role].token;
  return { repo, token, member };
}

serverTest('repo routes: guest, no access, read, write, admin, system admin', async (s) => {
  const failures: string[] = [];
  for (const route of repoRoutes) {
    for (const role of roles) {
      const { repo, token, member } = await fixture(s);
      const url = `/api/repos/${repo.slug}${route.path.replace('MEMBER', member.user.login)}`;
      const res = await s.call(route.method, url, { token: token(role), body: route.body });
      const want = expected(route.level, role, route.ok);
      if (res.status !== want)
        failures.push(`${route.method} ${route.path || '/'} as ${role}: ${res.status}, want ${want}`);
      if (res.status >= 400) assert.equal(typeof res.json?.message, 'string', `${route.method} ${url}`);
    }
  }
  assert.deepEqual(failures, []);
});

serverTest('an unknown repo: 401 for a guest, 404 for anyone signed in', async (s) => {
  for (const route of repoRoutes) {
    const url = `/api/repos/nobody/nothing${route.path.replace('MEMBER', 'x')}`;
    assert.equal((await s.call(route.method, url, { body: route.body })).status, 401, url);
    const stranger = await s.user();
    // Enabling an unknown repo outside one's own namespace is refused as not found too.
    assert.equal(
      (await s.call(route.method, url, { token: stranger.token, body: route.body })).status,
      404,
      url,
    );
  }
});

serverTest('public repos are readable by guests; internal ones by any signed-in user', async (s) => {
  const pub = await s.repo({ visibility: 'public', private: false });
  const internal = await s.repo({ visibility: 'internal' });
  const stranger = await s.user();
  assert.equal((await s.call('GET', `/api/repos/${pub.slug}`)).status, 200);
  assert.equal((await s.call('GET', `/api/repos/${pub.slug}/collaborators`)).status, 200);
  // Reading is all a guest may do, even on a public repo.
  assert.equal((await s.call('GET', `/api/repos/${pub.slug}/secrets`)).status, 401);
  assert.equal(
    (await s.call('GET', `/api/repos/${pub.slug}/secrets`, { token: stranger.token })).status,
    404,
  );
  assert.equal((await s.call('GET', `/api/repos/${internal.slug}`)).status, 401);
  assert.equal((await s.call('GET', `/api/repos/${internal.slug}`, { token: stranger.token })).status, 200);
});

serverTest('the repo owner is its admin without a perms row', async (s) => {
  const owner = await s.user();
  const repo = await s.repo({ user_id: owner.user.id });
  const res = await s.call('PATCH', `/api/repos/${repo.slug}`, {
    token: owner.token,
    body: { protected: true },
  });
  assert.equal(res.status, 200);
  assert.equal(res.json.protected, true);
});

interface GlobalRoute {
  method: string;
  url: string;
  body?: unknown;
  /** user: any signed-in user; admin: system admins only. */
  level: 'user' | 'admin';
  ok: number;
}

const globalRoutes: GlobalRoute[] = [
  { method: 'GET', url: '/api/user', level: 'user', ok: 200 },
  { method: 'PATCH', url: '/api/user', body: { email: 'x@example.com' }, level: 'user', ok: 200 },
  { method: 'POST', url: '/api/user/token', level: 'user', ok: 200 },
  { method: 'POST', url: '/api/user/token?rotate=true', level: 'user', ok: 200 },
  { method: 'GET', url: '/api/user/repos', level: 'user', ok: 200 },
  { method: 'GET', url: '/api/user/repos?latest=true', level: 'user', ok: 200 },
  { method: 'POST', url: '/api/user/repos', level: 'user', ok: 200 },
  { method: 'GET', url: '/api/user/builds', level: 'user', ok: 200 },
  { method: 'GET', url: '/api/repos', level: 'admin', ok: 200 },
  { method: 'GET', url: '/api/users', level: 'admin', ok: 200 },
  { method: 'POST', url: '/api/users', body: { login: 'NEW' }, level: 'admin', ok: 200 },
  { method: 'GET', url: '/api/users/TARGET', level: 'admin', ok: 200 },
  { method: 'PATCH', url: '/api/users/TARGET', body: { admin: false }, level: 'admin', ok: 200 },
  { method: 'DELETE', url: '/api/users/TARGET', level: 'admin', ok: 204 },
  { method: 'GET', url: '/api/users/TARGET/repos', level: 'admin', ok: 200 },
  { method: 'POST', url: '/api/users/TARGET/token/rotate', level: 'admin', ok: 200 },
  { method: 'GET', url: '/api/secrets', level: 'admin', ok: 200 },
];

serverTest('user and admin routes: guest 401, user 403 where admin is needed', async (s) => {
  const failures: string[] = [];
  let n = 0;
  for (const route of globalRoutes) {
    for (const role of ['guest', 'user', 'admin'] as const) {
      n += 1;
      const target = await s.user();
      // A fresh caller each time: some routes rotate the caller's own token.
      const caller = role === 'guest' ? undefined : await s.user(undefined, { admin: role === 'admin' });
      const token = caller?.token;
      const url = route.url.replace('TARGET', target.user.login);
      const body = route.body && JSON.parse(JSON.stringify(route.body).replace('NEW', `new${n}`));
      const res = await s.call(route.method, url, { token, body });
      const want = role === 'guest' ? 401 : role === 'user' && route.level === 'admin' ? 403 : route.ok;
      if (res.status !== want)
        failures.push(`${route.method} ${route.url} as ${role}: ${res.status}, want ${want}`);
    }
  }
  assert.deepEqual(failures, []);
});

serverTest('org secrets: members read, their own namespace and system admins write', async (s) => {
  const owner = await s.user();
  const repo = await s.repo({ namespace: 'acme' }, owner);
  const reader = await s.user();
  await s.grant(reader, repo, 'read');
  const stranger = await s.user();
  const self = await s.user('acme-bot');
  const create = (token?: string) =>
    s.call('POST', '/api/secrets/acme', {
      token,
      body: { name: `k${Math.random()}`.replace('.', ''), data: 'v' },
    });
  assert.equal((await create()).status, 401);
  assert.equal((await create(stranger.token)).status, 403);
  assert.equal((await create(reader.token)).status, 403);
  assert.equal((await create(s.admin.token)).status, 200);
  assert.equal((await s.call('GET', '/api/secrets/acme', { token: reader.token })).status, 200);
  assert.equal((await s.call('GET', '/api/secrets/acme', { token: stranger.token })).status, 403);
  assert.equal((await s.call('GET', '/api/secrets/acme')).status, 401);
  // A user's own namespace is theirs.
  const mine = await s.call('POST', '/api/secrets/acme-bot', {
    token: self.token,
    body: { name: 'k', data: 'v' },
  });
  assert.equal(mine.status, 200);
  for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
    const body = method === 'POST' || method === 'PATCH' ? { data: 'v2' } : undefined;
    assert.equal(
      (await s.call(method, '/api/secrets/acme-bot/k', { token: stranger.token, body })).status,
      403,
    );
    assert.equal((await s.call(method, '/api/secrets/acme-bot/k', { body })).status, 401);
  }
});
