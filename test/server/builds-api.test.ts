// The builds API over a real store and a real git repository: list and paging, latest, info with
// stages and steps, custom builds (form-encoded, as drone-node sends them), restart, cancel (in the
// database), promote and rollback, approve and decline, step logs, incomplete builds, purge.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { newHook } from '../../src/server/scm/hook.js';
import type { Repo } from '../../src/server/store/models.js';
import { findBuildByNumber, updateBuild } from '../../src/server/store/queries/builds.js';
import { appendLines, putLog } from '../../src/server/store/queries/logs.js';
import { listStagesOfBuild, updateStage } from '../../src/server/store/queries/stages.js';
import { createSteps, listStepsOfStage } from '../../src/server/store/queries/steps.js';
import { triggerBuild } from '../../src/server/trigger/trigger.js';
import { type BuildServer, buildServerTest, type TestUser } from './builds-harness.js';
import { pipeline, pipelines, triggerDeps, type WorkRepo, workRepo } from './trigger-support.js';

let work: WorkRepo;
let sha = '';
let devSha = '';

before(async () => {
  work = await workRepo();
  sha = await work.commit('pipelines', {
    '.drone.yml': pipelines(pipeline('build'), pipeline('deploy', 'depends_on: [build]')),
  });
  devSha = await work.commit('dev work', { 'dev.txt': 'x\n' });
});
after(async () => {
  await work.remove();
});

async function setup(s: BuildServer, fields: Partial<Repo> = {}) {
  const owner = await s.user();
  const repo = await s.repo(
    { scm: 'local', git_http_url: work.dir, default_branch: 'main', ...fields },
    owner,
  );
  return { owner, repo };
}

