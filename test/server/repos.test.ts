// /api/repos: info, settings, enable/disable, chown, repair, the admin listing.
import assert from 'node:assert/strict';
import type { Repo, User } from '../../src/server/store/models.js';
import { createBuild } from '../../src/server/store/queries/builds.js';
import { findPerm } from '../../src/server/store/queries/perms.js';
import { findRepoBySlug, updateRepo } from '../../src/server/store/queries/repos.js';
import { HttpError } from '../../src/server/http/api/errors.js';
import { serverTest } from './harness.js';

serverTest("GET: Drone's repo JSON with permissions; signer and secret never shown", async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  const res = await s.call('GET', `/api/repos/${repo.slug}`, { token: me.token });
  assert.equal(res.status, 200);
  for (const key of [
    'id',
    'uid',
    'user_id',
    'namespace',
    'name',
    'slug',
    'scm',
    'git_http_url',
    'git_ssh_url',
    'link',
    'default_branch',
    'private',
    'visibility',
    'active',
    'config_path',
    'trusted',
    'protected',
    'ignore_forks',
    'ignore_pull_requests',
    'auto_cancel_pull_requests',
    'auto_cancel_pushes',
    'auto_cancel_running',
    'timeout',
    'counter',
    'synced',
    'created',
    'updated',
    'version',
    'archived',
  ]) {
    assert.ok(key in res.json, key);
  }
  assert.deepEqual(res.json.permissions, { read: true, write: true, admin: true });
  assert.equal('signer' in res.json, false);
  assert.equal('secret' in res.json, false);
  assert.ok(!res.body.includes(repo.secret) && !res.body.includes(repo.signer));
});

serverTest('PATCH: repo admins change settings; admin-only fields need a system admin', async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  const url = `/api/repos/${repo.slug}`;
  const ok = await s.call('PATCH', url, {
    token: me.token,
    body: {
      visibility: 'internal',
      config_path: '.ci.yml',
      protected: true,
      auto_cancel_pushes: true,
      ignore_forks: true,
    },
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.visibility, 'internal');
  assert.equal(ok.json.config_path, '.ci.yml');
  assert.equal(ok.json.protected, true);
  assert.equal(ok.json.version, repo.version + 1);

  const denied = await s.call('PATCH', url, { token: me.token, body: { trusted: true, timeout: 90 } });
  assert.equal(denied.status, 403);
  assert.match(denied.json.message, /trusted, timeout/);
  // Sending back the values one read is fine.
  const echoed = await s.call('PATCH', url, {
    token: me.token,
    body: { ...ok.json, permissions: undefined },
  });
  // Unknown and read-only fields are ignored, as Go's JSON decoding does.
  assert.equal(echoed.status, 200);
  assert.equal(echoed.json.id, repo.id);
  const same = await s.call('PATCH', url, {
    token: me.token,
    body: { trusted: false, timeout: repo.timeout },
  });
  assert.equal(same.status, 200);

  const admin = await s.call('PATCH', url, {
    token: s.admin.token,
    body: { trusted: true, timeout: 90, throttle: 2, counter: 41 },
  });
  assert.equal(admin.status, 200);
  assert.deepEqual(
    [admin.json.trusted, admin.json.timeout, admin.json.throttle, admin.json.counter],
    [true, 90, 2, 41],
  );

  assert.equal((await s.call('PATCH', url, { token: me.token, body: { visibility: 'secret' } })).status, 400);
  assert.equal((await s.call('PATCH', url, { token: me.token, body: { protected: 'yes' } })).status, 400);
  assert.equal((await s.call('PATCH', url, { token: s.admin.token, body: { timeout: 0 } })).status, 400);
});

serverTest('PATCH counter cannot go below the last build number', async (s) => {
  const repo = await s.repo();
  await createBuild(s.db, { repo_id: repo.id });
  await createBuild(s.db, { repo_id: repo.id });
  const url = `/api/repos/${repo.slug}`;
  const res = await s.call('PATCH', url, { token: s.admin.token, body: { counter: 1 } });
  assert.equal(res.status, 400);
  assert.match(res.json.message, /last build number \(2\)/);
  assert.equal((await s.call('PATCH', url, { token: s.admin.token, body: { counter: 2 } })).status, 200);
});

serverTest("POST enables: keys, owner, perms; a new repo in one's own namespace is created", async (s) => {
  const calls: string[] = [];
  const me = await s.user('octocat');
  const created = await s.call('POST', '/api/repos/octocat/fresh', {
    token: me.token,
    body: { git_http_url: 'https://git.example.com/octocat/fresh.git', default_branch: 'trunk' },
  });
  assert.equal(created.status, 200);
  assert.equal(created.json.active, true);
  assert.equal(created.json.user_id, me.user.id);
  assert.equal(created.json.default_branch, 'trunk');
  assert.equal(created.json.visibility, 'private');
  const stored = (await findRepoBySlug(s.db, 'octocat/fresh')) as Repo;
  assert.equal(stored.secret.length, 32);
  assert.equal(stored.signer.length, 32);
  assert.notEqual(stored.secret, stored.signer);
  assert.equal((await findPerm(s.db, me.user.id, stored.id))?.admin, true);
  assert.equal(calls.length, 0);

  // Someone else's namespace: not for ordinary users.
  assert.equal((await s.call('POST', '/api/repos/someone/else', { token: me.token })).status, 404);
  assert.equal((await s.call('POST', '/api/repos/someone/else', { token: s.admin.token })).status, 200);
  assert.equal((await s.call('POST', '/api/repos/octocat/bad%20name', { token: me.token })).status, 400);

  // Re-enabling keeps the keys.
  await s.call('DELETE', '/api/repos/octocat/fresh', { token: me.token });
  const again = await s.call('POST', '/api/repos/octocat/fresh', { token: me.token });
  assert.equal(again.json.active, true);
  assert.equal((await findRepoBySlug(s.db, 'octocat/fresh'))?.secret, stored.secret);
});

