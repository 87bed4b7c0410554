// Repo and org secrets: values sealed at rest, never answered, never logged, never in errors.
import assert from 'node:assert/strict';
import { findOrgSecret, findRepoSecret } from '../../src/server/store/queries/secrets.js';
import { serverTest } from './harness.js';

const VALUE = 'correct-horse-battery-staple-9f3a';

serverTest('repo secrets: create, list, find, update, delete; the value is only stored sealed', async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  const base = `/api/repos/${repo.slug}/secrets`;
  const created = await s.call('POST', base, {
    token: me.token,
    body: { name: 'docker_password', data: VALUE, pull_request: true },
  });
  assert.equal(created.status, 200);
  assert.deepEqual(Object.keys(created.json).sort(), [
    'id',
    'name',
    'namespace',
    'pull_request',
    'pull_request_push',
    'repo_id',
    'type',
  ]);
  assert.equal(created.json.repo_id, repo.id);
  assert.equal(created.json.pull_request, true);

  const stored = await findRepoSecret(s.db, repo.id, 'docker_password');
  assert.ok(stored);
  assert.ok(!stored.data.toString('latin1').includes(VALUE), 'not stored in the clear');
  assert.equal(stored.data.length, 12 + VALUE.length + 16);
  assert.equal(s.box.open(stored.data).toString('utf8'), VALUE);

  const list = await s.call('GET', base, { token: me.token });
  assert.deepEqual(
    list.json.map((x: { name: string }) => x.name),
    ['docker_password'],
  );
  const one = await s.call('GET', `${base}/docker_password`, { token: me.token });
  assert.equal(one.json.name, 'docker_password');
  assert.equal((await s.call('GET', `${base}/nope`, { token: me.token })).status, 404);

  const patched = await s.call('PATCH', `${base}/docker_password`, {
    token: me.token,
    body: { data: `${VALUE}-2`, pull_request_push: true },
  });
  assert.equal(patched.status, 200);
  assert.equal(patched.json.pull_request, true);
  assert.equal(patched.json.pull_request_push, true);
  const after = await findRepoSecret(s.db, repo.id, 'docker_password');
  assert.equal(s.box.open(after!.data).toString('utf8'), `${VALUE}-2`);
  // Flags alone leave the value as it was.
  await s.call('PATCH', `${base}/docker_password`, { token: me.token, body: { pull_request: false } });
  const flagsOnly = await findRepoSecret(s.db, repo.id, 'docker_password');
  assert.equal(s.box.open(flagsOnly!.data).toString('utf8'), `${VALUE}-2`);

  assert.equal((await s.call('DELETE', `${base}/docker_password`, { token: me.token })).status, 204);
  assert.equal((await s.call('GET', `${base}/docker_password`, { token: me.token })).status, 404);
  assert.equal((await s.call('DELETE', `${base}/docker_password`, { token: me.token })).status, 404);

  for (const text of [s.logs(), list.body, one.body, patched.body, created.body]) {
    assert.ok(!text.includes(VALUE), 'value leaked');
  }
});

serverTest("secret validation: Drone's messages; the value never appears in an error", async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  const base = `/api/repos/${repo.slug}/secrets`;
  const cases: [unknown, number, RegExp][] = [
    [{ name: 'bad name', data: VALUE }, 400, /^Invalid Secret Name$/],
    [{ name: '', data: VALUE }, 400, /^Invalid Secret Name$/],
    [{ name: 'x/y', data: VALUE }, 400, /^Invalid Secret Name$/],
    [{ name: 'ok', data: '' }, 400, /^Invalid Secret Value$/],
    [{ name: 'ok', data: 'x'.repeat(65 * 1024) }, 400, /Invalid Secret Value/],
    [{ name: 'ok' }, 400, /data/],
    [{ name: 'ok', data: 42 }, 400, /data/],
    [{ name: 'ok', data: VALUE, pull_request: 'yes' }, 400, /pull_request/],
  ];
  for (const [body, status, message] of cases) {
    const res = await s.call('POST', base, { token: me.token, body });
    assert.equal(res.status, status, JSON.stringify(body).slice(0, 80));
    assert.match(res.json.message, message);
    assert.ok(!res.body.includes(VALUE));
  }
  await s.call('POST', base, { token: me.token, body: { name: 'a.b-c_D', data: VALUE } });
  const dup = await s.call('POST', base, { token: me.token, body: { name: 'a.b-c_D', data: VALUE } });
  assert.equal(dup.status, 409);
  assert.ok(!dup.body.includes(VALUE));
  const emptied = await s.call('PATCH', `${base}/a.b-c_D`, { token: me.token, body: { data: '' } });
  assert.equal(emptied.status, 400);
  assert.ok(!s.logs().includes(VALUE));
});

serverTest('org secrets: create, list per namespace and all, update by POST or PATCH, delete', async (s) => {
  const t = s.admin.token;
  const created = await s.call('POST', '/api/secrets/acme', {
    token: t,
    body: { name: 'npm_token', data: VALUE },
  });
  assert.equal(created.status, 200);
  assert.equal(created.json.namespace, 'acme');
  assert.equal(created.json.repo_id, 0);
  assert.equal('data' in created.json, false);
  await s.call('POST', '/api/secrets/other', { token: t, body: { name: 'npm_token', data: VALUE } });
  const stored = await findOrgSecret(s.db, 'acme', 'npm_token');
  assert.equal(s.box.open(stored!.data).toString('utf8'), VALUE);

  assert.deepEqual(
    (await s.call('GET', '/api/secrets/acme', { token: t })).json.map((x: { name: string }) => x.name),
    ['npm_token'],
  );
  assert.deepEqual(
    (await s.call('GET', '/api/secrets', { token: t })).json.map((x: { namespace: string }) => x.namespace),
    ['acme', 'other'],
  );
  const viaPost = await s.call('POST', '/api/secrets/acme/npm_token', { token: t, body: { data: 'v2' } });
  assert.equal(viaPost.status, 200);
  assert.equal(s.box.open((await findOrgSecret(s.db, 'acme', 'npm_token'))!.data).toString(), 'v2');
  const viaPatch = await s.call('PATCH', '/api/secrets/acme/npm_token', {
    token: t,
    body: { pull_request: true },
  });
  assert.equal(viaPatch.json.pull_request, true);
  assert.equal((await s.call('GET', '/api/secrets/acme/npm_token', { token: t })).json.pull_request, true);
  assert.equal((await s.call('GET', '/api/secrets/acme/missing', { token: t })).status, 404);
  assert.equal(
    (await s.call('POST', '/api/secrets/acme', { token: t, body: { name: 'npm_token', data: 'x' } })).status,
    409,
  );
  assert.equal((await s.call('DELETE', '/api/secrets/acme/npm_token', { token: t })).status, 204);
  assert.equal((await s.call('GET', '/api/secrets/acme/npm_token', { token: t })).status, 404);
  // The same name in another namespace is a different secret.
  assert.equal((await s.call('GET', '/api/secrets/other/npm_token', { token: t })).status, 200);
  assert.ok(!s.logs().includes(VALUE));
});
