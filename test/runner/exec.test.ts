// Hangar's runner against the real server, on the exec engine (host processes: fast): a build made
// through the API is picked up, cloned, run and reported — step statuses, exit codes and logs in the
// database; secrets masked; downstream stages scheduled; runner limits; a cancel reaching the
// running stage; the server restarted mid-stage on the same port and database.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExecEngine } from '../../src/engine/exec/index.js';
import { LIMIT_ERROR } from '../../src/runner/daemon/index.js';
import { RpcServer, startRunner, type TestRunner, until } from './harness.js';

const ENV = { HANGAR_RUNNER_ENGINE: 'exec' };
const engine = () => new ExecEngine({ killGraceMs: 500, cloneRetryDelayMs: 10 });

let server: RpcServer;
let gates: string;

before(async () => {
  // Short long-polls: a server closing waits for the polls it holds (up to the hold time).
  server = await RpcServer.start({ queue: { holdMs: 2000 } });
  gates = await mkdtemp(join(tmpdir(), 'hangar-gates-'));
});
after(async () => {
  await server.close();
  await rm(gates, { recursive: true, force: true });
});

/** Stops a test runner at once and waits for it. */
async function stop(r: TestRunner): Promise<void> {
  r.runner.abort();
  await r.done;
}

const done = (status: string) => !['pending', 'running'].includes(status);

