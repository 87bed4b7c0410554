// GET /api/runners: the runners the RPC layer recorded on poll and accept, with the stages they hold.
import assert from 'node:assert/strict';
import { serverTest } from './harness.js';
import { aBuild, aRepo, aUser, dbTest, rpc, startServer, until } from './rpc-support.js';

const filter = {
  kind: 'pipeline',
  type: 'docker',
  os: 'linux',
  arch: 'arm64',
  variant: '',
  kernel: '',
  labels: { gpu: 'yes' },
};

serverTest('/api/runners: anonymous 401, a user 403 (also a repo admin), a system admin 200', async (s) => {
  const me = await s.user();
  const repoAdmin = await s.user();
  await s.repo({}, repoAdmin);
  assert.equal((await s.call('GET', '/api/runners')).status, 401);
  assert.equal((await s.call('GET', '/api/runners', { token: me.token })).status, 403);
  assert.equal((await s.call('GET', '/api/runners', { token: repoAdmin.token })).status, 403);
  const res = await s.call('GET', '/api/runners', { token: s.admin.token });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, []);
  assert.equal((await s.call('DELETE', '/api/runners', { token: s.admin.token })).status, 404);
});

dbTest(
  'GET /api/runners: a polling runner by its ?machine= name, its platform, labels and running stage',
  async (shared) => {
    const server = await startServer(shared);
    try {
      const admin = await aUser(server.db, undefined, { admin: true });
      const list = async () => {
        const res = await fetch(`${server.url}/api/runners`, {
          headers: { authorization: `Bearer ${admin.token}` },
        });
        assert.equal(res.status, 200);
        return (await res.json()) as Array<Record<string, unknown>>;
      };
      const repo = await aRepo(server.db);
      const { build, stages } = await aBuild(server.db, repo, [
        { name: 'gpu', arch: 'arm64', labels: { gpu: 'yes' } },
      ]);
      const before = Math.floor(Date.now() / 1000);
      const poll = await rpc(server, 'POST', '/rpc/v2/stage?machine=builder-1', filter);
      assert.equal(poll.status, 200);
      const accepted = await rpc(server, 'POST', `/rpc/v2/stage/${stages[0]!.id}?machine=builder-1`);
      assert.equal(accepted.status, 200);
      await rpc(server, 'PUT', `/rpc/v2/stage/${stages[0]!.id}`, {
        ...accepted.json,
        status: 'running',
        started: before,
      });
      const runners = await until(
        async () => {
          const r = await list();
          return r.length === 1 && (r[0]!.stages as unknown[]).length === 1 ? r : undefined;
        },
        5000,
        'runner listed with its stage',
      );
      const r = runners[0]!;
      assert.equal(r.name, 'builder-1');
      assert.equal(r.os, 'linux');
      assert.equal(r.arch, 'arm64');
      assert.equal(r.type, 'docker');
      assert.deepEqual(r.labels, { gpu: 'yes' });
      assert.ok((r.last_seen as number) >= before - 1);
      const held = (r.stages as Array<Record<string, unknown>>)[0]!;
      assert.equal(held.id, stages[0]!.id);
      assert.equal(held.repo, repo.slug);
      assert.equal(held.build, build.number);
      assert.equal(held.name, 'gpu');
      assert.ok(held.status === 'pending' || held.status === 'running');
    } finally {
      await server.close();
    }
  },
);
