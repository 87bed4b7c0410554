// Malformed and random requests (fast-check, bounded): every answer is a 2xx or a 4xx with a JSON
// message, never a 5xx; the server keeps answering; and a refused request changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { startTestServer, type TestServer } from './harness.js';

let s: TestServer;
let repoSlug: string;

before(async () => {
  s = await startTestServer();
  const repo = await s.repo({ namespace: 'fz', name: 'repo' }, s.admin);
  repoSlug = repo.slug;
  await s.call('POST', `/api/repos/${repoSlug}/secrets`, {
    token: s.admin.token,
    body: { name: 's1', data: 'v' },
  });
  await s.call('POST', `/api/repos/${repoSlug}/cron`, {
    token: s.admin.token,
    body: { name: 'c1', expr: '@daily' },
  });
  await s.call('POST', '/api/secrets/fz', { token: s.admin.token, body: { name: 'o1', data: 'v' } });
});
after(async () => {
  await s.close();
});

/** Everything a request could have written, in a comparable form. */
async function snapshot(): Promise<string> {
  const tables = ['users', 'repos', 'perms', 'secrets', 'crons'] as const;
  const out: Record<string, unknown> = {};
  for (const t of tables) {
    out[t] = await s.db.selectFrom(t).selectAll().execute();
  }
  return JSON.stringify(out, (_k, v) =>
    v && v.type === 'Buffer' ? Buffer.from(v.data).toString('base64') : v,
  );
}

const routes = (): [string, string][] => [
  ['PATCH', '/api/user'],
  ['POST', '/api/users'],
  ['PATCH', `/api/users/${s.admin.user.login}`],
  ['PATCH', `/api/repos/${repoSlug}`],
  ['POST', `/api/repos/${repoSlug}`],
  ['POST', '/api/repos/fz/other'],
  ['POST', `/api/repos/${repoSlug}/secrets`],
  ['PATCH', `/api/repos/${repoSlug}/secrets/s1`],
  ['POST', `/api/repos/${repoSlug}/cron`],
  ['PATCH', `/api/repos/${repoSlug}/cron/c1`],
  ['POST', `/api/repos/${repoSlug}/sign`],
  ['POST', `/api/repos/${repoSlug}/encrypt`],
  ['POST', '/api/secrets/fz'],
  ['POST', '/api/secrets/fz/o1'],
  ['PATCH', '/api/secrets/fz/o1'],
];

// Keys the routes know, so random bodies often reach the handlers rather than stopping at the schema.
const knownKeys = [
  'name',
  'data',
  'expr',
  'branch',
  'target',
  'disabled',
  'login',
  'email',
  'admin',
  'active',
  'machine',
  'token',
  'visibility',
  'config_path',
  'trusted',
  'timeout',
  'throttle',
  'counter',
  'protected',
  'pull_request',
  'pull_request_push',
  '__proto__',
  'constructor',
];

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', ' ', '@daily', '* * * * *', 'public', 'a/b', '..', '\u0000', 'é', '0'.repeat(300)),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...knownKeys), value, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '{',
    '{"name":',
    '[]',
    'null',
    '""',
    '{"__proto__":{"admin":true}}',
    '\u0000',
    '{}'.repeat(50),
  ),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/octet-stream',
);

async function checkAnswer(method: string, url: string, payload: string, type: string): Promise<void> {
  const beforeState = await snapshot();
  const res = await s.call(method, url, { token: s.admin.token, payload, contentType: type });
  assert.ok(
    res.status < 500,
    `${method} ${url} ${type} ${JSON.stringify(payload).slice(0, 200)} → ${res.status} ${res.body}`,
  );
  if (res.status >= 400) {
    assert.equal(typeof res.json?.message, 'string', res.body);
    assert.ok(!res.body.includes('    at '), 'stack trace in answer');
    assert.equal(await snapshot(), beforeState, `${method} ${url} refused but changed the store`);
  }
}

test('random bodies on every writing route: 2xx or 4xx, and a 4xx writes nothing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: 14 }), body, contentType, async (i, payload, type) => {
      const [method, url] = routes()[i % routes().length] as [string, string];
      // The admin's own token must survive: never let a random PATCH deactivate the caller.
      if (url.startsWith('/api/users/') && /"active"|"admin"/.test(payload)) return;
      await checkAnswer(method, url, payload, type);
    }),
    { numRuns: 400, seed: 4242 },
  );
  assert.equal((await s.call('GET', '/healthz')).status, 200);
});

test('random path segments: 4xx, never 5xx', async () => {
  const segment = fc.oneof(
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.constantFrom('%00', '%2F', '..', '.', '%', 'a'.repeat(600), 'é', '%E0%A4%A'),
  );
  await fc.assert(
    fc.asyncProperty(
      segment,
      segment,
      segment,
      fc.constantFrom('', '/secrets/', '/cron/', '/collaborators/'),
      fc.constantFrom('GET', 'DELETE', 'PATCH'),
      async (a, b, c, kind, method) => {
        const enc = (x: string) => (/%/.test(x) ? x : encodeURIComponent(x));
        const url = `/api/repos/${enc(a)}/${enc(b)}${kind}${kind ? enc(c) : ''}`;
        const res = await s.call(method, url, {
          token: s.admin.token,
          body: method === 'PATCH' ? {} : undefined,
        });
        assert.ok(res.status < 500, `${method} ${url} → ${res.status} ${res.body}`);
      },
    ),
    { numRuns: 200, seed: 7 },
  );
  assert.equal((await s.call('GET', '/healthz')).status, 200);
});

test('hostile query strings and headers: 4xx or 2xx, never 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('/api/repos', '/api/user/repos', '/api/user/token', '/api/users'),
      fc.string({ maxLength: 100 }),
      async (query, path, auth) => {
        const url = `${path}?${query}`;
        const headers: Record<string, string> = {};
        // Only header-safe characters can be sent at all.
        if (/^[\x20-\x7e]*$/.test(auth)) headers.authorization = auth;
        const res = await s.call('GET', url, { headers });
        assert.ok(res.status < 500, `${url} → ${res.status} ${res.body}`);
      },
    ),
    { numRuns: 200, seed: 11 },
  );
});
