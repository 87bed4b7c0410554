// `POST /api/repos/{owner}/{name}/cron/{name}` runs a job now (write access), leaving its
// schedule as it is; and the ticker as part of an app: started with it, firing a due job, stopped
// with it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { createApp, createLogger } from '../../src/server/app.js';
import { readServerConfig } from '../../src/server/config.js';
import { cronTickerPlugin } from '../../src/server/cron/plugin.js';
import { createSecretBox } from '../../src/server/secrets/box.js';
import { openStore } from '../../src/server/store/db.js';
import { listBuilds } from '../../src/server/store/queries/builds.js';
import { findCronByName } from '../../src/server/store/queries/crons.js';
import { buildServerTest } from './builds-harness.js';
import { aCron, cronRepo, cronRepository } from './cron-support.js';
import { localServices, pipeline, type WorkRepo } from './trigger-support.js';

let work: WorkRepo;
let head = '';

before(async () => {
  ({ work, head } = await cronRepository());
});
after(async () => {
  await work.remove();
});

describe('run a cron job now', () => {
  buildServerTest('POST /cron/{name} builds the branch head as the ticker would', async (s) => {
    const owner = await s.user();
    const repo = await s.repo({ scm: 'github', git_http_url: work.dir, default_branch: 'main' }, owner);
    const base = `/api/repos/${repo.slug}/cron`;
    const made = await s.call('POST', base, {
      token: owner.token,
      body: { name: 'Nightly Run', expr: '@daily', branch: 'main' },
    });
    assert.equal(made.status, 200, made.body);
    assert.equal(made.json.name, 'nightly-run');

    const res = await s.call('POST', `${base}/nightly-run`, { token: owner.token });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(
      [res.json.number, res.json.event, res.json.trigger, res.json.cron, res.json.ref, res.json.target],
      [1, 'cron', '@cron', 'nightly-run', 'refs/heads/main', 'main'],
    );
    assert.equal(res.json.after, head);
    assert.deepEqual(
      res.json.stages.map((st: { name: string; status: string }) => [st.name, st.status]),
      [['nightly', 'pending']],
    );
    const info = await s.call('GET', `/api/repos/${repo.slug}/builds/1`, { token: owner.token });
    assert.equal(info.json.cron, 'nightly-run');
    // The schedule is left as it was.
    const cron = (await findCronByName(s.db, repo.id, 'nightly-run'))!;
    assert.deepEqual([cron.version, cron.next, cron.prev], [1, made.json.next, 0]);
    assert.deepEqual(s.status.sent, [], 'cron builds send no status');

    // Who may: write access. Anonymous → 401; read-only → 404 (private repos hide); unknown job → 404.
    const reader = await s.user();
    await s.grant(reader, repo, 'read');
    assert.equal((await s.call('POST', `${base}/nightly-run`)).status, 401);
    assert.equal((await s.call('POST', `${base}/nightly-run`, { token: reader.token })).status, 404);
    const writer = await s.user();
    await s.grant(writer, repo, 'write');
    assert.equal((await s.call('POST', `${base}/nightly-run`, { token: writer.token })).json.number, 2);
    const missing = await s.call('POST', `${base}/nope`, { token: owner.token });
    assert.equal(missing.status, 404);

    // A branch with no head: 404 with the reason, nothing built.
    await aCron(s.db, repo, 'gone', { branch: 'gone' });
    const gone = await s.call('POST', `${base}/gone`, { token: owner.token });
    assert.deepEqual([gone.status, gone.json.message], [404, `cannot find the head of branch gone of ${repo.slug}`]);
    assert.equal((await listBuilds(s.db, repo.id)).length, 2);
  });

  buildServerTest('a job whose commit no pipeline runs for answers null', async (s) => {
    const other = await cronRepository();
    try {
      await other.work.commit('only pushes', { '.drone.yml': pipeline('test', 'trigger:\n  event: [push]') });
      const owner = await s.user();
      const repo = await s.repo({ git_http_url: other.work.dir, default_branch: 'main' }, owner);
      await aCron(s.db, repo, 'nightly');
      const res = await s.call('POST', `/api/repos/${repo.slug}/cron/nightly`, { token: owner.token });
      assert.deepEqual([res.status, res.body], [200, 'null']);
    } finally {
      await other.work.remove();
    }
  });
});

test('an app with the ticker fires a due job once it is ready, and stops with it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-cron-app-'));
  const store = await openStore(`sqlite:${join(dir, 'hangar.db')}`);
  try {
    const { repo } = await cronRepo(store.db, work.dir);
    await aCron(store.db, repo, 'nightly', { next: Math.floor(Date.now() / 1000) - 60 });
    const config = readServerConfig({ HANGAR_DATA: dir, HANGAR_ADDR: '127.0.0.1:0', HANGAR_CRON_INTERVAL: '1s' });
    assert.equal(config.cronIntervalSeconds, 1);
    const app = createApp(
      {
        store,
        config,
        logger: createLogger('silent'),
        clock: { now: () => new Date() },
        box: createSecretBox(randomBytes(32)),
        version: '0.0.0-test',
        scm: localServices(),
      },
      { extraRoutes: [cronTickerPlugin] },
    );
    await app.ready();
    let builds = await listBuilds(store.db, repo.id);
    for (let i = 0; i < 200 && builds.length === 0; i++) {
      await sleep(25);
      builds = await listBuilds(store.db, repo.id);
    }
    await app.close();
    assert.deepEqual(
      builds.map((b) => [b.event, b.cron]),
      [['cron', 'nightly']],
    );
    // Closed: the job is not due again and nothing else fires.
    assert.equal((await listBuilds(store.db, repo.id)).length, 1);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('HANGAR_CRON_DISABLED (or DRONE_CRON_DISABLED) turns the ticker off; intervals take seconds or durations', () => {
  const env = { HANGAR_DATA: '/tmp/x' };
  assert.equal(readServerConfig(env).cronIntervalSeconds, 30);
  assert.equal(readServerConfig({ ...env, HANGAR_CRON_INTERVAL: '45' }).cronIntervalSeconds, 45);
  assert.equal(readServerConfig({ ...env, DRONE_CRON_INTERVAL: '30m' }).cronIntervalSeconds, 1800);
  assert.equal(readServerConfig({ ...env, HANGAR_CRON_DISABLED: 'true' }).cronIntervalSeconds, 0);
  assert.equal(readServerConfig({ ...env, DRONE_CRON_DISABLED: '1' }).cronIntervalSeconds, 0);
  assert.throws(() => readServerConfig({ ...env, HANGAR_CRON_INTERVAL: '0' }), /HANGAR_CRON_INTERVAL/);
  assert.throws(() => readServerConfig({ ...env, HANGAR_CRON_INTERVAL: 'often' }), /HANGAR_CRON_INTERVAL/);
  assert.throws(() => readServerConfig({ ...env, HANGAR_CRON_DISABLED: 'maybe' }), /HANGAR_CRON_DISABLED/);
});