describe('exec runner against the real server', () => {
  test('a build is picked up and run; statuses, exit codes and logs are stored; secrets are masked', async () => {
    const r = await startRunner(server, engine(), ENV);
    try {
      const repo = await server.repo({
        'README.md': 'hello readme\n',
        '.drone.yml': `kind: pipeline
type: exec
name: build
steps:
- name: greet
  commands:
  - echo "hello from $DRONE_REPO build $DRONE_BUILD_NUMBER stage $DRONE_STAGE_NAME"
  - cat README.md
- name: secret
  environment:
    TOKEN:
      from_secret: token
  commands:
  - echo "token is $TOKEN"
- name: fail
  commands:
  - echo failing
  - exit 3
- name: after
  commands: [echo never]
- name: cleanup
  commands: [echo cleaning]
  when:
    status: [failure]
---
kind: pipeline
type: exec
name: downstream
depends_on: [build]
trigger:
  status: [failure]
clone:
  disable: true
steps:
- name: report
  commands: [echo "upstream failed"]
`,
      });
      const secret = await server.api('POST', `/api/repos/${repo.slug}/secrets`, {
        name: 'token',
        data: 'tok-s3cret-value',
      });
      assert.equal(secret.status, 200, JSON.stringify(secret.json));
      const build = await server.build(repo);

      const final = await until('the build to finish', async () => {
        const b = await server.buildOf(build.id);
        return done(b.status) && b;
      });
      assert.equal(final.status, 'failure');
      const [stage, down] = await server.stages(build.id);
      assert.ok(stage && down);
      assert.deepEqual(
        [stage.status, stage.exit_code, stage.machine, stage.error],
        ['failure', 3, r.settings.name, ''],
      );
      assert.deepEqual(
        stage.steps.map((s) => [s.number, s.name, s.status, s.exit_code]),
        [
          [1, 'clone', 'success', 0],
          [2, 'greet', 'success', 0],
          [3, 'secret', 'success', 0],
          [4, 'fail', 'failure', 3],
          [5, 'after', 'skipped', 0],
          [6, 'cleanup', 'success', 0],
        ],
      );
      assert.ok(stage.steps.every((s) => s.started > 0 && s.stopped >= s.started));
      const byName = new Map(stage.steps.map((s) => [s.name, s]));
      const greet = await server.logOf(byName.get('greet')!.id);
      assert.match(greet, new RegExp(`^hello from ${repo.slug} build ${build.number} stage build$`, 'm'));
      assert.match(greet, /^hello readme$/m);
      const secretLog = await server.logOf(byName.get('secret')!.id);
      assert.match(secretLog, /^token is \*\*\*\*\*\*$/m);
      assert.doesNotMatch(secretLog, /tok-s3cret-value/);
      assert.match(await server.logOf(byName.get('fail')!.id), /failing/);
      // The failure-only downstream pipeline was scheduled by the teardown and ran on the same runner.
      assert.equal(down.status, 'success');
      assert.match(await server.logOf(down.steps[0]!.id), /^upstream failed$/m);
      assert.doesNotMatch(server.logs(), /tok-s3cret-value/);
    } finally {
      await stop(r);
    }
  });

  test('a stage outside the runner’s limits fails with Drone’s message; an untrusted-only limit too', async () => {
    const r = await startRunner(server, engine(), { ...ENV, HANGAR_LIMIT_REPOS: 'other/*' });
    try {
      const repo = await server.repo({
        '.drone.yml': 'kind: pipeline\ntype: exec\nsteps:\n- name: a\n  commands: [echo a]\n',
      });
      const build = await server.build(repo);
      const final = await until('the build to end', async () => {
        const b = await server.buildOf(build.id);
        return done(b.status) && b;
      });
      assert.equal(final.status, 'error');
      const [stage] = await server.stages(build.id);
      assert.deepEqual([stage?.status, stage?.error, stage?.steps.length], ['error', LIMIT_ERROR, 0]);
    } finally {
      await stop(r);
    }
  });

  test('a cancel reaches the running stage: the step is stopped, the runner is free again', async () => {
    const r = await startRunner(server, engine(), { ...ENV, HANGAR_RUNNER_CAPACITY: '1' });
    try {
      const repo = await server.repo({
        '.drone.yml':
          'kind: pipeline\ntype: exec\nclone:\n  disable: true\nsteps:\n- name: long\n  commands:\n  - echo started\n  - sleep 600\n- name: next\n  commands: [echo never]\n',
      });
      const build = await server.build(repo);
      const step = await until('the step to run', async () => {
        const [stage] = await server.stages(build.id);
        return stage?.steps.find((s) => s.name === 'long' && s.status === 'running');
      });
      assert.equal(r.runner.active.length, 1);
      // "running" comes before the shell has printed anything: cancel once the first line is in.
      await until('the first line', async () => /^started$/m.test(await server.logOf(step.id)));
      const cancel = await server.api('DELETE', `/api/repos/${repo.slug}/builds/${build.number}`);
      assert.equal(cancel.status, 200);
      // The runner learns of it through its watch and stops the stage (long before the sleep ends).
      await until('the runner to let the stage go', async () => r.runner.active.length === 0);
      assert.ok(r.log.has('build cancelled: stopping the stage'));
      const [stage] = await server.stages(build.id);
      assert.equal(stage?.status, 'killed');
      assert.deepEqual(
        stage?.steps.map((s) => [s.name, s.status]),
        [
          ['long', 'killed'],
          ['next', 'skipped'],
        ],
      );
      // The log of the killed step still arrives.
      assert.match(await server.logOf(step.id), /^started$/m);
    } finally {
      await stop(r);
    }
  });

  test('the server restarted mid-stage: the stage goes on, its reports arrive when the server is back', async () => {
    const r = await startRunner(server, engine(), ENV);
    const go = join(gates, 'restart-go');
    const finished = join(gates, 'restart-finished');
    try {
      const repo = await server.repo({
        '.drone.yml': `kind: pipeline
type: exec
clone:
  disable: true
steps:
- name: wait
  commands:
  - echo before the restart
  - while [ ! -f ${go} ]; do sleep 0.05; done
  - echo during the outage
- name: after
  commands:
  - echo after the outage
  - touch ${finished}
`,
      });
      const build = await server.build(repo);
      await until('the first line to be stored', async () => {
        const [stage] = await server.stages(build.id);
        const wait = stage?.steps.find((s) => s.name === 'wait');
        return wait && (await server.logOf(wait.id)).includes('before the restart');
      });

      await server.down();
      // With the server gone, the stage runs on to its end.
      await writeFile(go, '');
      await until('the stage to finish while the server is away', async () => existsSync(finished));
      assert.equal(r.runner.active.length, 1, 'the stage waits to report');
      await server.up();

      const final = await until('the build to finish', async () => {
        const b = await server.buildOf(build.id);
        return done(b.status) && b;
      });
      assert.equal(final.status, 'success');
      const [stage] = await server.stages(build.id);
      assert.deepEqual(
        stage?.steps.map((s) => [s.name, s.status, s.exit_code]),
        [
          ['wait', 'success', 0],
          ['after', 'success', 0],
        ],
      );
      const waitLog = await server.logOf(stage!.steps[0]!.id);
      assert.match(waitLog, /^before the restart\n(.*\n)*during the outage\n$/m);
      assert.match(await server.logOf(stage!.steps[1]!.id), /^after the outage$/m);
      assert.ok(r.log.has('server not answering: retrying'));
      await until('the runner to be idle', async () => r.runner.active.length === 0);
    } finally {
      await stop(r);
    }
  });
});
