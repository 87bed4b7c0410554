// Every build and log route against every kind of caller: a guest, a signed-in user without
// access, and users with read, write and admin access, plus a system admin (Drone's acl: reading
// needs read, acting write, approving/declining and deleting logs or builds repo admin). Guests
// get 401, signed-in users without enough access 404, as for the other repo routes.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { newHook } from '../../src/server/scm/hook.js';
import { updateBuild } from '../../src/server/store/queries/builds.js';
import { putLog } from '../../src/server/store/queries/logs.js';
import { updateStage } from '../../src/server/store/queries/stages.js';
import { createSteps } from '../../src/server/store/queries/steps.js';
import { triggerBuild } from '../../src/server/trigger/trigger.js';
import { type BuildServer, buildServerTest, type TestUser } from './builds-harness.js';
import { pipeline, pipelines, triggerDeps, type WorkRepo, workRepo } from './trigger-support.js';

type Role = 'guest' | 'stranger' | 'reader' | 'writer' | 'repoAdmin' | 'sysAdmin';
const roles: Role[] = ['guest', 'stranger', 'reader', 'writer', 'repoAdmin', 'sysAdmin'];

interface Route {
  method: string;
  path: string;
  level: 'read' | 'write' | 'admin';
  ok: number;
}

const routes: Route[] = [
  { method: 'GET', path: '/builds', level: 'read', ok: 200 },
  { method: 'GET', path: '/builds/latest', level: 'read', ok: 200 },
  { method: 'GET', path: '/builds/1', level: 'read', ok: 200 },
  { method: 'GET', path: '/builds/1/logs/1/1', level: 'read', ok: 200 },
  { method: 'POST', path: '/builds?branch=main', level: 'write', ok: 200 },
  { method: 'POST', path: '/builds/1', level: 'write', ok: 200 },
  { method: 'DELETE', path: '/builds/1', level: 'write', ok: 200 },
  { method: 'POST', path: '/builds/1/promote?target=production', level: 'write', ok: 200 },
  { method: 'POST', path: '/builds/1/rollback?target=production', level: 'write', ok: 200 },
  { method: 'POST', path: '/builds/2/approve/1', level: 'admin', ok: 204 },
  { method: 'POST', path: '/builds/2/decline/1', level: 'admin', ok: 204 },
  { method: 'POST', path: '/builds/2/decline', level: 'admin', ok: 204 },
  { method: 'DELETE', path: '/builds/1/logs/1/1', level: 'admin', ok: 204 },
  { method: 'DELETE', path: '/builds?before=2', level: 'admin', ok: 204 },
];

function expected(level: Route['level'], role: Role, ok: number): number {
  if (role === 'guest') return 401;
  const rank = { stranger: 0, reader: 1, writer: 2, repoAdmin: 3, sysAdmin: 4 }[role];
  const need = { read: 1, write: 2, admin: 3 }[level];
  return rank >= need ? ok : 404;
}

let work: WorkRepo;
let sha = '';
before(async () => {
  work = await workRepo();
  sha = await work.commit('pipelines', { '.drone.yml': pipelines(pipeline('build')) });
});
after(async () => {
  await work.remove();
});

/** A private repo with build 1 (pending, one step with a log) and build 2 (awaiting approval). */
async function fixture(s: BuildServer, visibility: 'private' | 'public' = 'private') {
  const owner = await s.user();
  const repo = await s.repo(
    { scm: 'local', git_http_url: work.dir, default_branch: 'main', visibility },
    owner,
  );
  const deps = triggerDeps(s.db);
  const hook = newHook({
    event: 'push',
    ref: 'refs/heads/main',
    target: 'main',
    source: 'main',
    after: sha,
    message: 'm',
  });
  const one = await triggerBuild(deps, repo, hook);
  const two = await triggerBuild(deps, repo, hook);
  assert.ok(one.kind === 'created' && two.kind === 'created');
  const [step] = await createSteps(s.db, [
    { stage_id: one.stages[0]?.id ?? 0, number: 1, name: 'clone', status: 'success' },
  ]);
  await putLog(s.db, step?.id ?? 0, Buffer.from('[]'));
  await updateBuild(s.db, { ...two.build, status: 'blocked' });
  await updateStage(s.db, { ...(two.stages[0] ?? one.stages[0]!), status: 'blocked' });
  const users: Record<'stranger' | 'reader' | 'writer' | 'repoAdmin', TestUser> = {
    stranger: await s.user(),
    reader: await s.user(),
    writer: await s.user(),
    repoAdmin: await s.user(),
  };
  await s.grant(users.reader, repo, 'read');
  await s.grant(users.writer, repo, 'write');
  await s.grant(users.repoAdmin, repo, 'admin');
  const token = (role: Role) =>
    role === 'guest' ? undefined : role === 'sysAdmin' ? s.admin.token : users[role].token;
  return { repo, token };
}

buildServerTest('build and log routes: guest, no access, read, write, admin, system admin', async (s) => {
  const failures: string[] = [];
  for (const route of routes) {
    for (const role of roles) {
      const { repo, token } = await fixture(s);
      const res = await s.call(route.method, `/api/repos/${repo.slug}${route.path}`, { token: token(role) });
      const want = expected(route.level, role, route.ok);
      if (res.status !== want)
        failures.push(`${route.method} ${route.path} as ${role}: ${res.status} ${res.body}, want ${want}`);
      if (res.status >= 400) assert.equal(typeof res.json?.message, 'string');
    }
  }
  assert.deepEqual(failures, []);
});

buildServerTest('an unknown repo: 401 for a guest, 404 for anyone signed in', async (s) => {
  const stranger = await s.user();
  for (const route of routes) {
    const url = `/api/repos/nobody/nothing${route.path}`;
    assert.equal((await s.call(route.method, url)).status, 401, url);
    assert.equal((await s.call(route.method, url, { token: stranger.token })).status, 404, url);
  }
});

buildServerTest('public repos: guests read builds and logs, and do nothing else', async (s) => {
  const { repo } = await fixture(s, 'public');
  for (const route of routes) {
    const res = await s.call(route.method, `/api/repos/${repo.slug}${route.path}`);
    assert.equal(res.status, route.level === 'read' ? route.ok : 401, `${route.method} ${route.path}`);
  }
});
