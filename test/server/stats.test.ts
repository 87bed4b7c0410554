// GET /api/system/stats: Drone's counters, for system admins only.
import assert from 'node:assert/strict';
import { createBuildWithStages } from '../../src/server/store/queries/builds.js';
import { serverTest } from './harness.js';

serverTest('GET /api/system/stats: anonymous 401, a user 403, an admin the counts', async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  await s.repo({ active: false });
  assert.equal((await s.call('GET', '/api/system/stats')).status, 401);
  assert.equal((await s.call('GET', '/api/system/stats', { token: me.token })).status, 403);
  const base = { repo_id: repo.id, event: 'push' as const, ref: 'refs/heads/main', after: 'a'.repeat(40) };
  await createBuildWithStages(s.db, { ...base, status: 'pending' }, [{ name: 'a' }, { name: 'b' }]);
  await createBuildWithStages(s.db, { ...base, status: 'running' }, [{ name: 'a', status: 'running' }]);
  await createBuildWithStages(s.db, { ...base, status: 'success' }, [{ name: 'a', status: 'success' }]);
  const res = await s.call('GET', '/api/system/stats', { token: s.admin.token });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, {
    users: { total: 2 },
    repos: { active: 1 },
    builds: { pending: 1, running: 1, total: 3 },
    pipelines: { watchers: 0, pending: 2, running: 1 },
  });
});
