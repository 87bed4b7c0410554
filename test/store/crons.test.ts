// Crons: due selection and firing that only one server replica can win.
import assert from 'node:assert/strict';
import { ConflictError, DuplicateError } from '../../src/server/store/errors.js';
import {
  createCron,
  deleteCron,
  findCronByName,
  listCrons,
  listDueCrons,
  updateCron,
} from '../../src/server/store/queries/crons.js';
import { aRepo } from './fixtures.js';
import { storeTest } from './harness.js';

storeTest('due crons are the enabled ones whose next time has passed, soonest first', async ({ db }) => {
  const repo = await aRepo(db);
  await createCron(db, {
    repo_id: repo.id,
    name: 'nightly',
    expr: '0 0 0 * * *',
    next: 1000,
    branch: 'main',
  });
  await createCron(db, { repo_id: repo.id, name: 'hourly', expr: '@hourly', next: 500 });
  await createCron(db, { repo_id: repo.id, name: 'later', expr: '@daily', next: 5000 });
  await createCron(db, { repo_id: repo.id, name: 'off', expr: '@hourly', next: 10, disabled: true });
  await assert.rejects(createCron(db, { repo_id: repo.id, name: 'nightly', expr: '@daily' }), DuplicateError);
  assert.deepEqual(
    (await listDueCrons(db, 2000)).map((c) => c.name),
    ['hourly', 'nightly'],
  );
  assert.deepEqual(await listDueCrons(db, 500), [], '`next < now`, strictly');
  assert.deepEqual(
    (await listCrons(db, repo.id)).map((c) => c.name),
    ['hourly', 'later', 'nightly', 'off'],
  );
  const nightly = (await findCronByName(db, repo.id, 'nightly'))!;
  assert.deepEqual(
    [nightly.event, nightly.branch, nightly.disabled, nightly.version],
    ['push', 'main', false, 1],
  );
  await deleteCron(db, nightly.id);
  assert.equal(await findCronByName(db, repo.id, 'nightly'), undefined);
});

storeTest(
  'when two replicas fire the same due cron, one wins and the other conflicts',
  async ({ db, openAnother }) => {
    const other = (await openAnother()).db;
    const repo = await aRepo(db);
    await createCron(db, { repo_id: repo.id, name: 'nightly', expr: '@daily', next: 1000 });
    const [seenA] = await listDueCrons(db, 2000);
    const [seenB] = await listDueCrons(other, 2000);
    const fire = (d: typeof db, c: NonNullable<typeof seenA>) =>
      updateCron(d, { ...c, prev: c.next, next: 87_400 });
    const results = await Promise.allSettled([fire(db, seenA!), fire(other, seenB!)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const lost = results.find((r) => r.status === 'rejected');
    assert.ok(lost?.status === 'rejected' && lost.reason instanceof ConflictError);
    const saved = (await findCronByName(db, repo.id, 'nightly'))!;
    assert.deepEqual([saved.prev, saved.next, saved.version], [1000, 87_400, 2]);
    assert.deepEqual(await listDueCrons(db, 2000), []);
  },
);
