// Step logs: the uploaded log verbatim, live lines that resume from a position, cards.
import assert from 'node:assert/strict';
import type { Line } from '../../src/server/store/models.js';
import { deleteCard, findCard, putCard } from '../../src/server/store/queries/cards.js';
import {
  appendLines,
  deleteLines,
  deleteLog,
  findLog,
  putLog,
  readLines,
  trimLines,
} from '../../src/server/store/queries/logs.js';
import { createSteps } from '../../src/server/store/queries/steps.js';
import type { Db } from '../../src/server/store/schema.js';
import { aBuild, aRepo } from './fixtures.js';
import { storeTest } from './harness.js';

async function aStep(db: Db): Promise<number> {
  const { stages } = await aBuild(db, await aRepo(db));
  const [step] = await createSteps(db, [{ stage_id: stages[0]!.id, number: 1, name: 'build' }]);
  return step!.id;
}

const line = (pos: number, out = `line ${pos}\n`): Line => ({ pos, out, time: Math.floor(pos / 10) });

storeTest('the uploaded log is stored verbatim and can be replaced or deleted', async ({ db }) => {
  const stepId = await aStep(db);
  assert.equal(await findLog(db, stepId), undefined);
  const body = Buffer.from(JSON.stringify([line(0, 'héllo \u001b[31mred\u001b[0m\n'), line(1)]));
  await putLog(db, stepId, body);
  assert.deepEqual(await findLog(db, stepId), body);
  const big = Buffer.alloc(5 * 1024 * 1024, 'a');
  await putLog(db, stepId, big);
  assert.equal((await findLog(db, stepId))?.length, big.length);
  await deleteLog(db, stepId);
  assert.equal(await findLog(db, stepId), undefined);
});

storeTest('live lines append idempotently and resume from any position', async ({ db, openAnother }) => {
  const stepId = await aStep(db);
  assert.equal(await appendLines(db, stepId, [line(0), line(1), line(2)]), 3);
  // A re-sent batch overlapping what is stored adds only the new lines.
  assert.equal(await appendLines(db, stepId, [line(2, 'dup\n'), line(3), line(4)]), 2);
  assert.equal(await appendLines(db, stepId, []), 0);
  assert.deepEqual(await readLines(db, stepId), [line(0), line(1), line(2), line(3), line(4)]);
  // Another replica reading the same step from where its client left off.
  const other = (await openAnother()).db;
  assert.deepEqual(await readLines(other, stepId, 3), [line(3), line(4)]);
  assert.deepEqual(await readLines(other, stepId, 1, 2), [line(1), line(2)]);
  assert.deepEqual(await readLines(other, stepId, 5), []);
  await deleteLines(db, stepId);
  assert.deepEqual(await readLines(db, stepId), []);
});

storeTest('live lines are trimmed to the newest N', async ({ db }) => {
  const stepId = await aStep(db);
  await appendLines(
    db,
    stepId,
    Array.from({ length: 30 }, (_, i) => line(i)),
  );
  assert.equal(await trimLines(db, stepId, 10), 20);
  const kept = await readLines(db, stepId);
  assert.deepEqual(
    kept.map((l) => l.pos),
    Array.from({ length: 10 }, (_, i) => i + 20),
  );
  assert.equal(await trimLines(db, stepId, 10), 0);
  assert.equal(await trimLines(db, 999_999, 10), 0);
});

storeTest('cards are stored per step', async ({ db }) => {
  const stepId = await aStep(db);
  const card = Buffer.from('{"schema":"https://drone.github.io/drone-jira/card.json","data":{}}');
  await putCard(db, stepId, card);
  assert.deepEqual(await findCard(db, stepId), card);
  await putCard(db, stepId, Buffer.from('{}'));
  assert.deepEqual(await findCard(db, stepId), Buffer.from('{}'));
  await deleteCard(db, stepId);
  assert.equal(await findCard(db, stepId), undefined);
});
