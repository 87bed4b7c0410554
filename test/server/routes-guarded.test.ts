// Every API route the server has — read from the router itself, so a route added later is covered
// without anyone remembering this file — refuses a guest and a signed-in stranger when it names a
// private repository, and never answers them with a 5xx. The few routes meant for anyone are listed
// with the reason; the role-by-role checks of each route are in authz.test.ts and
// builds-authz.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCron } from '../../src/server/store/queries/crons.js';
import { putLog } from '../../src/server/store/queries/logs.js';
import { createSecret } from '../../src/server/store/queries/secrets.js';
import { listStepsOfStage } from '../../src/server/store/queries/steps.js';
import { startTestServer } from './harness.js';
import { aBuild } from './rpc-support.js';

/** `METHOD /full/path` of every route, from fastify's route tree. */
function routeTable(tree: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)(?:[├└]── )?(\S.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    // A child's text continues its parent's: `api/user` + `s` + `/:user` = `/api/users/:user`.
    const depth = (m[1] ?? '').length / 4;
    const url = (depth === 0 ? '' : (stack[depth - 1] ?? '')) + (m[2] ?? '');
    stack[depth] = url;
    for (const method of (m[3] ?? '').split(', ')) {
      if (method !== 'HEAD') out.push({ method, url });
    }
  }
  return out;
}

// Routes anyone may call, and why.
const PUBLIC = new Map<string, string>([
  ['GET /api/public/repos', 'lists public repositories only'],
  ['GET /api/system/login', 'tells the sign-in page which SCM to offer'],
  ['GET /api/badges/:owner/:name/status.svg', 'README badges: the state only, as in Drone'],
]);
// Routes this test cannot call as a guest in one request, and where they are checked instead.
const ELSEWHERE = new Map<string, string>([
  ['GET /api/stream', 'an endless stream of the events a guest may see (stream.test.ts)'],
]);

const values: Record<string, string> = {
  owner: 'acme',
  name: 'secret-app',
  namespace: 'acme',
  number: '1',
  build: '1',
  stage: '1',
  step: '1',
  secret: 's1',
  cron: 'c1',
  member: 'root',
};

test('every API route refuses guests and strangers on a private repository, never with a 5xx', async () => {
  const s = await startTestServer('sqlite');
  try {
    const owner = await s.user('acme');
    const repo = await s.repo({ namespace: 'acme', name: 'secret-app' }, owner);
    const { stages } = await aBuild(s.db, repo, [{ name: 'default' }], { number: 1 });
    const [step] = await listStepsOfStage(s.db, stages[0]?.id as number);
    if (step) await putLog(s.db, step.id, Buffer.from('[]'));
    await createSecret(s.db, { repo_id: repo.id, namespace: 'acme', name: 's1', data: s.box.seal('x') });
    await createSecret(s.db, { repo_id: 0, namespace: 'acme', name: 's1', data: s.box.seal('x') });
    await createCron(s.db, { repo_id: repo.id, name: 'c1', expr: '@hourly', branch: 'main' });
    const stranger = await s.user();

    const routes = routeTable(s.app.printRoutes({ commonPrefix: false })).filter((r) =>
      r.url.startsWith('/api/'),
    );
    assert.ok(routes.length > 60, `the route table was read (${routes.length} routes)`);
    const seen = new Set<string>();
    const failures: string[] = [];
    for (const { method, url } of routes) {
      const key = `${method} ${url}`;
      seen.add(key);
      if (PUBLIC.has(key) || ELSEWHERE.has(key)) continue;
      const path = url.replace(/:(\w+)/g, (_, p: string) => values[p] ?? 'x');
      for (const who of ['guest', 'stranger'] as const) {
        const token = who === 'guest' ? undefined : stranger.token;
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        const res = await s.call(method, path, { token, body });
        // `/api/user…` is the caller's own account: a stranger gets theirs, without the private repo.
        const own = who === 'stranger' && /^\/api\/user(\/|$)/.test(url) && res.status < 300;
        if (own && !res.body.includes('secret-app')) continue;
        if (res.status < 400 || res.status >= 500) {
          failures.push(`${method} ${path} as ${who}: ${res.status} ${res.body.slice(0, 120)}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    for (const key of [...PUBLIC.keys(), ...ELSEWHERE.keys()]) assert.ok(seen.has(key), `${key} exists`);
  } finally {
    await s.close();
  }
});

test('the route table parser reads nested and joined segments', () => {
  const tree = [
    '└── / (GET, HEAD)',
    '    ├── healthz (GET, HEAD)',
    '    ├── api/user (GET, HEAD, PATCH)',
    '    │   ├── /token (POST)',
    '    │   └── s (GET, HEAD, POST)',
    '    │       └── /:user (GET, DELETE)',
    '    └── api/repos (GET)',
  ].join('\n');
  assert.deepEqual(routeTable(tree), [
    { method: 'GET', url: '/' },
    { method: 'GET', url: '/healthz' },
    { method: 'GET', url: '/api/user' },
    { method: 'PATCH', url: '/api/user' },
    { method: 'POST', url: '/api/user/token' },
    { method: 'GET', url: '/api/users' },
    { method: 'POST', url: '/api/users' },
    { method: 'GET', url: '/api/users/:user' },
    { method: 'DELETE', url: '/api/users/:user' },
    { method: 'GET', url: '/api/repos' },
  ]);
});
