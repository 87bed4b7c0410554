// Values read back exactly as written — booleans, JSON, unicode, bytes, times past 2038 — and
// identically on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Build, Repo, Secret, Stage, Step } from '../../src/server/store/models.js';
import { createBuildWithStages, findBuild } from '../../src/server/store/queries/builds.js';
import { createRepo, findRepo } from '../../src/server/store/queries/repos.js';
import { createSecret, findSecret } from '../../src/server/store/queries/secrets.js';
import { findStage } from '../../src/server/store/queries/stages.js';
import { createSteps, findStep } from '../../src/server/store/queries/steps.js';
import type { Db } from '../../src/server/store/schema.js';
import { pgSkip } from '../support/pg.js';
import { onBothDialects, storeTest } from './harness.js';

const year2100 = 4_102_444_800;
const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** Writes one of everything with unusual values and reads it all back. */
async function writeAndRead(
  db: Db,
): Promise<{ repo: Repo; build: Build; stage: Stage; step: Step; secret: Secret }> {
  const repo = await createRepo(db, {
    namespace: 'Ünïcode',
    name: 'répo',
    private: true,
    visibility: 'internal',
    trusted: true,
    protected: false,
    auto_cancel_running: true,
    timeout: 90,
    signer: 'x'.repeat(32),
    created: year2100,
    updated: year2100,
  });
  const { build, stages } = await createBuildWithStages(
    db,
    {
      repo_id: repo.id,
      event: 'custom',
      title: 'emoji 🚀 and "quotes" and \\ backslash',
      message: 'line1\nline2\ttab',
      params: { DEPLOY: 'yes', 'weird key': 'ü ✓', EMPTY: '' },
      changed_files: ['src/a b.ts', 'docs/ü.md'],
      debug: true,
      deploy_id: 9_876_543_210,
      timestamp: year2100,
      created: year2100,
      updated: year2100,
    },
    [
      {
        name: 'build',
        labels: { 'node.role': 'gpu', zone: 'eu' },
        depends_on: ['lint', 'test'],
        errignore: true,
        on_success: false,
        on_failure: true,
        limit: 2,
        throttle: 3,
        variant: 'v8',
        kernel: '1809',
        created: year2100,
        updated: year2100,
      },
    ],
  );
  const [step] = await createSteps(db, [
    { stage_id: stages[0]!.id, number: 1, name: 'clone', depends_on: [], detached: true, started: year2100 },
  ]);
  const secret = await createSecret(db, {
    repo_id: repo.id,
    namespace: repo.namespace,
    name: 'bytes',
    data: allBytes,
    pull_request: true,
    created: year2100,
    updated: year2100,
  });
  return {
    repo: (await findRepo(db, repo.id))!,
    build: (await findBuild(db, build.id))!,
    stage: (await findStage(db, stages[0]!.id))!,
    step: (await findStep(db, step!.id))!,
    secret: (await findSecret(db, secret.id))!,
  };
}

storeTest('JSON, booleans, unicode, bytes and large times round-trip', async ({ db }) => {
  const { repo, build, stage, step, secret } = await writeAndRead(db);
  assert.equal(repo.slug, 'Ünïcode/répo');
  assert.deepEqual(
    [repo.private, repo.trusted, repo.protected, repo.auto_cancel_running, repo.active, repo.visibility],
    [true, true, false, true, false, 'internal'],
  );
  assert.equal(repo.created, year2100);
  assert.deepEqual(build.params, { DEPLOY: 'yes', 'weird key': 'ü ✓', EMPTY: '' });
  assert.deepEqual(build.changed_files, ['src/a b.ts', 'docs/ü.md']);
  assert.equal(build.debug, true);
  assert.equal(build.deploy_id, 9_876_543_210);
  assert.equal(build.title, 'emoji 🚀 and "quotes" and \\ backslash');
  assert.equal(build.message, 'line1\nline2\ttab');
  assert.equal(build.timestamp, year2100);
  assert.deepEqual(stage.labels, { 'node.role': 'gpu', zone: 'eu' });
  assert.deepEqual(stage.depends_on, ['lint', 'test']);
  assert.deepEqual([stage.errignore, stage.on_success, stage.on_failure], [true, false, true]);
  assert.deepEqual([stage.limit, stage.throttle, stage.variant, stage.kernel], [2, 3, 'v8', '1809']);
  assert.deepEqual([step.detached, step.depends_on, step.started], [true, [], year2100]);
  assert.ok(Buffer.isBuffer(secret.data));
  assert.deepEqual(secret.data, allBytes);
  assert.deepEqual([secret.pull_request, secret.pull_request_push], [true, false]);
  // Types, not just values: numbers stay numbers (pg's int8 would otherwise be a string).
  for (const v of [
    repo.id,
    repo.created,
    build.id,
    build.deploy_id,
    build.timestamp,
    stage.id,
    stage.created,
  ]) {
    assert.equal(typeof v, 'number');
  }
});

storeTest('unknown changed files stay null; an empty list stays empty', async ({ db }) => {
  const repo = await createRepo(db, { namespace: 'n', name: 'r' });
  const a = await createBuildWithStages(db, { repo_id: repo.id }, []);
  const b = await createBuildWithStages(db, { repo_id: repo.id, changed_files: [] }, []);
  assert.equal((await findBuild(db, a.build.id))?.changed_files, null);
  assert.deepEqual((await findBuild(db, b.build.id))?.changed_files, []);
});

test('rows read back identically from SQLite and PostgreSQL', { skip: pgSkip() }, async () => {
  const got = await onBothDialects(writeAndRead);
  assert.ok(got.sqlite && got.postgres);
  assert.deepEqual(got.postgres, got.sqlite);
});
