// The queue through the RPC: long poll and hand-off, the accept race, Drone's matching rules and the
// subset label mode, concurrency limits and repo throttles, fairness across repos, leases (renewed
// by a runner's traffic; expired ones re-queued or failed), cancels between and during watch polls,
// and downstream stages skipped or released by trigger.status.
import assert from 'node:assert/strict';
import type { Stage } from '../../src/server/store/models.js';
import { findBuild } from '../../src/server/store/queries/builds.js';
import { findStage, listStagesOfBuild, updateStage } from '../../src/server/store/queries/stages.js';
import { listStepsOfStage } from '../../src/server/store/queries/steps.js';
import { cancelBuild } from '../../src/server/trigger/cancel.js';
import { aBuild, aRepo, dbTest, type RpcServer, rpc, startServer, until } from './rpc-support.js';

const linux = { kind: 'pipeline', type: 'docker', os: 'linux', arch: 'amd64', variant: '', kernel: '' };

/** Polls, and accepts what it gets. */
async function take(
  server: RpcServer,
  filter: object = linux,
  machine = 'runner',
): Promise<Stage | undefined> {
  const got = await rpc(server, 'POST', '/rpc/v2/stage', filter);
  if (got.status === 204) return undefined;
  assert.equal(got.status, 200, got.text);
  const acc = await rpc(server, 'POST', `/rpc/v2/stage/${got.json.id}?machine=${machine}`);
  assert.equal(acc.status, 200, acc.text);
  return acc.json as Stage;
}

/** Reports a stage running with one step, then (unless `end` is undefined) finished as `end`. */
async function run(server: RpcServer, stage: Stage, end?: string): Promise<Stage> {
  const started = await rpc(server, 'PUT', `/rpc/v2/stage/${stage.id}`, {
    ...stage,
    status: 'running',
    started: 1,
    steps: [{ step_id: stage.id, number: 1, name: 'step', status: 'running', started: 1 }],
  });
  assert.equal(started.status, 200, started.text);
  if (end === undefined) return started.json;
  const ended = await rpc(server, 'PUT', `/rpc/v2/stage/${stage.id}`, {
    ...started.json,
    status: end,
    stopped: 2,
    steps: started.json.steps.map((s: object) => ({ ...s, status: end, stopped: 2 })),
  });
  assert.equal(ended.status, 200, ended.text);
  return ended.json;
}

dbTest('two concurrent accepts of one stage: one 200, one 409', async (shared) => {
  const server = await startServer(shared);
  try {
    const repo = await aRepo(server.db);
    const { stages } = await aBuild(server.db, repo);
    const answers = await Promise.all(
      ['a', 'b', 'c', 'd'].map((m) => rpc(server, 'POST', `/rpc/v2/stage/${stages[0]!.id}?machine=${m}`)),
    );
    assert.deepEqual(answers.map((x) => x.status).sort(), [200, 409, 409, 409]);
    // A late accept of a stage that is no longer pending is refused as well.
    await cancelBuild(server.db, stages[0]!.build_id, 'killed', 1);
    const { stages: other } = await aBuild(server.db, repo);
    await cancelBuild(server.db, other[0]!.build_id, 'killed', 1);
    assert.equal((await findStage(server.db, other[0]!.id))?.status, 'skipped');
    assert.equal((await rpc(server, 'POST', `/rpc/v2/stage/${other[0]!.id}?machine=late`)).status, 409);
    assert.equal((await rpc(server, 'POST', '/rpc/v2/stage/999999?machine=x')).status, 404);
  } finally {
    await server.close();
  }
});

dbTest('a stage created while runners wait goes to the longest-waiting one at once', async (shared) => {
  const server = await startServer(shared, { queue: { holdMs: 60_000 } });
  try {
    const first = rpc(server, 'POST', '/rpc/v2/stage', linux);
    await until(() => server.scheduler.queue.waiting().length === 1);
    const second = rpc(server, 'POST', '/rpc/v2/stage', linux);
    await until(() => server.scheduler.queue.waiting().length === 2);
    const repo = await aRepo(server.db);
    const { stages } = await aBuild(server.db, repo);
    server.scheduler.schedule();
    const got = await first;
    assert.equal(got.status, 200);
    assert.equal(got.json.id, stages[0]!.id);
    assert.equal(server.scheduler.queue.waiting().length, 1, 'the other runner still waits');
    // The second runner is answered when the server stops (204), not left hanging.
    await server.close();
    assert.equal((await second).status, 204);
  } finally {
    await server.close().catch(() => {});
  }
});

