// `hangar lint` and `hangar plan` as a user runs them: exit codes, output format, bad input.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { planBuild } from '../../src/spec/build-plan.js';
import { type BuildContext, emptyContext } from '../../src/spec/context.js';
import { compatPath, compatSkip } from '../support/compat.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hangar-cli-'));
function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const GOOD = `kind: pipeline
type: docker
name: build
steps:
- name: test
  image: golang:1.22
  environment:
    TOKEN:
      from_secret: api_token
  commands:
  - go test \${DRONE_BRANCH}
- name: deploy
  image: plugins/docker
  settings:
    tags: [latest, "1.0"]
  when:
    branch: [release/*]
---
kind: pipeline
name: notify
depends_on: [build]
trigger:
  status: [failure]
steps:
- name: tell
  image: alpine:3
  commands: [echo failed]
`;

test('lint: a valid file exits 0 and prints nothing', async () => {
  const r = await runCli(['lint', file('good.yml', GOOD)]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
});

test('lint: errors as file:line:col lines, exit 1; warnings alone exit 0', async () => {
  const bad = file('bad.yml', 'kind: pipeline\nsteps:\n- name: a\n  image: alpine\n- name: b\n  commands: [x]\n');
  const r = await runCli(['lint', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:3: steps\\[1\\]\\.image: `, 'm'));
  const warn = file('warn.yml', 'kind: pipeline\nsteps:\n- name: a\n  image: alpine\n  comands: [x]\n');
  const w = await runCli(['lint', warn]);
  assert.equal(w.code, 0);
  assert.match(w.stdout, /:5:3: warning: steps\[0\]\.comands: unknown field/);
});

test('lint: trust rules depend on --trusted', async () => {
  const p = file('priv.yml', 'kind: pipeline\nsteps:\n- name: a\n  image: alpine\n  privileged: true\n');
  assert.equal((await runCli(['lint', p])).code, 1);
  assert.equal((await runCli(['lint', p, '--trusted'])).code, 0);
});

test('lint: usage errors exit 2 (missing file, unknown flag)', async () => {
  const missing = await runCli(['lint', join(dir, 'nope.yml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*nope\.yml: no such file/);
  assert.equal((await runCli(['lint', '--bogus'])).code, 2);
});

test('lint: bad input gives a clear error and exit 1, never a stack trace', async () => {
  const inputs: [string, string | Buffer][] = [
    ['invalid.yml', 'kind: pipeline\nsteps: [\n'],
    ['types.yml', 'kind: pipeline\nsteps:\n  name: x\n'],
    ['deep.yml', `kind: pipeline\nsteps: ${'['.repeat(10_000)}`],
    ['garbage.yml', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ['huge.yml', `kind: pipeline\nsteps:\n${'- name: x\n  image: alpine\n'.repeat(400_000)}`],
  ];
  for (const [name, text] of inputs) {
    const r = await runCli(['lint', file(name, text)]);
    assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
    assert.ok(r.stdout.length > 0, `${name}: says what is wrong`);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, `${name}: no stack trace`);
  }
});

test('plan --json: stages, rewired dependencies, steps with run policies, secrets by name', async () => {
  const r = await runCli(['plan', file('plan.yml', GOOD), '--event', 'push', '--branch', 'main', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(
    out.stages.map((s: { name: string; depends_on: string[]; status: string }) => [s.name, s.depends_on, s.status]),
    [
      ['build', [], 'pending'],
      ['notify', ['build'], 'waiting_on_dependencies'],
    ],
  );
  const build = out.stages[0];
  assert.deepEqual(
    build.steps.map((s: { name: string; run: string }) => [s.name, s.run]),
    [
      ['clone', 'always'],
      ['test', 'on-success'],
    ],
    'deploy is left out: its `when` does not match main',
  );
  const test = build.steps[1];
  assert.deepEqual(test.commands, ['go test main'], 'commands after substitution');
  assert.equal(test.environment.TOKEN, '<secret:api_token>');
  assert.equal(test.environment.DRONE_BRANCH, 'main');
  assert.equal(test.image, 'docker.io/library/golang:1.22');
  assert.equal(out.stages[1].on_failure, true);
  assert.equal(out.stages[1].on_success, false);
});

test('plan: a release branch gets the deploy step with its settings', async () => {
  const r = await runCli(['plan', file('plan2.yml', GOOD), '--event', 'push', '--branch', 'release/1.0', '--json']);
  const deploy = JSON.parse(r.stdout).stages[0].steps.find((s: { name: string }) => s.name === 'deploy');
  assert.equal(deploy.environment.PLUGIN_TAGS, 'latest,1.0');
});

test('plan: text output and usage errors', async () => {
  const r = await runCli(['plan', file('plan3.yml', GOOD), '--event', 'push', '--branch', 'main']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^stage 1: build \[docker\]$/m);
  assert.match(r.stdout, /^stage 2: notify \[docker\] \(after build\)$/m);
  assert.equal((await runCli(['plan', file('plan4.yml', GOOD), '--branch', 'main'])).code, 2, '--event is required');
  assert.equal((await runCli(['plan', file('plan5.yml', GOOD), '--event', 'nope', '--branch', 'x'])).code, 2);
});

test('plan: paths conditions use --changed', async () => {
  const yml = file(
    'paths.yml',
    'kind: pipeline\nname: docs\ntrigger:\n  paths: [docs/**]\nsteps:\n- name: a\n  image: alpine\n',
  );
  const plan = (args: string[]) =>
    runCli(['plan', yml, '--event', 'push', '--branch', 'main', '--json', ...args]).then((r) => JSON.parse(r.stdout));
  assert.equal((await plan(['--changed', 'src/main.go'])).stages.length, 0);
  assert.equal((await plan(['--changed', 'docs/a/b.md'])).stages.length, 1);
  assert.equal((await plan([])).stages.length, 1, 'unknown changes match');
});

function ctxFor(event: string, branch: string, ref: string): BuildContext {
  const ctx = emptyContext();
  ctx.repo = { ...ctx.repo, slug: 'octocat/hello', namespace: 'octocat', name: 'hello', trusted: true };
  ctx.build = {
    ...ctx.build,
    number: 1,
    event,
    ref,
    target: branch,
    source: branch,
    after: '3d21ec53a331a6f037a91c368710b99387d012c1',
    action: event === 'tag' ? 'create' : '',
  };
  return ctx;
}

test('every real-world file of the corpus plans for push, pull request and tag builds', { skip: compatSkip() }, () => {
  const corpus = compatPath('drone-yml');
  const files = readdirSync(corpus).filter((f) => f.endsWith('.yml'));
  assert.ok(files.length >= 45);
  let stages = 0;
  for (const f of files) {
    const text = readFileSync(join(corpus, f), 'utf8');
    for (const ctx of [
      ctxFor('push', 'master', 'refs/heads/master'),
      ctxFor('pull_request', 'main', 'refs/pull/7/head'),
      ctxFor('tag', '', 'refs/tags/v1.2.3'),
    ]) {
      const { outline, plans } = planBuild(text, ctx, { file: f, trusted: true, compile: {} });
      assert.equal(outline.error, undefined, `${f} (${ctx.build.event}): ${outline.error}`);
      for (const [name, p] of plans) {
        assert.ok('plan' in p, `${f} stage ${name}: ${'error' in p ? p.error : ''}`);
        stages++;
      }
    }
  }
  assert.ok(stages > 150, `planned ${stages} stages`);
});
