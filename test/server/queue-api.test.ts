// /api/queue: the incomplete stages for admins, and pause/resume of dispatch kept in the database —
// honoured by another replica and by a restarted server, with held polls answered at resume.
import assert from 'node:assert/strict';
import { findStage } from '../../src/server/store/queries/stages.js';
import { serverTest } from './harness.js';
import { aBuild, aRepo, aUser, dbTest, rpc, startServer, until } from './rpc-support.js';

const filter = { kind: 'pipeline', type: 'docker', os: 'linux', arch: 'amd64', variant: '', kernel: '' };

serverTest(
  '/api/queue: anonymous 401, a user 403 (also with repo admin), a system admin 200/204',
  async (s) => {
    const me = await s.user();
    const repoAdmin = await s.user();
    await s.repo({}, repoAdmin);
    for (const method of ['GET', 'DELETE', 'POST']) {
      assert.equal((await s.call(method, '/api/queue')).status, 401, method);
      assert.equal((await s.call(method, '/api/queue', { token: me.token })).status, 403, method);
      assert.equal((await s.call(method, '/api/queue', { token: repoAdmin.token })).status, 403, method);
    }
    assert.equal((await s.call('GET', '/api/queue', { token: s.admin.token })).status, 200);
    assert.equal((await s.call('DELETE', '/api/queue', { token: s.admin.token })).status, 204);
    assert.equal((await s.call('POST', '/api/queue', { token: s.admin.token })).status, 204);
    assert.equal((await s.call('PUT', '/api/queue', { token: s.admin.token })).status, 404);
  },
);

serverTest('GET /api/queue: pending and running stages, oldest first, as Drone stage JSON', async (s) => {
  const repo = await s.repo();
  const { stages } = await aBuild(s.db, repo, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  const [a, b, c] = stages as [(typeof stages)[0], (typeof stages)[0], (typeof stages)[0]];
  await s.db.updateTable('stages').set({ status: 'running', machine: 'm1' }).where('id', '=', b.id).execute();
  await s.db.updateTable('stages').set({ status: 'success' }).where('id', '=', c.id).execute();
  const res = await s.call('GET', '/api/queue', { token: s.admin.token });
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-hangar-queue-paused'], 'false');
  assert.deepEqual(
    res.json.map((x: { id: number; status: string }) => [x.id, x.status]),
    [
      [a.id, 'pending'],
      [b.id, 'running'],
    ],
  );
  const first = res.json[0];
  for (const key of ['id', 'repo_id', 'build_id', 'number', 'name', 'status', 'os', 'arch', 'created'])
    assert.ok(key in first, key);
  assert.equal(first.repo_id, repo.id);
  assert.equal(res.json[1].machine, 'm1');
  assert.deepEqual((await s.call('GET', '/api/queue/status', { token: s.admin.token })).json, {
    paused: false,
    pending: 1,
    running: 1,
  });
  await s.call('DELETE', '/api/queue', { token: s.admin.token });
  const paused = await s.call('GET', '/api/queue', { token: s.admin.token });
  assert.equal(paused.headers['x-hangar-queue-paused'], 'true');
  assert.equal((await s.call('GET', '/api/queue/status', { token: s.admin.token })).json.paused, true);
});

dbTest(
  'paused: no replica hands out a stage, nor a restarted server; resume answers a held poll',
  async (shared) => {
    const a = await startServer(shared);
    const b = await startServer(shared);
    const admin = await aUser(a.db, undefined, { admin: true });
    const api = (server: { url: string }, method: string) =>
      fetch(`${server.url}/api/queue`, { method, headers: { authorization: `Bearer ${admin.token}` } });
    let c: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      assert.equal((await api(a, 'DELETE')).status, 204);
      const repo = await aRepo(a.db);
      const { stages } = await aBuild(a.db, repo);
      const stage = stages[0]!;
      a.scheduler.schedule();
      // Both replicas hold their polls (400 ms) and answer 204: the stage stays pending.
      const polls = await Promise.all([
        rpc(a, 'POST', '/rpc/v2/stage', filter),
        rpc(b, 'POST', '/rpc/v2/stage', filter),
      ]);
      assert.deepEqual(
        polls.map((p) => p.status),
        [204, 204],
      );
      assert.equal((await findStage(a.db, stage.id))?.machine, '');
      // A restarted server still sees the pause.
      await a.close();
      c = await startServer(shared, { queue: { holdMs: 60_000 } });
      const held = rpc(c, 'POST', '/rpc/v2/stage', filter);
      const early = await Promise.race([held, new Promise((r) => setTimeout(() => r('held'), 300))]);
      assert.equal(early, 'held');
      assert.equal((await findStage(c.db, stage.id))?.status, 'pending');
      // Resuming answers the held poll (its 60 s hold could not); on PostgreSQL from another replica
      // (SQLite servers share no event bus: one replica only).
      assert.equal((await api(shared.dialect === 'postgres' ? b : c, 'POST')).status, 204);
      const got = await held;
      assert.equal(got.status, 200);
      assert.equal(got.json.id, stage.id);
      const after = await api(b, 'GET');
      assert.equal(after.headers.get('x-hangar-queue-paused'), 'false');
      await until(async () => (await api(b, 'GET')).status === 200, 2000, 'queue readable');
    } finally {
      await b.close();
      await c?.close();
      if (c === undefined) await a.close();
    }
  },
);
