// Guests (no token) read public repositories as in Drone: the repo, its builds, a build, its logs
// and its event stream; /api/public/repos lists the active public repos so a guest has somewhere
// to start. Private and internal repos stay hidden (401), and guests write nothing.
import assert from 'node:assert/strict';
import { createBuildWithStages } from '../../src/server/store/queries/builds.js';
import { putLog } from '../../src/server/store/queries/logs.js';
import { createSteps } from '../../src/server/store/queries/steps.js';
import { serverTest } from './harness.js';

serverTest('/api/public/repos: active public repos for anyone, newest build with latest=true', async (s) => {
  const owner = await s.user();
  const open = await s.repo({ namespace: 'pub', name: 'open', visibility: 'public', private: false }, owner);
  await s.repo(
    { namespace: 'pub', name: 'asleep', visibility: 'public', private: false, active: false },
    owner,
  );
  await s.repo({ namespace: 'pub', name: 'secret', visibility: 'private' }, owner);
  await s.repo({ namespace: 'pub', name: 'inside', visibility: 'internal', private: true }, owner);
  await createBuildWithStages(s.db, { repo_id: open.id, status: 'success', message: 'first' }, []);
  await createBuildWithStages(s.db, { repo_id: open.id, status: 'running', message: 'second' }, []);

  for (const token of [undefined, owner.token, s.admin.token]) {
    const plain = await s.call('GET', '/api/public/repos', { token });
    assert.equal(plain.status, 200);
    assert.deepEqual(
      plain.json.map((r: { slug: string }) => r.slug),
      ['pub/open'],
    );
    assert.equal(plain.json[0].build, undefined);
    assert.equal('signer' in plain.json[0] || 'secret' in plain.json[0], false);
    const latest = await s.call('GET', '/api/public/repos?latest=true', { token });
    assert.equal(latest.json.length, 1);
    assert.equal(latest.json[0].build.number, 2);
    assert.equal(latest.json[0].build.message, 'second');
  }
});

serverTest('guests read a public repo, its builds, a build and a step log; nothing private', async (s) => {
  const owner = await s.user();
  const pub = await s.repo({ namespace: 'pub', name: 'lib', visibility: 'public', private: false }, owner);
  const priv = await s.repo({ namespace: 'pub', name: 'hidden' }, owner);
  for (const repo of [pub, priv]) {
    const { stages } = await createBuildWithStages(
      s.db,
      { repo_id: repo.id, status: 'success', message: 'm' },
      [{ number: 1, name: 'default', status: 'success' }],
    );
    const [step] = await createSteps(s.db, [{ stage_id: stages[0]!.id, number: 1, name: 'clone' }]);
    await putLog(s.db, step!.id, Buffer.from(JSON.stringify([{ pos: 0, out: 'hello\n', time: 0 }])));
  }
  const reads = ['', '/builds', '/builds/1', '/builds/1/logs/1/1'];
  for (const path of reads) {
    const res = await s.call('GET', `/api/repos/pub/lib${path}`);
    assert.equal(res.status, 200, `guest GET pub/lib${path}: ${res.status}`);
    assert.equal((await s.call('GET', `/api/repos/pub/hidden${path}`)).status, 401, `hidden${path}`);
  }
  const repo = await s.call('GET', '/api/repos/pub/lib');
  assert.equal(repo.json.permissions, undefined, 'a guest is given no permissions');
  const log = await s.call('GET', '/api/repos/pub/lib/builds/1/logs/1/1');
  assert.equal(log.json[0].out, 'hello\n');
  // Guests write nothing, not even on a public repo.
  assert.equal((await s.call('POST', '/api/repos/pub/lib/builds/1')).status, 401);
  assert.equal((await s.call('DELETE', '/api/repos/pub/lib/builds/1')).status, 401);
  assert.equal((await s.call('PATCH', '/api/repos/pub/lib', { body: { protected: true } })).status, 401);
  assert.equal((await s.call('GET', '/api/repos/pub/lib/secrets')).status, 401);
});
