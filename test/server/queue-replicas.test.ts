// Two server replicas on one PostgreSQL: the accept race has one winner across processes' pools, a
// stage queued through one replica reaches a runner waiting on the other at once (NOTIFY), and a
// cancel made on one replica ends the watch of a runner connected to the other.
import assert from 'node:assert/strict';
import { cancelBuild } from '../../src/server/trigger/cancel.js';
import { findStage } from '../../src/server/store/queries/stages.js';
import { aBuild, aRepo, dbTest, rpc, startServer, until } from './rpc-support.js';

const filter = { kind: 'pipeline', type: 'docker', os: 'linux', arch: 'amd64', variant: '', kernel: '' };

dbTest(
  'two replicas: one accept wins, the other gets 409',
  async (shared) => {
    const a = await startServer(shared);
    const b = await startServer(shared);
    try {
      const repo = await aRepo(a.db);
      const { stages } = await aBuild(
        a.db,
        repo,
        Array.from({ length: 10 }, (_, i) => ({ name: `s${i}` })),
      );
      for (const stage of stages) {
        const answers = await Promise.all([
          rpc(a, 'POST', `/rpc/v2/stage/${stage.id}?machine=runner-a`),
          rpc(b, 'POST', `/rpc/v2/stage/${stage.id}?machine=runner-b`),
        ]);
        const codes = answers.map((x) => x.status).sort();
        assert.deepEqual(codes, [200, 409], `stage ${stage.id}`);
        const winner = answers.find((x) => x.status === 200)!.json.machine;
        assert.equal((await findStage(a.db, stage.id))?.machine, winner);
      }
    } finally {
      await a.close();
      await b.close();
    }
  },
  'postgres',
);

dbTest(
  'two replicas: a stage scheduled on one reaches a runner waiting on the other at once',
  async (shared) => {
    // A hold far longer than the test may take: only the wake-up can answer the poll in time.
    const a = await startServer(shared, { queue: { holdMs: 60_000 } });
    const b = await startServer(shared, { queue: { holdMs: 60_000 } });
    try {
      const poll = rpc(b, 'POST', '/rpc/v2/stage', filter);
      await until(() => b.scheduler.queue.waiting().length === 1, 5000, 'runner waiting on b');
      const passes = b.scheduler.queue.passes;
      const repo = await aRepo(a.db);
      const { stages } = await aBuild(a.db, repo);
      a.scheduler.schedule();
      const got = await poll;
      assert.equal(got.status, 200);
      assert.equal(got.json.id, stages[0]!.id);
      assert.ok(b.scheduler.queue.passes > passes, 'b dispatched because it was woken');
    } finally {
      await a.close();
      await b.close();
    }
  },
  'postgres',
);

dbTest(
  'two replicas: a cancel on one ends the watch held by the other',
  async (shared) => {
    const a = await startServer(shared, { queue: { holdMs: 60_000 } });
    const b = await startServer(shared, { queue: { holdMs: 60_000 } });
    try {
      const repo = await aRepo(a.db);
      const { build, stages } = await aBuild(a.db, repo);
      assert.equal((await rpc(b, 'POST', `/rpc/v2/stage/${stages[0]!.id}?machine=r1`)).status, 200);
      const watch = rpc(b, 'POST', `/rpc/v2/build/${build.id}/watch`);
      await until(() => b.scheduler.watchers.count() === 1, 5000, 'watch held on b');
      await cancelBuild(a.db, build.id, 'killed', Math.floor(Date.now() / 1000));
      a.scheduler.cancelled(build.id);
      assert.equal((await watch).status, 200);
    } finally {
      await a.close();
      await b.close();
    }
  },
  'postgres',
);

dbTest('a stage report racing a cancel never fails: 200 or 409, never a deadlock', async (shared) => {
  const a = await startServer(shared);
  const b = await startServer(shared);
  try {
    const repo = await aRepo(a.db);
    for (let i = 0; i < 15; i++) {
      const { build, stages } = await aBuild(a.db, repo, [{ name: 'x' }, { name: 'y' }]);
      const accepted = await Promise.all(
        stages.map((s, n) => rpc(n === 0 ? a : b, 'POST', `/rpc/v2/stage/${s.id}?machine=r${n}`)),
      );
      const reports = accepted.map((acc, n) =>
        rpc(n === 0 ? a : b, 'PUT', `/rpc/v2/stage/${acc.json.id}`, {
          ...acc.json,
          status: 'running',
          started: 1,
          steps: [{ step_id: acc.json.id, number: 1, name: 's', status: 'pending' }],
        }),
      );
      const [cancel, ...answers] = await Promise.allSettled([
        cancelBuild(b.db, build.id, 'killed', 1),
        ...reports,
      ]);
      assert.equal(cancel.status, 'fulfilled', String((cancel as PromiseRejectedResult).reason));
      for (const r of answers) {
        assert.equal(r.status, 'fulfilled');
        assert.ok([200, 409].includes((r as PromiseFulfilledResult<{ status: number }>).value.status));
      }
    }
  } finally {
    await a.close();
    await b.close();
  }
});