dbTest("matching: kind/type, platform (Drone's rules), exact labels", async (shared) => {
  const server = await startServer(shared);
  try {
    const repo = await aRepo(server.db);
    const mk = async (fields: Partial<Stage>) =>
      (await aBuild(server.db, repo, [{ name: 'x', ...fields }])).stages[0]!;
    const cases: [string, object, Partial<Stage>, boolean][] = [
      ['empty kind/type mean pipeline/docker', { ...linux, kind: '', type: '' }, {}, true],
      ['type differs', { ...linux, type: 'exec' }, {}, false],
      ['exec runner, exec stage', { ...linux, type: 'exec' }, { type: 'exec' }, true],
      [
        'no platform on the runner takes any platform',
        { kind: '', type: '' },
        { os: 'windows', arch: 'arm64' },
        true,
      ],
      ['arch differs', linux, { arch: 'arm64' }, false],
      [
        'variant only checked when the stage sets one',
        { ...linux, arch: 'arm', variant: 'v7' },
        { arch: 'arm' },
        true,
      ],
      [
        'variant set and different',
        { ...linux, arch: 'arm', variant: 'v6' },
        { arch: 'arm', variant: 'v7' },
        false,
      ],
      [
        'kernel set and equal',
        { ...linux, os: 'windows', kernel: '1809' },
        { os: 'windows', kernel: '1809' },
        true,
      ],
      [
        'kernel set and different',
        { ...linux, os: 'windows', kernel: '1903' },
        { os: 'windows', kernel: '1809' },
        false,
      ],
      ['labelled runner, unlabelled stage', { ...linux, labels: { gpu: 'yes' } }, {}, false],
      ['unlabelled runner, labelled stage', linux, { labels: { gpu: 'yes' } }, false],
      ['equal labels', { ...linux, labels: { gpu: 'yes' } }, { labels: { gpu: 'yes' } }, true],
      [
        'more labels on the runner',
        { ...linux, labels: { gpu: 'yes', zone: 'a' } },
        { labels: { gpu: 'yes' } },
        false,
      ],
    ];
    for (const [what, filter, fields, matches] of cases) {
      const stage = await mk(fields);
      const got = await rpc(server, 'POST', '/rpc/v2/stage', filter);
      assert.equal(got.status, matches ? 200 : 204, what);
      if (matches) assert.equal(got.json.id, stage.id, what);
      // Out of the way for the next case.
      await updateStage(server.db, {
        ...((await findStage(server.db, stage.id)) as Stage),
        status: 'skipped',
      });
      server.scheduler.queue.accepted(stage.id);
    }
  } finally {
    await server.close();
  }
});

dbTest('subset label matching (HANGAR_LABELS_MATCH=subset)', async (shared) => {
  const server = await startServer(shared, { labelsMatch: 'subset' });
  try {
    const repo = await aRepo(server.db);
    const labelled = { ...linux, labels: { gpu: 'yes', zone: 'a' } };
    const { stages: plain } = await aBuild(server.db, repo, [{ name: 'plain' }]);
    assert.equal(
      (await take(server, labelled))?.id,
      plain[0]!.id,
      'a labelled runner takes unlabelled stages',
    );
    const { stages: gpu } = await aBuild(server.db, repo, [{ name: 'gpu', labels: { gpu: 'yes' } }]);
    assert.equal(
      (await take(server, labelled))?.id,
      gpu[0]!.id,
      'stage labels a subset of the runner labels',
    );
    const { stages: other } = await aBuild(server.db, repo, [{ name: 'zone-b', labels: { zone: 'b' } }]);
    assert.equal(await take(server, labelled), undefined, 'a label value that differs');
    assert.equal(await take(server, linux), undefined, 'an unlabelled runner never takes a labelled stage');
    assert.equal((await take(server, { ...linux, labels: { zone: 'b' } }))?.id, other[0]!.id);
  } finally {
    await server.close();
  }
});

