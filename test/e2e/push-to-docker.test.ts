// End to end on real processes and real Docker: `hangar server` and a `hangar runner` process; a
// bare repository registered with `hangar repo add`; every `git push` into it makes a build through
// the post-receive hook; the runner runs its pipelines in containers; a step's lines reach an SSE
// reader while the step is still running; a success and a failure get their statuses; downstream
// pipelines run or are skipped as `depends_on` and `trigger.status` say; step-level `when: paths`
// sees the files the push changed.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dockerSkip, ensureTestImages, IMAGE } from '../docker/support.js';
import { bareRepo, Installation, pushedBuild, removeLeftovers, SseReader, until } from './support.js';

const skip = dockerSkip();
let root = '';
let hangar: Installation;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'hangar-e2e-push-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * The pipelines: build (docs only when docs/ changed, then compile, which waits at a gate while
 * live.txt exists and exits with the code in exit-code.txt), test after build, notify on failure.
 */
function pipelines(gate: string): string {
  const step = (name: string, commands: string[], extra = '') =>
    `- name: ${name}\n  image: ${IMAGE}\n  pull: if-not-exists\n${extra}  commands:\n${commands.map((c) => `  - ${JSON.stringify(c)}\n`).join('')}`;
  return `kind: pipeline
type: docker
name: build
steps:
${step('docs', ['echo "docs changed"'], '  when:\n    paths:\n    - docs/**\n')}${step(
  'compile',
  [
    'echo "compile starts"',
    'if [ -f live.txt ]; then while [ ! -f /gate/go ]; do sleep 0.1; done; fi',
    'echo "compile ends"',
    'exit $(cat exit-code.txt)',
  ],
  '  volumes:\n  - name: gate\n    path: /gate\n',
)}
volumes:
- name: gate
  host:
    path: ${gate}
---
kind: pipeline
type: docker
name: test
depends_on: [build]
steps:
${step('unit', ['echo "tests pass"'])}
---
kind: pipeline
type: docker
name: notify
depends_on: [build, test]
trigger:
  status: [failure]
steps:
${step('tell', ['echo "the build failed"'])}
`;
}

// biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
type Json = any;

/** `[stage, status, [step, status]…]` of a build, for one readable comparison. */
function shape(build: Json): unknown[] {
  return build.stages.map((s: Json) => [
    s.name,
    s.status,
    (s.steps ?? []).map((st: Json) => `${st.name}:${st.status}`),
  ]);
}

describe('a push into a local repository runs on a hangar runner in Docker', {
  skip,
  timeout: 600_000,
}, () => {
  test('live logs over SSE, success and failure, downstream pipelines, when: paths', async () => {
    await ensureTestImages();
    hangar = await Installation.create(join(root, 'hangar'));
    const gate = join(root, 'gate');
    await mkdir(gate, { recursive: true });
    try {
      await hangar.startServer();
      const runner = hangar.startRunner('e2e-docker', {
        HANGAR_RUNNER_ENGINE: 'docker',
        HANGAR_RUNNER_CAPACITY: '2',
      });

      const repo = await bareRepo(join(root, 'git'), 'app');
      const added = await hangar.cli('repo', 'add', repo.bare, '--name', 'admin/app');
      assert.equal(added.exitCode, 0, `${added.stdout}\n${added.stderr}`);
      // The gate is a host volume: only a trusted repository may mount one.
      const trusted = await hangar.api('PATCH', '/api/repos/admin/app', { trusted: true });
      assert.equal(trusted.status, 200, JSON.stringify(trusted.json));

      // 1. A push that succeeds; its compile step waits at the gate while we read its log live.
      await repo.commit('first', {
        '.drone.yml': pipelines(gate),
        'exit-code.txt': '0\n',
        'live.txt': 'wait at the gate\n',
        'docs/guide.md': '# guide\n',
      });
      const pushed = await repo.push();
      assert.equal(pushed.exitCode, 0, pushed.stderr);
      const first = pushedBuild(pushed.stderr);

      const compile = await until('the compile step to exist', async () => {
        const b = await hangar.api('GET', `/api/repos/admin/app/builds/${first}`);
        const stage = b.json.stages?.find((s: Json) => s.name === 'build');
        const step = stage?.steps?.find((s: Json) => s.name === 'compile');
        return step && { stage: stage.number as number, step: step.number as number };
      });
      const sse = await new SseReader().open(
        `${hangar.base}/api/stream/admin/app/${first}/${compile.stage}/${compile.step}`,
        { authorization: `Bearer ${hangar.token}` },
      );
      assert.equal(sse.status, 200);
      await until('the first line over SSE', () => /compile starts/.test(sse.text()));
      // The step is held at the gate: the line came while it ran, not from the stored log.
      const running = await hangar.api('GET', `/api/repos/admin/app/builds/${first}`);
      const step = running.json.stages
        .find((s: Json) => s.name === 'build')
        .steps.find((s: Json) => s.name === 'compile');
      assert.equal(step.status, 'running');
      assert.doesNotMatch(sse.text(), /compile ends/);
      assert.equal(sse.eof, false);

      await writeFile(join(gate, 'go'), '');
      await until('the rest of the log and the end marker over SSE', () => sse.eof);
      sse.close();
      // Every line once, in order, nothing after the step's last one.
      assert.match(
        sse.text(),
        /^\+ echo "compile starts"\ncompile starts\n\+ if .*\n\+ echo "compile ends"\ncompile ends\n\+ exit .*\n$/,
      );

      const ok = await hangar.finished('admin/app', first);
      assert.equal(ok.status, 'success', JSON.stringify(shape(ok)));
      assert.deepEqual(shape(ok), [
        ['build', 'success', ['clone:success', 'docs:success', 'compile:success']],
        ['test', 'success', ['clone:success', 'unit:success']],
        ['notify', 'skipped', []],
      ]);
      for (const s of ok.stages.filter((s: Json) => s.status !== 'skipped')) {
        assert.equal(s.machine, 'e2e-docker');
      }
      const docsLog = await hangar.api('GET', `/api/repos/admin/app/builds/${first}/logs/1/2`);
      assert.match(docsLog.json.map((l: Json) => l.out).join(''), /docs changed/);

      // 2. A push that fails and does not touch docs/: test is skipped, notify runs, docs is skipped.
      await repo.commit('second', { 'exit-code.txt': '3\n', 'live.txt': null });
      const again = await repo.push();
      assert.equal(again.exitCode, 0, again.stderr);
      const second = pushedBuild(again.stderr);
      assert.equal(second, first + 1);
      const bad = await hangar.finished('admin/app', second);
      assert.equal(bad.status, 'failure', JSON.stringify(shape(bad)));
      // docs/ did not change: the docs step is compiled out, as Drone's runner does (never reported).
      assert.deepEqual(shape(bad), [
        ['build', 'failure', ['clone:success', 'compile:failure']],
        ['test', 'skipped', []],
        ['notify', 'success', ['clone:success', 'tell:success']],
      ]);
      const compileStep = bad.stages[0].steps.find((s: Json) => s.name === 'compile');
      assert.equal(compileStep.exit_code, 3);
      const tell = await hangar.api('GET', `/api/repos/admin/app/builds/${second}/logs/3/2`);
      assert.match(tell.json.map((l: Json) => l.out).join(''), /the build failed/);

      // The runner cleaned up after itself: no container of its stages is left.
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
});
