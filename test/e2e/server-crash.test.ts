// The server killed with SIGKILL in the middle of a build and started again on the same data dir
// and port, as real processes on real Docker: the runner keeps running its stage while the server
// is gone, and when the server is back the stage's reports arrive (lines from before and during the
// outage, step and stage statuses); the build waiting in the queue at the time of the kill is not
// lost and runs; downstream stages are released; a push after the restart builds as usual.
// With the embedded runner (one process for everything) the stage dies with the server: after the
// restart its lease runs out, it is failed, the build finishes, and the new embedded runner removes
// the containers the old one left.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dockerSkip, ensureTestImages, IMAGE } from '../docker/support.js';
import {
  bareRepo,
  containersOf,
  docker,
  Installation,
  pushedBuild,
  removeLeftovers,
  until,
} from './support.js';

const skip = dockerSkip();
let root = '';

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'hangar-e2e-server-crash-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
type Json = any;

function pipelines(gate: string): string {
  return `kind: pipeline
type: docker
name: build
steps:
- name: work
  image: ${IMAGE}
  pull: if-not-exists
  volumes:
  - name: gate
    path: /gate
  commands:
  - echo "before the outage"
  - if [ -f gated.txt ]; then while [ ! -f /gate/go ]; do sleep 0.1; done; echo "during the outage"; fi
  - echo "work done"
volumes:
- name: gate
  host:
    path: ${gate}
---
kind: pipeline
type: docker
name: deploy
depends_on: [build]
steps:
- name: ship
  image: ${IMAGE}
  pull: if-not-exists
  commands: [echo shipped]
`;
}

/** A step's stored log as text. */
async function logText(hangar: Installation, number: number, stage: number, step: number): Promise<string> {
  const r = await hangar.api('GET', `/api/repos/admin/app/builds/${number}/logs/${stage}/${step}`);
  return r.status === 200 ? r.json.map((l: Json) => l.out).join('') : '';
}