dbTest('concurrency limit and repo throttle hold stages until older ones finish', async (shared) => {
  const server = await startServer(shared);
  try {
    const repo = await aRepo(server.db);
    // Pipeline `deploy` allows one at a time; two builds queue one each.
    const b1 = await aBuild(server.db, repo, [{ name: 'deploy', limit: 1 }]);
    const b2 = await aBuild(server.db, repo, [{ name: 'deploy', limit: 1 }]);
    const first = await take(server);
    assert.equal(first?.id, b1.stages[0]!.id);
    assert.equal(await take(server), undefined, 'the second deploy waits for the first');
    await run(server, first as Stage, 'success');
    assert.equal((await take(server))?.id, b2.stages[0]!.id);

    // A throttle of 2 stages at a time for the repo.
    const throttled = await aRepo(server.db, { throttle: 2 });
    const t = await aBuild(
      server.db,
      throttled,
      ['a', 'b', 'c'].map((name) => ({ name })),
    );
    const x = await take(server);
    const y = await take(server);
    assert.deepEqual([x?.id, y?.id], [t.stages[0]!.id, t.stages[1]!.id]);
    assert.equal(await take(server), undefined, 'third stage throttled');
    await run(server, x as Stage, 'success');
    assert.equal((await take(server))?.id, t.stages[2]!.id);
  } finally {
    await server.close();
  }
});

dbTest('repos take turns: a long queue of one repo does not starve another', async (shared) => {
  const server = await startServer(shared);
  try {
    const busy = await aRepo(server.db);
    const quiet = await aRepo(server.db);
    const many = await aBuild(
      server.db,
      busy,
      Array.from({ length: 5 }, (_, i) => ({ name: `s${i}` })),
    );
    const one = await aBuild(server.db, quiet);
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await take(server))?.id);
    assert.deepEqual(order, [many.stages[0]!.id, one.stages[0]!.id, many.stages[1]!.id]);
  } finally {
    await server.close();
  }
});

dbTest(
  'leases: traffic keeps a stage; a silent runner loses it (re-queued if nothing started, else failed)',
  async (shared) => {
    const server = await startServer(shared, {
      queue: { leaseSeconds: 1, reaperIntervalMs: 100, holdMs: 300 },
    });
    try {
      const repo = await aRepo(server.db);
      const { build, stages } = await aBuild(server.db, repo, [{ name: 'a' }, { name: 'b' }]);

      // Stage a: accepted, then the runner vanishes before starting a step: back to the queue.
      const a = await take(server, linux, 'ghost');
      assert.equal(a?.id, stages[0]!.id);
      await until(
        async () => (await findStage(server.db, a!.id))?.machine === '',
        10_000,
        'stage a re-queued',
      );
      const requeued = await findStage(server.db, a!.id);
      assert.equal(requeued?.status, 'pending');

      // The re-queued stage is the oldest: the next runner gets it, runs it, and keeps it alive by
      // watch polls over several lease lengths.
      const b = await take(server, linux, 'steady');
      assert.equal(b?.id, a!.id);
      const running = await run(server, b as Stage);
      const until3 = Date.now() + 3000;
      while (Date.now() < until3) {
        const w = await rpc(server, 'POST', `/rpc/v2/build/${build.id}/watch`);
        assert.equal(w.status, 204);
      }
      assert.equal((await findStage(server.db, b!.id))?.status, 'running', 'watch polls renewed the lease');

      // Then it falls silent: failed with the runner named.
      const failed = await until(async () => {
        const s = await findStage(server.db, running.id);
        return s?.status === 'error' ? s : undefined;
      });
      assert.match(failed.error, /runner steady stopped responding/);
      const steps = await listStepsOfStage(server.db, running.id);
      assert.deepEqual(
        steps.map((s) => s.status),
        ['error'],
      );
      // The other stage is still there for the next runner.
      const again = await take(server, linux, 'second');
      assert.equal(again?.id, stages[1]!.id);
    } finally {
      await server.close();
    }
  },
);

dbTest(
  'a cancel between two watch polls is seen by the next poll at once; one during a poll ends it',
  async (shared) => {
    const server = await startServer(shared, { queue: { holdMs: 60_000 } });
    try {
      const repo = await aRepo(server.db);
      const { build } = await aBuild(server.db, repo, [{ name: 'a' }, { name: 'b' }]);
      const a = await take(server, linux, 'r1');
      await run(server, a as Stage);

      // During a poll.
      const watch = rpc(server, 'POST', `/rpc/v2/build/${build.id}/watch`);
      await until(() => server.scheduler.watchers.count() === 1);
      const res = await rpc(server, 'DELETE', `/api/repos/${repo.slug}/builds/${build.number}`, undefined, {
        authorization: `Bearer ${await adminToken(server)}`,
      });
      assert.equal(res.status, 200, res.text);
      assert.equal((await watch).status, 200);

      // Between polls: the next poll answers 200 without waiting for anything.
      assert.equal((await rpc(server, 'POST', `/rpc/v2/build/${build.id}/watch`)).status, 200);
      assert.equal((await findBuild(server.db, build.id))?.status, 'killed');
      // The pending stage was skipped and is never handed out.
      assert.equal(await take(server, linux), undefined);
    } finally {
      await server.close();
    }
  },
);

