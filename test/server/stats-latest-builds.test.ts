// GET …/builds/branches|pulls|deployments (the latest build per branch, pull request, deploy target)
// and their DELETEs: authorization, Drone's build JSON, bad input.
import assert from 'node:assert/strict';
import { createBuild } from '../../src/server/store/queries/builds.js';
import type { Build, Repo } from '../../src/server/store/models.js';
import { indexBuild } from '../../src/server/trigger/latest.js';
import { serverTest, type TestServer } from './harness.js';

async function built(s: TestServer, repo: Repo, fields: Partial<Build>): Promise<Build> {
  const b = await createBuild(s.db, { repo_id: repo.id, after: 'a'.repeat(40), ...fields });
  await indexBuild(s.db, b, 1);
  return b;
}

serverTest('latest builds per branch, pull request and deployment; deletes drop one entry', async (s) => {
  const owner = await s.user();
  const repo = await s.repo({}, owner);
  const base = `/api/repos/${repo.slug}/builds`;
  await built(s, repo, { event: 'push', ref: 'refs/heads/main', target: 'main' });
  const main2 = await built(s, repo, { event: 'push', ref: 'refs/heads/main', target: 'main' });
  const dev = await built(s, repo, { event: 'push', ref: 'refs/heads/feature/x', target: 'feature/x' });
  const pr = await built(s, repo, { event: 'pull_request', ref: 'refs/pull/7/head', target: 'main' });
  const prod = await built(s, repo, { event: 'promote', ref: 'refs/heads/main', deploy_to: 'production' });
  const get = async (what: string) => {
    const res = await s.call('GET', `${base}/${what}`, { token: owner.token });
    assert.equal(res.status, 200);
    return res.json.map((b: { number: number }) => b.number);
  };
  assert.deepEqual(await get('branches'), [dev.number, main2.number]);
  assert.deepEqual(await get('pulls'), [pr.number]);
  assert.deepEqual(await get('deployments'), [prod.number]);
  const one = (await s.call('GET', `${base}/pulls`, { token: owner.token })).json[0];
  for (const key of ['id', 'repo_id', 'number', 'status', 'event', 'ref', 'after', 'created'])
    assert.ok(key in one, key);

  assert.equal((await s.call('DELETE', `${base}/branches/feature/x`, { token: owner.token })).status, 204);
  assert.deepEqual(await get('branches'), [main2.number]);
  assert.equal((await s.call('DELETE', `${base}/pulls/7`, { token: owner.token })).status, 204);
  assert.deepEqual(await get('pulls'), []);
  assert.equal(
    (await s.call('DELETE', `${base}/deployments/production`, { token: owner.token })).status,
    204,
  );
  assert.deepEqual(await get('deployments'), []);
  // The builds themselves stay.
  assert.equal((await s.call('GET', `${base}/${dev.number}`, { token: owner.token })).status, 200);
  // Bad input.
  assert.equal((await s.call('DELETE', `${base}/pulls/abc`, { token: owner.token })).status, 400);
  assert.equal((await s.call('DELETE', `${base}/pulls/0`, { token: owner.token })).status, 400);
  assert.equal((await s.call('DELETE', `${base}/branches/`, { token: owner.token })).status, 400);
});

serverTest('latest builds: anonymous, no access, read, write, admin', async (s) => {
  const repo = await s.repo();
  await built(s, repo, { event: 'push', ref: 'refs/heads/main', target: 'main' });
  const base = `/api/repos/${repo.slug}/builds`;
  const stranger = await s.user();
  const reader = await s.user();
  const writer = await s.user();
  const admin = await s.user();
  await s.grant(reader, repo, 'read');
  await s.grant(writer, repo, 'write');
  await s.grant(admin, repo, 'admin');
  for (const what of ['branches', 'pulls', 'deployments']) {
    assert.equal((await s.call('GET', `${base}/${what}`)).status, 401, what);
    assert.equal((await s.call('GET', `${base}/${what}`, { token: stranger.token })).status, 404, what);
    for (const who of [reader, writer, admin, s.admin])
      assert.equal((await s.call('GET', `${base}/${what}`, { token: who.token })).status, 200, what);
  }
  const deletes = [`${base}/branches/main`, `${base}/pulls/1`, `${base}/deployments/prod`];
  for (const url of deletes) {
    assert.equal((await s.call('DELETE', url)).status, 401, url);
    assert.equal((await s.call('DELETE', url, { token: stranger.token })).status, 404, url);
    assert.equal((await s.call('DELETE', url, { token: reader.token })).status, 404, url);
    for (const who of [writer, admin, s.admin])
      assert.equal((await s.call('DELETE', url, { token: who.token })).status, 204, url);
  }
  assert.equal(
    (await s.call('GET', '/api/repos/nobody/nothing/builds/branches', { token: reader.token })).status,
    404,
  );
});