describe('the server killed with SIGKILL mid-build', { skip, timeout: 600_000 }, () => {
  test('restarted on the same data: no build lost, the running stage reports, the queue goes on', async () => {
    await ensureTestImages();
    const hangar = await Installation.create(join(root, 'hangar'));
    const gate = join(root, 'gate');
    await mkdir(gate, { recursive: true });
    try {
      await hangar.startServer();
      // One stage at a time, so the second build is still queued when the server dies.
      const runner = hangar.startRunner('steady', {
        HANGAR_RUNNER_ENGINE: 'docker',
        HANGAR_RUNNER_CAPACITY: '1',
      });
      const repo = await bareRepo(join(root, 'git'), 'app');
      const added = await hangar.cli('repo', 'add', repo.bare, '--name', 'admin/app');
      assert.equal(added.exitCode, 0, `${added.stdout}\n${added.stderr}`);
      assert.equal((await hangar.api('PATCH', '/api/repos/admin/app', { trusted: true })).status, 200);

      await repo.commit('gated', { '.drone.yml': pipelines(gate), 'gated.txt': 'wait\n' });
      const first = pushedBuild((await repo.push()).stderr);
      await until('the first line of the running step to be stored', async () =>
        /before the outage/.test(await logText(hangar, first, 1, 2)),
      );
      await repo.commit('queued', { 'gated.txt': null });
      const second = pushedBuild((await repo.push()).stderr);
      const queued = await hangar.api('GET', `/api/repos/admin/app/builds/${second}`);
      assert.equal(queued.json.status, 'pending');

      const server = hangar.server;
      assert.ok(server);
      server.child.kill('SIGKILL');
      await server.exited;
      // With the server gone the step goes on to its end; its reports wait in the runner.
      await writeFile(join(gate, 'go'), '');
      await until(
        'the runner to find the server gone',
        () => runner.logged('server not answering: retrying').length > 0,
      );
      assert.ok(runner.alive, runner.output());

      await hangar.startServer();
      const one = await hangar.finished('admin/app', first);
      const two = await hangar.finished('admin/app', second);
      const shape = (b: Json) =>
        b.stages.map((s: Json) => [
          s.name,
          s.status,
          s.machine,
          s.steps.map((t: Json) => `${t.name}:${t.status}`),
        ]);
      assert.deepEqual(shape(one), [
        ['build', 'success', 'steady', ['clone:success', 'work:success']],
        ['deploy', 'success', 'steady', ['clone:success', 'ship:success']],
      ]);
      assert.equal(one.status, 'success');
      assert.match(
        await logText(hangar, first, 1, 2),
        /before the outage\n(.*\n)*during the outage\n(.*\n)*work done\n/,
      );
      assert.deepEqual(shape(two), [
        ['build', 'success', 'steady', ['clone:success', 'work:success']],
        ['deploy', 'success', 'steady', ['clone:success', 'ship:success']],
      ]);
      assert.equal(two.status, 'success');

      // Business as usual: the next push builds with the next number.
      await repo.commit('after', { 'README.md': 'after the restart\n' });
      const third = pushedBuild((await repo.push()).stderr);
      assert.equal(third, second + 1);
      assert.equal((await hangar.finished('admin/app', third)).status, 'success');
      const list = await hangar.api('GET', '/api/repos/admin/app/builds');
      assert.deepEqual(
        list.json.map((b: Json) => [b.number, b.status]),
        [
          [third, 'success'],
          [second, 'success'],
          [first, 'success'],
        ],
      );
      await runner.stop('SIGTERM');
      assert.equal(runner.child.exitCode, 0, runner.output());
    } catch (err) {
      console.error(hangar.output());
      throw err;
    } finally {
      await hangar.kill();
      for (const r of hangar.runners) await removeLeftovers(r.pid);
    }
  });

  test('with its embedded runner: the stage that died with it is failed, its containers removed', async () => {
    await ensureTestImages();
    const hangar = await Installation.create(join(root, 'embedded'), {
      HANGAR_RUNNER_LEASE: '5',
      HANGAR_REAPER_INTERVAL: '1',
      HANGAR_RUNNER_NAME: 'inside',
    });
    try {
      const first = await hangar.startServer({ embedded: true });
      const repo = await bareRepo(join(root, 'git-embedded'), 'app');
      const added = await hangar.cli('repo', 'add', repo.bare, '--name', 'admin/app');
      assert.equal(added.exitCode, 0, `${added.stdout}\n${added.stderr}`);
      await repo.commit('hang', {
        '.drone.yml': `kind: pipeline\ntype: docker\nname: main\nsteps:\n- name: hang\n  image: ${IMAGE}\n  pull: if-not-exists\n  commands:\n  - echo started\n  - sleep 600\n`,
      });
      const number = pushedBuild((await repo.push()).stderr);
      await until('the step to print', async () => /started/.test(await logText(hangar, number, 1, 2)));
      assert.ok((await containersOf(first.pid)).some((c) => c.State === 'running'));

      first.child.kill('SIGKILL');
      await first.exited;
      await hangar.startServer({ embedded: true });
      const build = await hangar.finished('admin/app', number, 90_000);
      assert.equal(build.status, 'error');
      assert.match(build.stages[0].error, /runner inside stopped responding/);
      await until(
        'the dead server’s containers, volumes and network to be removed',
        async () => {
          const filters = { label: ['io.hangar=true', `io.hangar.owner.pid=${first.pid}`] };
          const { Volumes } = await docker.listVolumes({ filters });
          const networks = await docker.listNetworks({ filters });
          return (await containersOf(first.pid)).length + (Volumes ?? []).length + networks.length === 0;
        },
        60_000,
      );

      // The new embedded runner takes work.
      await repo.commit('quick', {
        '.drone.yml': `kind: pipeline\ntype: docker\nname: main\nsteps:\n- name: hello\n  image: ${IMAGE}\n  pull: if-not-exists\n  commands: [echo hello]\n`,
      });
      const next = pushedBuild((await repo.push()).stderr);
      assert.equal((await hangar.finished('admin/app', next)).status, 'success');
      const stopped = await hangar.server?.stop('SIGTERM');
      assert.deepEqual(stopped, [0, null], hangar.output());
    } catch (err) {
      console.error(hangar.output());
      throw err;
    } finally {
      await hangar.kill();
      for (const s of hangar.servers) await removeLeftovers(s.pid);
    }
  });
});
