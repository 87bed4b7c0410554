// A runner that dies without a word (SIGKILL), as real processes on real Docker, with the server's
// lease shortened through its settings (HANGAR_RUNNER_LEASE, HANGAR_REAPER_INTERVAL) so the test
// does not wait the default minute:
// - killed while a step runs: the stage is failed with a message naming the runner well within
//   90 s, the build finishes, and a runner started afterwards removes the containers, volumes and
//   network the dead one left, without needing a stage of its own;
// - killed after accepting a stage but before starting any step: the stage goes back to the queue
//   and another runner runs it to success.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dockerSkip, ensureTestImages, IMAGE } from '../docker/support.js';
import { repoRoot } from '../support/compat.js';
import {
  bareRepo,
  cleanEnv,
  containersOf,
  docker,
  type HangarProcess,
  Installation,
  pushedBuild,
  removeLeftovers,
  until,
} from './support.js';

const skip = dockerSkip();
let root = '';

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'hangar-e2e-crash-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
type Json = any;

const LEASE = { HANGAR_RUNNER_LEASE: '5', HANGAR_REAPER_INTERVAL: '1' };
const DOCKER_RUNNER = { HANGAR_RUNNER_ENGINE: 'docker', HANGAR_RUNNER_CAPACITY: '1' };

/** Everything Docker still holds of process `pid`: containers, volumes, networks. */
async function leftovers(pid: number): Promise<{ containers: number; volumes: number; networks: number }> {
  const filters = { label: ['io.hangar=true', `io.hangar.owner.pid=${pid}`] };
  const { Volumes } = await docker.listVolumes({ filters });
  return {
    containers: (await containersOf(pid)).length,
    volumes: (Volumes ?? []).length,
    networks: (await docker.listNetworks({ filters })).length,
  };
}

