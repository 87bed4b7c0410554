// Stages as queue rows: FIFO order, the atomic claim (Drone's accept), leases; and their steps.
import assert from 'node:assert/strict';
import { ConflictError, DuplicateError } from '../../src/server/store/errors.js';
import type { Stage } from '../../src/server/store/models.js';
import {
  claimStage,
  createStages,
  findStage,
  listExpiredLeases,
  listIncompleteStages,
  listPendingStages,
  listStagesOfBuilds,
  releaseStage,
  renewRunnerLeases,
  renewStageLease,
  updateStage,
} from '../../src/server/store/queries/stages.js';
import {
  createSteps,
  findStepByNumber,
  listStepsOfStage,
  listStepsOfStages,
  updateStep,
} from '../../src/server/store/queries/steps.js';
import { aBuild, aRepo } from './fixtures.js';
import { storeTest } from './harness.js';

/** Settles every promise and splits winners from losers. */
async function race<T>(attempts: Promise<T>[]): Promise<{ won: T[]; lost: unknown[] }> {
  const settled = await Promise.allSettled(attempts);
  return {
    won: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
    lost: settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : [])),
  };
}

storeTest('of many concurrent claims on one stage exactly one wins', async ({ db }) => {
  const repo = await aRepo(db);
  const { stages } = await aBuild(db, repo);
  const stage = stages[0]!;
  const { won, lost } = await race(
    Array.from({ length: 12 }, (_, i) =>
      claimStage(db, { id: stage.id, machine: `runner-${i}`, version: 1 }),
    ),
  );
  assert.equal(won.length, 1);
  assert.equal(lost.length, 11);
  for (const e of lost) assert.ok(e instanceof ConflictError, String(e));
  const saved = await findStage(db, stage.id);
  assert.equal(saved?.machine, won[0]!.machine);
  assert.equal(saved?.version, 2);
  assert.equal(saved?.status, 'pending', 'an accepted stage stays pending until the runner reports running');
});

storeTest(
  'two servers (separate connections) claiming the same stages: one winner each',
  async ({ db, openAnother }) => {
    const other = (await openAnother()).db;
    const repo = await aRepo(db);
    const { stages } = await aBuild(db, repo, 20);
    const winners = await Promise.all(
      stages.map(async (stage) => {
        const { won, lost } = await race([
          claimStage(db, { id: stage.id, machine: 'server-a', runner: 'a' }),
          claimStage(other, { id: stage.id, machine: 'server-b', runner: 'b' }),
        ]);
        assert.equal(won.length, 1, `stage ${stage.id}: ${won.length} winners`);
        assert.ok(lost[0] instanceof ConflictError);
        return won[0]!;
      }),
    );
    for (const w of winners) {
      const saved = await findStage(db, w.id);
      assert.equal(saved?.machine, w.machine);
      assert.equal(saved?.runner, w.runner);
    }
    assert.deepEqual(await listPendingStages(db), []);
  },
);

storeTest(
  'a claim fails on a stale version, a taken stage or a stage that is no longer pending',
  async ({ db }) => {
    const repo = await aRepo(db);
    const { stages } = await aBuild(db, repo, 3);
    const [a, b, c] = stages as [Stage, Stage, Stage];
    await updateStage(db, { ...a, error: 'touched' });
    await assert.rejects(claimStage(db, { id: a.id, machine: 'r', version: 1 }), ConflictError);
    assert.equal((await claimStage(db, { id: a.id, machine: 'r', version: 2 })).version, 3);
    await assert.rejects(claimStage(db, { id: a.id, machine: 'other' }), ConflictError);
    // Cancelled after hand-off: a late accept must not revive it.
    await updateStage(db, { ...b, status: 'skipped' });
    await assert.rejects(claimStage(db, { id: b.id, machine: 'r' }), ConflictError);
    await assert.rejects(claimStage(db, { id: 999_999, machine: 'r' }), ConflictError);
    assert.equal(
      (await claimStage(db, { id: c.id, machine: 'r', now: 1_700_000_000 })).updated,
      1_700_000_000,
    );
  },
);

storeTest(
  'pending stages come oldest first; incomplete ones include running and accepted',
  async ({ db }) => {
    const r1 = await aRepo(db);
    const r2 = await aRepo(db);
    const x = (await aBuild(db, r1, 2)).stages;
    const y = (await aBuild(db, r2, 2)).stages;
    const z = (await aBuild(db, r1, 2)).stages;
    await claimStage(db, { id: x[0]!.id, machine: 'm' }); // accepted, not running
    await updateStage(db, { ...y[0]!, status: 'running' });
    await updateStage(db, { ...y[1]!, status: 'waiting_on_dependencies' });
    await updateStage(db, { ...z[0]!, status: 'success' });
    const ids = (s: Stage[]) => s.map((t) => t.id);
    assert.deepEqual(ids(await listPendingStages(db)), [x[1]!.id, z[1]!.id]);
    assert.deepEqual(ids(await listIncompleteStages(db)), [x[0]!.id, x[1]!.id, y[0]!.id, z[1]!.id]);
    assert.deepEqual(ids(await listIncompleteStages(db, r1.id)), [x[0]!.id, x[1]!.id, z[1]!.id]);
    assert.ok(x[1]!.id < y[0]!.id && y[0]!.id < z[1]!.id, 'ids grow in creation order');
    assert.deepEqual(
      (await listStagesOfBuilds(db, [z[0]!.build_id, x[0]!.build_id])).map((s) => [s.build_id, s.number]),
      [
        [x[0]!.build_id, 1],
        [x[0]!.build_id, 2],
        [z[0]!.build_id, 1],
        [z[0]!.build_id, 2],
      ],
    );
  },
);