dbTest('downstream stages: released when dependencies finish, skipped by trigger.status', async (shared) => {
  const server = await startServer(shared);
  try {
    const repo = await aRepo(server.db);
    const { build, stages } = await aBuild(server.db, repo, [
      { name: 'test' },
      {
        name: 'deploy',
        status: 'waiting_on_dependencies',
        depends_on: ['test'],
        on_success: true,
        on_failure: false,
      },
      {
        name: 'notify',
        status: 'waiting_on_dependencies',
        depends_on: ['test'],
        on_success: false,
        on_failure: true,
      },
      {
        name: 'always',
        status: 'waiting_on_dependencies',
        depends_on: ['deploy', 'notify'],
        on_success: true,
        on_failure: true,
      },
    ]);
    const test = await take(server);
    assert.equal(test?.id, stages[0]!.id);
    await run(server, test as Stage, 'failure');
    const after = await listStagesOfBuild(server.db, build.id);
    assert.deepEqual(
      after.map((s) => [s.name, s.status]),
      [
        ['test', 'failure'],
        ['deploy', 'skipped'],
        ['notify', 'pending'],
        ['always', 'waiting_on_dependencies'],
      ],
    );
    const notify = await take(server);
    assert.equal(notify?.id, stages[2]!.id);
    await run(server, notify as Stage, 'success');
    const always = await take(server);
    assert.equal(always?.id, stages[3]!.id);
    await run(server, always as Stage, 'success');
    const done = await findBuild(server.db, build.id);
    assert.equal(done?.status, 'failure');
    assert.ok((done?.finished ?? 0) > 0);
  } finally {
    await server.close();
  }
});

dbTest('a stale stage report (the stage changed since) is answered 409', async (shared) => {
  const server = await startServer(shared);
  try {
    const repo = await aRepo(server.db);
    await aBuild(server.db, repo);
    const stage = await take(server);
    const running = await run(server, stage as Stage);
    const stale = await rpc(server, 'PUT', `/rpc/v2/stage/${running.id}`, {
      ...running,
      version: 1,
      status: 'success',
    });
    assert.equal(stale.status, 409);
    const bad = await rpc(server, 'PUT', `/rpc/v2/stage/${running.id}`, { ...running, status: 'bogus' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /unknown status/);
    const notJson = await rpc(server, 'PUT', `/rpc/v2/stage/${running.id}`, '{');
    assert.equal(notJson.status, 400);
  } finally {
    await server.close();
  }
});

async function adminToken(server: RpcServer): Promise<string> {
  const { aUser } = await import('./rpc-support.js');
  return (await aUser(server.db, undefined, { admin: true })).token;
}

dbTest(
  'a build made by the trigger reaches a waiting runner at once (the trigger wakes the queue)',
  async (shared) => {
    const { triggerBuild } = await import('../../src/server/trigger/trigger.js');
    const { triggerDepsOf } = await import('../../src/server/http/hooks/services.js');
    const { newHook } = await import('../../src/server/scm/hook.js');
    const server = await startServer(shared, { queue: { holdMs: 60_000 } });
    try {
      const repo = await aRepo(server.db);
      const poll = rpc(server, 'POST', '/rpc/v2/stage', linux);
      await until(() => server.scheduler.queue.waiting().length === 1);
      const result = await triggerBuild(
        triggerDepsOf(server.ctx),
        repo,
        newHook({
          trigger: '@hook',
          event: 'push',
          ref: 'refs/heads/main',
          source: 'main',
          target: 'main',
          after: 'b'.repeat(40),
          message: 'a commit',
          changed_files: [],
        }),
      );
      assert.equal(result.kind, 'created');
      const got = await poll;
      assert.equal(got.status, 200);
      assert.equal(got.json.build_id, result.kind === 'created' ? result.build.id : 0);
    } finally {
      await server.close();
    }
  },
);