/** A build made by the trigger, as a webhook would. */
async function hookBuild(s: BuildServer, repo: Repo, ref = 'refs/heads/main', after = sha) {
  const branch = ref.replace(/^refs\/(heads|tags)\//, '');
  const res = await triggerBuild(
    triggerDeps(s.db),
    repo,
    newHook({
      event: ref.startsWith('refs/tags/') ? 'tag' : 'push',
      ref,
      source: branch,
      target: branch,
      after,
      message: 'm',
    }),
  );
  assert.equal(res.kind, 'created');
  if (res.kind !== 'created') throw new Error('no build');
  return res;
}

const api = (repo: Repo, path = '') => `/api/repos/${repo.slug}/builds${path}`;

describe('reading builds', () => {
  buildServerTest(
    'list: newest first, 25 per page by default, per_page 1–100, branch and tag filters',
    async (s) => {
      const { owner, repo } = await setup(s);
      for (let i = 0; i < 28; i++)
        await hookBuild(s, repo, i % 4 === 3 ? 'refs/heads/dev' : 'refs/heads/main');
      await hookBuild(s, repo, 'refs/tags/v1');
      const numbers = async (q: string) =>
        (await s.call('GET', `${api(repo)}${q}`, { token: owner.token })).json.map(
          (b: { number: number }) => b.number,
        );
      const first = await numbers('');
      assert.equal(first.length, 25);
      assert.equal(first[0], 29);
      assert.deepEqual(await numbers('?page=2&per_page=10'), [19, 18, 17, 16, 15, 14, 13, 12, 11, 10]);
      assert.equal((await numbers('?per_page=500')).length, 25, 'Drone falls back to 25');
      assert.equal((await numbers('?per_page=x&page=y')).length, 25);
      assert.deepEqual(await numbers('?branch=dev'), [28, 24, 20, 16, 12, 8, 4]);
      assert.deepEqual(await numbers('?tag=v1'), [29]);
      assert.deepEqual(await numbers('?page=99'), []);
    },
  );

  buildServerTest('latest, info with stages and steps, and 404s', async (s) => {
    const { owner, repo } = await setup(s);
    await hookBuild(s, repo);
    const dev = await hookBuild(s, repo, 'refs/heads/dev', devSha);
    const stage = dev.stages[0];
    assert.ok(stage);
    await createSteps(s.db, [
      {
        stage_id: stage.id,
        number: 1,
        name: 'clone',
        status: 'success',
        image: 'drone/git',
        started: 5,
        stopped: 6,
      },
      { stage_id: stage.id, number: 2, name: 'test', status: 'running', started: 6 },
    ]);
    const latest = await s.call('GET', api(repo, '/latest'), { token: owner.token });
    assert.equal(latest.json.number, 1, 'the default branch by default');
    const ofDev = await s.call('GET', api(repo, '/latest?branch=dev'), { token: owner.token });
    assert.equal(ofDev.json.number, 2);
    assert.equal(
      (await s.call('GET', api(repo, '/latest?ref=refs/heads/dev'), { token: owner.token })).json.number,
      2,
    );
    const none = await s.call('GET', api(repo, '/latest?branch=none'), { token: owner.token });
    assert.deepEqual([none.status, none.json], [404, { message: 'Build not found' }]);

    const info = await s.call('GET', api(repo, '/2'), { token: owner.token });
    assert.equal(info.status, 200);
    assert.equal(info.json.after, devSha);
    const [st1, st2] = info.json.stages;
    assert.deepEqual(
      [st1.name, st1.status, st1.os, st1.arch, st1.kind, st1.type],
      ['build', 'pending', 'linux', 'amd64', 'pipeline', 'docker'],
    );
    assert.deepEqual(st2.depends_on, ['build']);
    assert.deepEqual(
      st1.steps.map((x: { step_id: number; number: number; name: string; status: string }) => [
        x.step_id,
        x.number,
        x.name,
        x.status,
      ]),
      [
        [stage.id, 1, 'clone', 'success'],
        [stage.id, 2, 'test', 'running'],
      ],
    );
    assert.equal(st2.steps, undefined);
    assert.equal((await s.call('GET', api(repo, '/99'), { token: owner.token })).status, 404);
    assert.equal((await s.call('GET', api(repo, '/abc'), { token: owner.token })).status, 400);
  });
});

describe('acting on builds', () => {
  buildServerTest(
    'custom builds: form-encoded like drone-node, parameters, branch head or a commit',
    async (s) => {
      const { owner, repo } = await setup(s);
      const res = await s.call('POST', api(repo), {
        token: owner.token,
        payload: `branch=main&commit=${sha}&GREETING=hello&message=custom%20run`,
        contentType: 'application/x-www-form-urlencoded',
      });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(
        [
          res.json.event,
          res.json.after,
          res.json.before,
          res.json.ref,
          res.json.trigger,
          res.json.sender,
          res.json.message,
        ],
        ['custom', sha, sha, 'refs/heads/main', owner.user.login, owner.user.login, 'custom run'],
      );
      // Drone passes every other key on as a parameter, `message` included.
      assert.deepEqual(res.json.params, { GREETING: 'hello', message: 'custom run' });
      assert.equal(res.json.stages.length, 2);
      const head = await s.call('POST', `${api(repo)}?X=1`, { token: owner.token });
      assert.deepEqual(
        [head.json.after, head.json.message, head.json.params],
        [devSha, 'dev work\n', { X: '1' }],
      );
      const unknown = await s.call('POST', `${api(repo)}?branch=nope`, { token: owner.token });
      assert.deepEqual(
        [unknown.status, unknown.json.message],
        [404, `branch nope not found in ${repo.slug}`],
      );
      const badSha = await s.call('POST', `${api(repo)}?commit=--exec=x`, { token: owner.token });
      assert.equal(badSha.status, 400);
    },
  );

  buildServerTest(
    'restart: a new build of the same commit, parameters merged; not for blocked or declined builds',
    async (s) => {
      const { owner, repo } = await setup(s);
      const first = await hookBuild(s, repo);
      await updateBuild(s.db, { ...first.build, status: 'failure', params: { A: '1', B: '1' } });
      const res = await s.call('POST', `${api(repo, '/1')}?B=2&debug=true`, { token: owner.token });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(
        [
          res.json.number,
          res.json.parent,
          res.json.trigger,
          res.json.event,
          res.json.after,
          res.json.params,
          res.json.debug,
        ],
        [2, 1, owner.user.login, 'push', sha, { A: '1', B: '2' }, true],
      );
      const blocked = await hookBuild(s, repo);
      await updateBuild(s.db, { ...blocked.build, status: 'blocked' });
      const refused = await s.call('POST', api(repo, `/${blocked.build.number}`), { token: owner.token });
      assert.deepEqual([refused.status, refused.json.message], [400, 'cannot start a blocked build']);
    },
  );

  buildServerTest('cancel: the build, its unfinished stages and steps, in the database', async (s) => {
    const { owner, repo } = await setup(s);
    const { build, stages } = await hookBuild(s, repo);
    const [running, waiting] = stages;
    assert.ok(running && waiting);
    await updateBuild(s.db, { ...build, status: 'running', started: 10 });
    await updateStage(s.db, { ...running, status: 'running', started: 10, machine: 'runner-1' });
    await createSteps(s.db, [
      { stage_id: running.id, number: 1, name: 'clone', status: 'success', started: 10, stopped: 11 },
      { stage_id: running.id, number: 2, name: 'test', status: 'running', started: 11 },
      { stage_id: running.id, number: 3, name: 'publish', status: 'pending' },
    ]);
    const res = await s.call('DELETE', api(repo, '/1'), { token: owner.token });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.status, 'killed');
    assert.deepEqual(
      res.json.stages.map((x: { status: string }) => x.status),
      ['killed', 'skipped'],
    );
    const stored = await findBuildByNumber(s.db, repo.id, 1);
    assert.equal(stored?.status, 'killed');
    assert.ok((stored?.finished ?? 0) > 0);
    const storedStages = await listStagesOfBuild(s.db, build.id);
    assert.deepEqual(
      storedStages.map((x) => x.status),
      ['killed', 'skipped'],
    );
    const steps = await listStepsOfStage(s.db, running.id);
    assert.deepEqual(
      steps.map((x) => [x.status, x.exit_code]),
      [
        ['success', 0],
        ['killed', 130],
        ['skipped', 130],
      ],
    );
    assert.deepEqual(
      s.status.sent.at(-1) && [s.status.sent.at(-1)?.state, s.status.sent.at(-1)?.description],
      ['canceled', 'Build was killed'],
    );
    // Cancelling a finished build changes nothing.
    const again = await s.call('DELETE', api(repo, '/1'), { token: owner.token });
    assert.equal(again.json.version, res.json.version);
  });

  buildServerTest('promote and rollback need a target; deploy_to, parent, parameters', async (s) => {
    const { owner, repo } = await setup(s);
    await hookBuild(s, repo);
    const missing = await s.call('POST', api(repo, '/1/promote'), { token: owner.token });
    assert.deepEqual([missing.status, missing.json.message], [400, 'Missing target environment']);
    const promoted = await s.call('POST', api(repo, '/1/promote'), {
      token: owner.token,
      payload: 'target=production&VERSION=1.2',
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(promoted.status, 200, promoted.body);
    assert.deepEqual(
      [promoted.json.event, promoted.json.deploy_to, promoted.json.parent, promoted.json.params],
      ['promote', 'production', 1, { VERSION: '1.2' }],
    );
    assert.equal(s.status.sent.at(-1)?.context, 'continuous-integration/drone/promote/production');
    const rolled = await s.call('POST', `${api(repo, '/1/rollback')}?target=staging`, { token: owner.token });
    assert.deepEqual([rolled.json.event, rolled.json.deploy_to], ['rollback', 'staging']);
  });

  buildServerTest('approve and decline blocked stages', async (s) => {
    const { owner, repo } = await setup(s, { protected: true });
    const { build } = await hookBuild(s, repo);
    assert.equal(build.status, 'blocked');
    const tok = { token: owner.token };
    const wrong = await s.call('POST', api(repo, '/1/approve/9'), tok);
    assert.equal(wrong.status, 404);
    assert.equal((await s.call('POST', api(repo, '/1/approve/2'), tok)).status, 204);
    let info = await s.call('GET', api(repo, '/1'), tok);
    // `deploy` waits for `build`, which still waits for approval.
    assert.deepEqual(
      [info.json.status, info.json.stages.map((x: { status: string }) => x.status)],
      ['blocked', ['blocked', 'waiting_on_dependencies']],
    );
    assert.equal((await s.call('POST', api(repo, '/1/approve/1'), tok)).status, 204);
    info = await s.call('GET', api(repo, '/1'), tok);
    assert.deepEqual(
      [info.json.status, info.json.stages.map((x: { status: string }) => x.status)],
      ['pending', ['pending', 'waiting_on_dependencies']],
    );
    const twice = await s.call('POST', api(repo, '/1/approve/1'), tok);
    assert.deepEqual(
      [twice.status, twice.json.message],
      [400, 'Cannot approve a Pipeline with Status "pending"'],
    );

    await hookBuild(s, repo);
    assert.equal((await s.call('POST', api(repo, '/2/decline/1'), tok)).status, 204);
    info = await s.call('GET', api(repo, '/2'), tok);
    assert.deepEqual(
      [info.json.status, info.json.stages.map((x: { status: string }) => x.status)],
      ['declined', ['declined', 'skipped']],
    );
    const restart = await s.call('POST', api(repo, '/2'), tok);
    assert.deepEqual([restart.status, restart.json.message], [400, 'cannot start a declined build']);
    await hookBuild(s, repo);
    assert.equal((await s.call('POST', api(repo, '/3/decline'), tok)).status, 204);
    assert.equal((await findBuildByNumber(s.db, repo.id, 3))?.status, 'declined');
    // The builds above came from the trigger directly; the API reported these.
    assert.deepEqual(
      s.status.sent.map((x) => x.description),
      ['Build is pending', 'Build was declined', 'Build was declined'],
    );
  });

  buildServerTest('purge deletes the builds below a number', async (s) => {
    const { owner, repo } = await setup(s);
    for (let i = 0; i < 4; i++) await hookBuild(s, repo);
    assert.equal((await s.call('DELETE', `${api(repo)}?before=3`, { token: owner.token })).status, 204);
    const left = await s.call('GET', api(repo), { token: owner.token });
    assert.deepEqual(
      left.json.map((b: { number: number }) => b.number),
      [4, 3],
    );
    assert.equal((await s.call('DELETE', api(repo), { token: owner.token })).status, 400);
  });
});

describe('logs and incomplete builds', () => {
  buildServerTest('logs: the uploaded log, else the live lines; delete purges both', async (s) => {
    const { owner, repo } = await setup(s);
    const { stages } = await hookBuild(s, repo);
    const stage = stages[0];
    assert.ok(stage);
    const [done, live] = await createSteps(s.db, [
      { stage_id: stage.id, number: 1, name: 'clone', status: 'success' },
      { stage_id: stage.id, number: 2, name: 'test', status: 'running' },
    ]);
    assert.ok(done && live);
    const uploaded = JSON.stringify([
      { pos: 0, out: '+ git init\n', time: 0 },
      { pos: 1, out: 'done\n', time: 1 },
    ]);
    await putLog(s.db, done.id, Buffer.from(uploaded));
    await appendLines(s.db, live.id, [
      { pos: 0, out: '+ npm test\n', time: 0 },
      { pos: 1, out: 'ok 1\n', time: 2 },
    ]);
    const tok = { token: owner.token };
    const one = await s.call('GET', api(repo, '/1/logs/1/1'), tok);
    assert.equal(one.status, 200);
    assert.equal(one.body, uploaded);
    const two = await s.call('GET', api(repo, '/1/logs/1/2'), tok);
    assert.deepEqual(two.json, [
      { pos: 0, out: '+ npm test\n', time: 0 },
      { pos: 1, out: 'ok 1\n', time: 2 },
    ]);
    assert.equal((await s.call('GET', api(repo, '/1/logs/1/3'), tok)).status, 404);
    assert.equal((await s.call('GET', api(repo, '/1/logs/2/1'), tok)).status, 404);
    assert.equal((await s.call('DELETE', api(repo, '/1/logs/1/1'), tok)).status, 204);
    assert.equal((await s.call('DELETE', api(repo, '/1/logs/1/2'), tok)).status, 204);
    assert.deepEqual((await s.call('GET', api(repo, '/1/logs/1/1'), tok)).json, []);
    assert.deepEqual((await s.call('GET', api(repo, '/1/logs/1/2'), tok)).json, []);
  });

  buildServerTest(
    'incomplete builds: one repo entry per pending or running build, admins only',
    async (s) => {
      const { repo } = await setup(s);
      const a = await hookBuild(s, repo);
      const b = await hookBuild(s, repo);
      await updateBuild(s.db, { ...a.build, status: 'success' });
      await updateBuild(s.db, { ...b.build, status: 'running' });
      await hookBuild(s, repo);
      const res = await s.call('GET', '/api/builds/incomplete', { token: s.admin.token });
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.json.map((r: { slug: string; build: { number: number; status: string } }) => [
          r.slug,
          r.build.number,
          r.build.status,
        ]),
        [
          [repo.slug, 2, 'running'],
          [repo.slug, 3, 'pending'],
        ],
      );
      assert.equal(res.json[0].signer, undefined);
      const user: TestUser = await s.user();
      assert.equal((await s.call('GET', '/api/builds/incomplete', { token: user.token })).status, 403);
      assert.equal((await s.call('GET', '/api/builds/incomplete')).status, 401);
    },
  );
});