storeTest(
  'leases: renewed by their runner only, without a version change; expired ones are found and released',
  async ({ db }) => {
    const repo = await aRepo(db);
    const { stages } = await aBuild(db, repo, 2);
    const claimed = await claimStage(db, {
      id: stages[0]!.id,
      machine: 'box',
      runner: 'box#1',
      leaseExpires: 100,
    });
    await claimStage(db, { id: stages[1]!.id, machine: 'box', runner: 'box#1', leaseExpires: 100 });
    assert.equal(await renewStageLease(db, claimed.id, 'someone-else', 500), false);
    assert.equal(await renewStageLease(db, claimed.id, 'box#1', 200), true);
    const renewed = (await findStage(db, claimed.id))!;
    assert.equal(renewed.lease_expires, 200);
    assert.equal(
      renewed.version,
      claimed.version,
      'a heartbeat must not make the runner’s next update conflict',
    );
    assert.deepEqual(
      (await listExpiredLeases(db, 150)).map((s) => s.id),
      [stages[1]!.id],
    );
    assert.equal(await renewRunnerLeases(db, 'box#1', 300), 2);
    assert.deepEqual(await listExpiredLeases(db, 250), []);
    const expired = await listExpiredLeases(db, 301);
    assert.equal(expired.length, 2);
    const released = await releaseStage(db, expired[0]!, 301);
    assert.deepEqual(
      [released.status, released.machine, released.runner, released.lease_expires, released.version],
      ['pending', '', '', 0, expired[0]!.version + 1],
    );
    await assert.rejects(releaseStage(db, expired[0]!), ConflictError, 'a release is optimistic too');
    assert.equal(
      (await claimStage(db, { id: released.id, machine: 'other', runner: 'other#1', leaseExpires: 400 }))
        .machine,
      'other',
    );
    // A finished stage keeps no live lease.
    await updateStage(db, { ...(await findStage(db, stages[1]!.id))!, status: 'success' });
    assert.equal(await renewStageLease(db, stages[1]!.id, 'box#1', 900), false);
    assert.deepEqual(
      (await listExpiredLeases(db, 10_000)).map((s) => s.id),
      [released.id],
    );
  },
);

storeTest('steps: created per stage, matched by number, optimistic updates', async ({ db }) => {
  const repo = await aRepo(db);
  const { stages } = await aBuild(db, repo, 2);
  const [s1, s2] = stages as [Stage, Stage];
  const steps = await createSteps(db, [
    { stage_id: s1.id, number: 2, name: 'build', image: 'golang:1.22', depends_on: ['clone'] },
    { stage_id: s1.id, number: 1, name: 'clone', image: 'drone/git:latest' },
    { stage_id: s2.id, number: 1, name: 'test', detached: true, errignore: true },
  ]);
  assert.deepEqual(
    steps.map((s) => [s.stage_id, s.number, s.name, s.status, s.version]),
    [
      [s1.id, 1, 'clone', 'pending', 1],
      [s1.id, 2, 'build', 'pending', 1],
      [s2.id, 1, 'test', 'pending', 1],
    ],
  );
  await assert.rejects(createSteps(db, [{ stage_id: s1.id, number: 1 }]), DuplicateError);
  const build = (await findStepByNumber(db, s1.id, 2))!;
  assert.deepEqual(build.depends_on, ['clone']);
  const running = await updateStep(db, { ...build, status: 'running', started: 1_700_000_006 });
  await assert.rejects(updateStep(db, { ...build, status: 'killed' }), ConflictError);
  const done = await updateStep(db, { ...running, status: 'failure', exit_code: 2, stopped: 1_700_000_010 });
  assert.deepEqual([done.status, done.exit_code, done.version], ['failure', 2, 3]);
  assert.deepEqual(
    (await listStepsOfStage(db, s1.id)).map((s) => s.name),
    ['clone', 'build'],
  );
  assert.deepEqual(
    (await listStepsOfStages(db, [s2.id, s1.id])).map((s) => s.name),
    ['clone', 'build', 'test'],
  );
  const test = (await findStepByNumber(db, s2.id, 1))!;
  assert.equal(test.detached, true);
  assert.equal(test.errignore, true);
});

storeTest('stage numbers are unique per build', async ({ db }) => {
  const repo = await aRepo(db);
  const { build } = await aBuild(db, repo, 1);
  await assert.rejects(
    createStages(db, [{ repo_id: repo.id, build_id: build.id, number: 1 }]),
    DuplicateError,
  );
});