describe('a runner killed with SIGKILL', { skip, timeout: 600_000 }, () => {
  test('mid-step: the stage fails within 90 s, the build finishes, the next runner cleans up', async () => {
    await ensureTestImages();
    const hangar = await Installation.create(join(root, 'mid-step'), LEASE);
    const dead: number[] = [];
    try {
      await hangar.startServer();
      const first = hangar.startRunner('doomed', DOCKER_RUNNER);
      const repo = await bareRepo(join(root, 'git-1'), 'app');
      const added = await hangar.cli('repo', 'add', repo.bare, '--name', 'admin/app');
      assert.equal(added.exitCode, 0, `${added.stdout}\n${added.stderr}`);
      await repo.commit('first', {
        '.drone.yml': `kind: pipeline
type: docker
name: main
steps:
- name: hang
  image: ${IMAGE}
  pull: if-not-exists
  commands:
  - echo started
  - sleep 600
- name: never
  image: ${IMAGE}
  pull: if-not-exists
  commands: [echo never]
---
kind: pipeline
type: docker
name: report
depends_on: [main]
trigger:
  status: [success, failure]
steps:
- name: tell
  image: ${IMAGE}
  pull: if-not-exists
  commands: [echo reported]
`,
      });
      const pushed = await repo.push();
      const number = pushedBuild(pushed.stderr);

      await until('the hang step to print in its container', async () => {
        const log = await hangar.api('GET', `/api/repos/admin/app/builds/${number}/logs/1/2`);
        return log.status === 200 && log.json.some((l: Json) => l.out === 'started\n');
      });
      const running = (await containersOf(first.pid)).filter((c) => c.State === 'running');
      assert.ok(running.length > 0, 'the step container runs');

      first.child.kill('SIGKILL');
      await first.exited;
      dead.push(first.pid);
      const killedAt = Date.now();

      const stage = await until(
        'the stage to be failed',
        async () => {
          const b = await hangar.api('GET', `/api/repos/admin/app/builds/${number}`);
          const s = b.json.stages?.[0];
          return s && !['pending', 'running'].includes(s.status) && s;
        },
        90_000,
      );
      const waited = Date.now() - killedAt;
      assert.equal(stage.status, 'error');
      assert.match(stage.error, /runner doomed stopped responding/);
      assert.deepEqual(
        stage.steps.map((s: Json) => [s.name, s.status]),
        [
          ['clone', 'success'],
          ['hang', 'error'],
          ['never', 'skipped'],
        ],
      );

      // Nothing else polls: the report pipeline waits for a runner, then the build is done.
      const next = hangar.startRunner('successor', DOCKER_RUNNER);
      const build = await hangar.finished('admin/app', number);
      assert.equal(build.status, 'error');
      assert.deepEqual(
        build.stages.map((s: Json) => [s.name, s.status, s.machine]),
        [
          ['main', 'error', 'doomed'],
          ['report', 'success', 'successor'],
        ],
      );

      // The dead runner's containers, volumes and network are gone (the stage's sleep 600 had kept running).
      await until(
        'the dead runner’s resources to be removed',
        async () => {
          const left = await leftovers(first.pid);
          return left.containers + left.volumes + left.networks === 0;
        },
        60_000,
      );
      process.stderr.write(`stage failed ${Math.round(waited / 1000)} s after the SIGKILL\n`);
      await next.stop('SIGTERM');
      assert.equal(next.child.exitCode, 0, next.output());
    } catch (err) {
      console.error(hangar.output());
      throw err;
    } finally {
      await hangar.kill();
      for (const pid of [...dead, ...hangar.runners.map((r) => r.pid)]) await removeLeftovers(pid);
    }
  });

  test('a runner started after the crash removes what the dead one left before it polls, with no stage to run', async () => {
    await ensureTestImages();
    const hangar = await Installation.create(join(root, 'prune-at-start'), LEASE);
    try {
      await hangar.startServer();
      const first = hangar.startRunner('doomed-2', DOCKER_RUNNER);
      const repo = await bareRepo(join(root, 'git-2'), 'app');
      assert.equal((await hangar.cli('repo', 'add', repo.bare, '--name', 'admin/app')).exitCode, 0);
      await repo.commit('first', {
        '.drone.yml': `kind: pipeline\ntype: docker\nname: main\nsteps:\n- name: hang\n  image: ${IMAGE}\n  pull: if-not-exists\n  commands:\n  - echo started\n  - sleep 600\n`,
      });
      const number = pushedBuild((await repo.push()).stderr);
      await until('the hang step to print', async () => {
        const log = await hangar.api('GET', `/api/repos/admin/app/builds/${number}/logs/1/2`);
        return log.status === 200 && log.json.some((l: Json) => l.out === 'started\n');
      });
      first.child.kill('SIGKILL');
      await first.exited;
      assert.ok((await leftovers(first.pid)).containers > 0);
      await hangar.finished('admin/app', number, 90_000);

      // No build is waiting: the new runner gets no stage, and still cleans up — before it polls.
      // (Any Hangar runner on this host starting meanwhile may do it first: the resources are gone either way.)
      const next = hangar.startRunner('idle', DOCKER_RUNNER);
      await until('the runner to poll', () => next.logged('runner started: polling for stages').length > 0);
      assert.deepEqual(await leftovers(first.pid), { containers: 0, volumes: 0, networks: 0 });
      await next.stop('SIGTERM');
      assert.equal(next.child.exitCode, 0, next.output());
    } catch (err) {
      console.error(hangar.output());
      throw err;
    } finally {
      await hangar.kill();
      for (const r of hangar.runners) await removeLeftovers(r.pid);
    }
  });

  test('after accepting, before any step: the stage is queued again and another runner runs it', async () => {
    await ensureTestImages();
    const hangar = await Installation.create(join(root, 'requeue'), LEASE);
    let child: HangarProcess | undefined;
    try {
      await hangar.startServer();
      const repo = await bareRepo(join(root, 'git-3'), 'app');
      assert.equal((await hangar.cli('repo', 'add', repo.bare, '--name', 'admin/app')).exitCode, 0);
      await repo.commit('first', {
        '.drone.yml': `kind: pipeline\ntype: docker\nname: main\nsteps:\n- name: hello\n  image: ${IMAGE}\n  pull: if-not-exists\n  commands: [echo hello]\n`,
      });
      const number = pushedBuild((await repo.push()).stderr);

      // A runner process that accepts the stage and is killed before it does anything else.
      const script = join(repoRoot, 'test/e2e/accept-child.ts');
      const proc = spawn(process.execPath, ['--import', 'tsx', script, hangar.base, hangar.secret, 'ghost'], {
        cwd: repoRoot,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let said = '';
      proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
        said += d;
      });
      await until('the stage to be accepted', () => /accepted \d+/.test(said));
      const taken = await hangar.api('GET', `/api/repos/admin/app/builds/${number}`);
      assert.equal(taken.json.stages[0].machine, 'ghost');
      proc.kill('SIGKILL');

      await until(
        'the stage to be queued again',
        async () => {
          const b = await hangar.api('GET', `/api/repos/admin/app/builds/${number}`);
          const s = b.json.stages[0];
          return s.status === 'pending' && !s.machine;
        },
        90_000,
      );
      child = hangar.startRunner('rescuer', DOCKER_RUNNER);
      const build = await hangar.finished('admin/app', number);
      assert.equal(build.status, 'success');
      assert.deepEqual(
        build.stages.map((s: Json) => [s.name, s.status, s.machine, s.steps.map((t: Json) => t.status)]),
        [['main', 'success', 'rescuer', ['success', 'success']]],
      );
      await child.stop('SIGTERM');
    } catch (err) {
      console.error(hangar.output());
      throw err;
    } finally {
      await hangar.kill();
      for (const r of hangar.runners) await removeLeftovers(r.pid);
    }
  });
});
