// A cancel from the command line reaches a `hangar runner` process at work, on real Docker: the
// running container is stopped and removed, the step, stage and build end `killed`, the step's log
// keeps what it printed, and the runner is free for the next build at once.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dockerSkip, ensureTestImages, IMAGE } from '../docker/support.js';
import { bareRepo, containersOf, Installation, pushedBuild, removeLeftovers, until } from './support.js';

const skip = dockerSkip();
let root = '';

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'hangar-e2e-cancel-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
type Json = any;

describe('hangar build stop', { skip, timeout: 600_000 }, () => {
  test('stops the running container; the runner takes the next build', async () => {
    await ensureTestImages();
    const hangar = await Installation.create(join(root, 'hangar'));
    try {
      await hangar.startServer();
      const runner = hangar.startRunner('worker', {
        HANGAR_RUNNER_ENGINE: 'docker',
        HANGAR_RUNNER_CAPACITY: '1',
      });
      const repo = await bareRepo(join(root, 'git'), 'app');
      const added = await hangar.cli('repo', 'add', repo.bare, '--name', 'admin/app');
      assert.equal(added.exitCode, 0, `${added.stdout}\n${added.stderr}`);
      await repo.commit('long', {
        '.drone.yml': `kind: pipeline
type: docker
name: main
steps:
- name: long
  image: ${IMAGE}
  pull: if-not-exists
  commands:
  - echo started
  - sleep 600
- name: after
  image: ${IMAGE}
  pull: if-not-exists
  commands: [echo never]
`,
      });
      const number = pushedBuild((await repo.push()).stderr);
      await until('the step to print', async () => {
        const log = await hangar.api('GET', `/api/repos/admin/app/builds/${number}/logs/1/2`);
        return log.status === 200 && log.json.some((l: Json) => l.out === 'started\n');
      });
      assert.ok((await containersOf(runner.pid)).some((c) => c.State === 'running'));

      const stopped = await hangar.cli('build', 'stop', 'admin/app', String(number));
      assert.equal(stopped.exitCode, 0, `${stopped.stdout}\n${stopped.stderr}`);
      const build = await hangar.finished('admin/app', number);
      assert.equal(build.status, 'killed');
      assert.deepEqual(
        build.stages.map((s: Json) => [s.name, s.status, s.steps.map((t: Json) => `${t.name}:${t.status}`)]),
        [['main', 'killed', ['clone:success', 'long:killed', 'after:skipped']]],
      );
      await until(
        'the runner to remove the stage’s containers',
        async () => (await containersOf(runner.pid)).length === 0,
      );
      const log = await hangar.api('GET', `/api/repos/admin/app/builds/${number}/logs/1/2`);
      assert.match(log.json.map((l: Json) => l.out).join(''), /started/);

      await repo.commit('quick', {
        '.drone.yml': `kind: pipeline\ntype: docker\nname: main\nsteps:\n- name: hello\n  image: ${IMAGE}\n  pull: if-not-exists\n  commands: [echo hello]\n`,
      });
      const next = pushedBuild((await repo.push()).stderr);
      const done = await hangar.finished('admin/app', next);
      assert.equal(done.status, 'success');
      assert.equal(done.stages[0].machine, 'worker');
      assert.deepEqual(await runner.stop('SIGTERM'), [0, null], runner.output());
    } catch (err) {
      console.error(hangar.output());
      throw err;
    } finally {
      await hangar.kill();
      for (const r of hangar.runners) await removeLeftovers(r.pid);
    }
  });
});