serverTest(
  'enable, repair and disable call the SCM hooks when wired',
  async (s) => {
    const me = await s.user('hooked');
    await s.call('POST', '/api/repos/hooked/r', { token: me.token });
    await s.call('POST', '/api/repos/hooked/r/repair', { token: me.token });
    await s.call('DELETE', '/api/repos/hooked/r', { token: me.token });
    assert.deepEqual(hookCalls.splice(0), [
      'activate hooked/r hooked',
      'activate hooked/r hooked',
      'deactivate hooked/r hooked',
    ]);
  },
  {
    repoHooks: {
      activate: async (repo: Repo, user: User) => {
        hookCalls.push(`activate ${repo.slug} ${user.login}`);
      },
      deactivate: async (repo: Repo, user: User) => {
        hookCalls.push(`deactivate ${repo.slug} ${user.login}`);
      },
    },
  },
);
const hookCalls: string[] = [];

serverTest('DELETE disables; ?remove=true deletes the repo', async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  const off = await s.call('DELETE', `/api/repos/${repo.slug}`, { token: me.token });
  assert.equal(off.status, 200);
  assert.equal(off.json.active, false);
  assert.equal((await s.call('GET', `/api/repos/${repo.slug}`, { token: me.token })).json.active, false);
  const gone = await s.call('DELETE', `/api/repos/${repo.slug}?remove=true`, { token: me.token });
  assert.equal(gone.status, 200);
  assert.equal((await s.call('GET', `/api/repos/${repo.slug}`, { token: me.token })).status, 404);
});

serverTest('chown makes the caller the owner; repair restores missing keys', async (s) => {
  const owner = await s.user();
  const repo = await s.repo({}, owner);
  const other = await s.user();
  await s.grant(other, repo, 'admin');
  const chown = await s.call('POST', `/api/repos/${repo.slug}/chown`, { token: other.token });
  assert.equal(chown.status, 200);
  assert.equal(chown.json.user_id, other.user.id);

  const current = (await findRepoBySlug(s.db, repo.slug)) as Repo;
  await updateRepo(s.db, { ...current, secret: '', signer: '' });
  const repaired = await s.call('POST', `/api/repos/${repo.slug}/repair`, { token: other.token });
  assert.equal(repaired.status, 200);
  const after = (await findRepoBySlug(s.db, repo.slug)) as Repo;
  assert.equal(after.secret.length, 32);
  assert.equal(after.signer.length, 32);

  const orphan = await s.repo();
  const res = await s.call('POST', `/api/repos/${orphan.slug}/repair`, { token: s.admin.token });
  assert.equal(res.status, 404);
  assert.match(res.json.message, /no owner/);
});

serverTest('GET /api/repos: every repo for admins, paged', async (s) => {
  for (let i = 0; i < 3; i++) await s.repo({ namespace: 'paged', name: `r${i}` });
  const all = await s.call('GET', '/api/repos?per_page=100', { token: s.admin.token });
  assert.deepEqual(
    all.json.map((r: { slug: string }) => r.slug),
    ['paged/r0', 'paged/r1', 'paged/r2'],
  );
  const page2 = await s.call('GET', '/api/repos?page=2&per_page=2', { token: s.admin.token });
  assert.deepEqual(
    page2.json.map((r: { slug: string }) => r.slug),
    ['paged/r2'],
  );
  assert.equal((await s.call('GET', '/api/repos?page=0', { token: s.admin.token })).status, 400);
  assert.equal((await s.call('GET', '/api/repos?per_page=abc', { token: s.admin.token })).status, 400);
});

serverTest('PATCH ignores fields that are not settings (keys, owner, slug, id)', async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  const res = await s.call('PATCH', `/api/repos/${repo.slug}`, {
    token: me.token,
    body: {
      secret: 'x'.repeat(32),
      signer: 'y'.repeat(32),
      user_id: 999,
      slug: 'a/b',
      id: 5,
      active: false,
      '': 1,
    },
  });
  assert.equal(res.status, 200);
  const after = (await findRepoBySlug(s.db, repo.slug)) as Repo;
  assert.deepEqual(
    [after.secret, after.signer, after.user_id, after.slug, after.id, after.active],
    [repo.secret, repo.signer, repo.user_id, repo.slug, repo.id, repo.active],
  );
});

serverTest(
  'a failing SCM hook leaves an enable undone (and no new repo behind)',
  async (s) => {
    const me = await s.user('failing');
    const res = await s.call('POST', '/api/repos/failing/r', { token: me.token });
    assert.equal(res.status, 502);
    assert.equal(res.json.message, 'cannot create the webhook: SCM unreachable');
    assert.equal(await findRepoBySlug(s.db, 'failing/r'), undefined);
    const existing = await s.repo({ namespace: 'failing', name: 'old', active: false }, me);
    assert.equal((await s.call('POST', `/api/repos/${existing.slug}`, { token: me.token })).status, 502);
    assert.equal((await findRepoBySlug(s.db, existing.slug))?.active, false);
  },
  {
    repoHooks: {
      activate: async () => {
        throw new HttpError(502, 'cannot create the webhook: SCM unreachable');
      },
      deactivate: async () => {},
    },
  },
);
