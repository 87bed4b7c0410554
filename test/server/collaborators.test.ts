// /collaborators: who has access, as Drone's core.Collaborator.
import assert from 'node:assert/strict';
import { serverTest } from './harness.js';

serverTest('list, find and remove collaborators', async (s) => {
  const owner = await s.user('owner1');
  const repo = await s.repo({}, owner);
  const dev = await s.user('dev1');
  await s.grant(dev, repo, 'write');
  const base = `/api/repos/${repo.slug}/collaborators`;
  const list = await s.call('GET', base, { token: dev.token });
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.json.map((c: { login: string; write: boolean; admin: boolean }) => [c.login, c.write, c.admin]),
    [
      ['owner1', true, true],
      ['dev1', true, false],
    ],
  );
  assert.deepEqual(Object.keys(list.json[0]).sort(), [
    'admin',
    'avatar',
    'created',
    'login',
    'read',
    'repo_uid',
    'synced',
    'updated',
    'user_id',
    'write',
  ]);
  assert.equal((await s.call('GET', `${base}/dev1`, { token: dev.token })).json.login, 'dev1');
  assert.equal((await s.call('GET', `${base}/ghost`, { token: dev.token })).status, 404);
  assert.equal((await s.call('DELETE', `${base}/dev1`, { token: owner.token })).status, 204);
  assert.equal((await s.call('GET', `${base}/dev1`, { token: owner.token })).status, 404);
  assert.equal((await s.call('GET', `/api/repos/${repo.slug}`, { token: dev.token })).status, 404);
});
