// The application shell: health, version, metrics, error format, body parsing, auth basics.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, type RoutePlugin } from '../../src/server/app.js';
import { sqliteServerTest, startTestServer } from './harness.js';

sqliteServerTest('healthz answers OK when the database does', async (s) => {
  const res = await s.call('GET', '/healthz');
  assert.equal(res.status, 200);
  assert.equal(res.body, 'OK\n');
});

sqliteServerTest("version has Drone's shape", async (s) => {
  const res = await s.call('GET', '/version');
  assert.equal(res.status, 200);
  assert.equal(res.json.version, '0.0.0-test');
  assert.ok('source' in res.json && 'commit' in res.json);
});

sqliteServerTest('metrics: Prometheus text with request counts by route pattern', async (s) => {
  await s.call('GET', '/api/user', { token: s.admin.token });
  const res = await s.call('GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /text\/plain/);
  assert.match(res.body, /hangar_http_requests_total\{method="GET",route="\/api\/user",status="200"\} 1/);
  assert.match(res.body, /hangar_process_cpu_user_seconds_total/);
});

sqliteServerTest('unknown paths are 404 with a JSON message', async (s) => {
  const res = await s.call('GET', '/api/nope');
  assert.equal(res.status, 404);
  assert.deepEqual(res.json, { message: 'Not Found' });
});

sqliteServerTest('guests get 401, tokens in the header or the query authenticate', async (s) => {
  assert.equal((await s.call('GET', '/api/user')).status, 401);
  assert.deepEqual((await s.call('GET', '/api/user')).json, { message: 'Unauthorized' });
  assert.equal((await s.call('GET', '/api/user', { token: 'wrong' })).status, 401);
  const viaHeader = await s.call('GET', '/api/user', { token: s.admin.token });
  assert.equal(viaHeader.status, 200);
  assert.equal(viaHeader.json.login, s.admin.user.login);
  const viaQuery = await s.call('GET', `/api/user?access_token=${s.admin.token}`);
  assert.equal(viaQuery.status, 200);
  assert.equal(viaQuery.json.login, s.admin.user.login);
});

sqliteServerTest("a deactivated user's token no longer works", async (s) => {
  const bob = await s.user(undefined, { active: false });
  assert.equal((await s.call('GET', '/api/user', { token: bob.token })).status, 401);
});

sqliteServerTest('access tokens in URLs are masked in the request log', async (s) => {
  await s.call('GET', `/api/user?access_token=${s.admin.token}`);
  assert.ok(s.logs().includes('access_token=******'));
  assert.ok(!s.logs().includes(s.admin.token));
});

sqliteServerTest('bad JSON is 400 with a message and no stack', async (s) => {
  const res = await s.call('PATCH', '/api/user', { token: s.admin.token, payload: '{"email":' });
  assert.equal(res.status, 400);
  assert.equal(typeof res.json.message, 'string');
  assert.deepEqual(Object.keys(res.json), ['message']);
  assert.ok(!res.body.includes('    at '));
});

sqliteServerTest('a body of the wrong type is 400 naming the field', async (s) => {
  const res = await s.call('PATCH', '/api/user', { token: s.admin.token, body: { email: 42 } });
  assert.equal(res.status, 400);
  assert.match(res.json.message, /email/);
});

sqliteServerTest('form-urlencoded bodies are parsed; JSON sent as a form too', async (s) => {
  const form = await s.call('PATCH', '/api/user', {
    token: s.admin.token,
    payload: 'email=a%40example.com',
    contentType: 'application/x-www-form-urlencoded',
  });
  assert.equal(form.status, 200);
  assert.equal(form.json.email, 'a@example.com');
  const jsonAsForm = await s.call('PATCH', '/api/user', {
    token: s.admin.token,
    payload: '{"email":"b@example.com"}',
    contentType: 'application/x-www-form-urlencoded',
  });
  assert.equal(jsonAsForm.status, 200);
  assert.equal(jsonAsForm.json.email, 'b@example.com');
});

sqliteServerTest('an unsupported content type is 415', async (s) => {
  const res = await s.call('PATCH', '/api/user', {
    token: s.admin.token,
    payload: '<x/>',
    contentType: 'application/xml',
  });
  assert.equal(res.status, 415);
  assert.equal(typeof res.json.message, 'string');
});

sqliteServerTest('an empty JSON body counts as no body', async (s) => {
  const res = await s.call('POST', '/api/user/token', { token: s.admin.token, payload: '' });
  assert.equal(res.status, 200);
});

sqliteServerTest('a body over the limit is 413 with a JSON message', async (s) => {
  const res = await s.call('PATCH', '/api/user', {
    token: s.admin.token,
    payload: JSON.stringify({ email: 'x'.repeat(1024 * 1024 + 10) }),
  });
  assert.equal(res.status, 413);
  assert.equal(typeof res.json.message, 'string');
});

test('a bug is a bare 500: logged once, its message not answered', async () => {
  const boom: RoutePlugin = (app) => {
    app.get('/api/boom', async () => {
      throw new Error('internal detail hunter2');
    });
  };
  const s = await startTestServer('sqlite', { extraRoutes: [boom] });
  try {
    const res = await s.call('GET', '/api/boom');
    assert.equal(res.status, 500);
    assert.deepEqual(res.json, { message: 'Internal Server Error' });
    assert.equal(s.logs().split('request failed').length - 1, 1);
  } finally {
    await s.close();
  }
});

test('extra route modules are registered with the app', async () => {
  const ping: RoutePlugin = (app, ctx) => {
    app.get('/api/ping', async () => ({ version: ctx.version }));
  };
  const s = await startTestServer('sqlite', { extraRoutes: [ping] });
  try {
    assert.deepEqual((await s.call('GET', '/api/ping')).json, { version: '0.0.0-test' });
  } finally {
    await s.close();
  }
});

sqliteServerTest('healthz is 503 when the database is gone', async (s) => {
  await s.store.close();
  const res = await s.call('GET', '/healthz');
  assert.equal(res.status, 503);
  // The harness closes the store again; make that harmless.
  s.store.close = async () => {};
});

test('the logger redacts tokens, secrets and values wherever they appear', () => {
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const log = createLogger('info', sink);
  log.info(
    {
      token: 'T1',
      data: 'D1',
      secret: 'S1',
      repo: { secret: 'S2', signer: 'S3' },
      req: { headers: { authorization: 'Bearer T2', 'x-drone-token': 'T3' } },
      nested: { user: { token_hash: 'H1', oauth_token: 'O1' } },
    },
    'hello',
  );
  for (const leaked of ['T1', 'D1', 'S1', 'S2', 'S3', 'T2', 'T3', 'H1', 'O1']) {
    assert.ok(!out.includes(leaked), `${leaked} in ${out}`);
  }
  assert.match(out, /\*\*\*\*\*\*/);
});
