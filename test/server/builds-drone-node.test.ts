// drone-node 2.2.0 (Drone's own JavaScript client), unchanged, against the build and log routes of
// a listening Hangar: its paths, methods and form-encoded bodies must all work.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { newHook } from '../../src/server/scm/hook.js';
import { appendLines } from '../../src/server/store/queries/logs.js';
import { listStagesOfBuild, updateStage } from '../../src/server/store/queries/stages.js';
import { createSteps } from '../../src/server/store/queries/steps.js';
import { triggerBuild } from '../../src/server/trigger/trigger.js';
import { type BuildServer, startBuildServer } from './builds-harness.js';
import { pipeline, pipelines, triggerDeps, type WorkRepo, workRepo } from './trigger-support.js';

// biome-ignore lint/suspicious/noExplicitAny: drone-node ships no types; answers are checked field by field
type Json = any;
type Method =
  | 'approveBuild'
  | 'cancelBuild'
  | 'declineBuild'
  | 'deleteLogs'
  | 'getBuild'
  | 'getBuilds'
  | 'getLogs'
  | 'incompleteBuilds'
  | 'latestBuild'
  | 'promoteBuild'
  | 'purgeBuilds'
  | 'retryBuild'
  | 'rollbackBuild'
  | 'triggerBuild';
type DroneClient = Record<Method, (...args: unknown[]) => Promise<Json>>;
const require = createRequire(import.meta.url);
const { Client } = require('drone-node') as {
  Client: new (c: { url: string; token: string }) => DroneClient;
};

let s: BuildServer;
let client: DroneClient;
let work: WorkRepo;
let sha = '';

before(async () => {
  work = await workRepo();
  sha = await work.commit('pipelines', {
    '.drone.yml': pipelines(pipeline('build'), pipeline('deploy', 'trigger:\n  event: [promote, rollback]')),
  });
  s = await startBuildServer();
  const address = await s.app.listen({ host: '127.0.0.1', port: 0 });
  client = new Client({ url: address, token: s.admin.token });
});
after(async () => {
  await s.close();
  await work.remove();
});

const statusOf = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
};

test('builds: trigger, list, get, latest, retry, cancel, promote, rollback', async () => {
  const repo = await s.repo({
    namespace: 'acme',
    name: 'web',
    scm: 'local',
    git_http_url: work.dir,
    default_branch: 'main',
  });
  const created = await client.triggerBuild('acme', 'web', { branch: 'main', commit: sha });
  assert.deepEqual([created.number, created.event, created.after], [1, 'custom', sha]);
  const builds = await client.getBuilds('acme', 'web', 1, 10);
  assert.deepEqual(
    builds.map((b: Json) => b.number),
    [1],
  );
  const one = await client.getBuild('acme', 'web', 1);
  assert.equal(one.stages[0].name, 'build');
  const latest = await client.latestBuild('acme', 'web', { branch: 'main' });
  assert.equal(latest.number, 1);
  const retried = await client.retryBuild('acme', 'web', 1, { DEBUG: 'yes' });
  assert.deepEqual([retried.number, retried.parent, retried.params], [2, 1, { DEBUG: 'yes' }]);
  const cancelled = await client.cancelBuild('acme', 'web', 2);
  assert.equal(cancelled.status, 'killed');
  const promoted = await client.promoteBuild('acme', 'web', 1, 'production', { VERSION: '2' });
  assert.deepEqual(
    [promoted.event, promoted.deploy_to, promoted.params, promoted.stages.map((x: Json) => x.name)],
    ['promote', 'production', { VERSION: '2' }, ['build', 'deploy']],
  );
  const rolled = await client.rollbackBuild('acme', 'web', 1, 'production', {});
  assert.equal(rolled.event, 'rollback');
  const incomplete = await client.incompleteBuilds();
  assert.ok(incomplete.some((r: Json) => r.slug === repo.slug && r.build.number === 1));
  await client.purgeBuilds('acme', 'web', 2);
  assert.equal(await statusOf(client.getBuild('acme', 'web', 1)), 404);
});

test('approve, decline, logs', async () => {
  const repo = await s.repo({
    namespace: 'acme',
    name: 'api',
    scm: 'local',
    git_http_url: work.dir,
    protected: true,
  });
  const deps = triggerDeps(s.db);
  const hook = newHook({ event: 'push', ref: 'refs/heads/main', target: 'main', after: sha, message: 'm' });
  const a = await triggerBuild(deps, repo, hook);
  const b = await triggerBuild(deps, repo, hook);
  assert.ok(a.kind === 'created' && b.kind === 'created');
  await client.approveBuild('acme', 'api', 1, 1);
  assert.equal((await client.getBuild('acme', 'api', 1)).stages[0].status, 'pending');
  await client.declineBuild('acme', 'api', 2, 1);
  assert.equal((await client.getBuild('acme', 'api', 2)).status, 'declined');

  // Re-read: the approval moved the stage's version on.
  const [stage] = await listStagesOfBuild(s.db, a.build.id);
  assert.ok(stage);
  await updateStage(s.db, { ...stage, status: 'running', started: 1 });
  const [step] = await createSteps(s.db, [
    { stage_id: stage.id, number: 1, name: 'clone', status: 'running' },
  ]);
  await appendLines(s.db, step?.id ?? 0, [{ pos: 0, out: 'cloning\n', time: 0 }]);
  assert.deepEqual(await client.getLogs('acme', 'api', 1, 1, 1), [{ pos: 0, out: 'cloning\n', time: 0 }]);
  await client.deleteLogs('acme', 'api', 1, 1, 1);
  assert.deepEqual(await client.getLogs('acme', 'api', 1, 1, 1), []);
});
