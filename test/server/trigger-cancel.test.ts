// Cancelling in the database while a runner writes the same rows: whichever lands first, nothing is
// lost and nothing is left half-cancelled. Plus cancel's idempotence.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ConflictError } from '../../src/server/store/errors.js';
import { createBuildWithStages, findBuild, updateBuild } from '../../src/server/store/queries/builds.js';
import { createRepo } from '../../src/server/store/queries/repos.js';
import { findStage, updateStage } from '../../src/server/store/queries/stages.js';
import { createSteps, listStepsOfStage } from '../../src/server/store/queries/steps.js';
import { cancelBuild } from '../../src/server/trigger/cancel.js';
import { storeTest } from '../store/harness.js';

let n = 0;

describe('cancel', () => {
  storeTest(
    'a runner finishing a stage while the build is cancelled: one of the two wins whole',
    async ({ db }) => {
      for (let round = 0; round < 10; round++) {
        n += 1;
        const repo = await createRepo(db, { namespace: 'acme', name: `c${n}` });
        const { build, stages } = await createBuildWithStages(
          db,
          { repo_id: repo.id, status: 'running', started: 1 },
          [{ name: 'a', status: 'running', started: 1, machine: 'r' }],
        );
        const stage = stages[0];
        assert.ok(stage);
        await createSteps(db, [{ stage_id: stage.id, number: 1, name: 's', status: 'running', started: 1 }]);
        const runner = updateStage(db, { ...stage, status: 'success', stopped: 2 }).then(
          () => 'runner',
          (err) => {
            assert.ok(err instanceof ConflictError);
            return 'conflict';
          },
        );
        const [outcome] = await Promise.all([runner, cancelBuild(db, build.id, 'killed', 5)]);
        const after = await findStage(db, stage.id);
        assert.equal((await findBuild(db, build.id))?.status, 'killed');
        if (outcome === 'runner') assert.equal(after?.status, 'success', 'a finished stage stays finished');
        else assert.equal(after?.status, 'killed', 'the runner lost: its stale write was refused');
        const [step] = await listStepsOfStage(db, stage.id);
        assert.deepEqual([step?.status, step?.exit_code], ['killed', 130]);
      }
    },
  );

  storeTest('cancelling twice, or a finished build, changes nothing', async ({ db }) => {
    n += 1;
    const repo = await createRepo(db, { namespace: 'acme', name: `c${n}` });
    const { build } = await createBuildWithStages(db, { repo_id: repo.id }, [
      { name: 'a' },
      { name: 'b', status: 'waiting_on_dependencies' },
    ]);
    const first = await cancelBuild(db, build.id, 'killed', 7);
    assert.equal(first.changed, true);
    assert.deepEqual(
      first.stages.map((s) => [s.status, s.started, s.stopped]),
      [
        ['skipped', 7, 7],
        ['skipped', 7, 7],
      ],
    );
    const second = await cancelBuild(db, build.id, 'killed', 9);
    assert.equal(second.changed, false);
    assert.equal(second.build.version, first.build.version);
    const done = await updateBuild(db, { ...(await findBuild(db, build.id))!, status: 'success' });
    const third = await cancelBuild(db, build.id, 'skipped', 11, ['pending']);
    assert.deepEqual(
      [third.changed, third.build.status, third.build.version],
      [false, 'success', done.version],
    );
  });
});
