// `hangar lint` and `hangar plan` on a .jsonnet file: evaluated first (ext vars from the build flags,
// imports from the repository on disk), then checked and planned as YAML; Jsonnet errors exit 2.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonnetAvailable } from '../../src/convert/jsonnet.js';
import { runCli } from './run-cli.js';

// Optional addon: skipped on a machine without it, but never in CI (CI must have built it).
const skip = (await jsonnetAvailable())
  ? false
  : process.env.CI
    ? false
    : 'the jsonnet addon is not installed';

const repo = mkdtempSync(join(tmpdir(), 'hangar-cli-jsonnet-'));
mkdirSync(join(repo, '.git'));
mkdirSync(join(repo, 'lib'));
const outside = mkdtempSync(join(tmpdir(), 'hangar-cli-outside-'));
writeFileSync(join(outside, 'secret.libsonnet'), '{ leaked: true }');
symlinkSync(join(outside, 'secret.libsonnet'), join(repo, 'lib', 'link.libsonnet'));

writeFileSync(
  join(repo, 'lib', 'pipeline.libsonnet'),
  `{
  pipeline(name, deps=[]):: {
    kind: 'pipeline', type: 'docker', name: name, depends_on: deps,
    steps: [{ name: 'test', image: 'alpine', commands: ['echo ' + std.extVar('build.branch') + ' ' + std.extVar('build.event')] }],
  },
}
`,
);
writeFileSync(
  join(repo, '.drone.jsonnet'),
  `local lib = import 'lib/pipeline.libsonnet';
[
  lib.pipeline('build'),
  lib.pipeline('deploy', ['build']) + { trigger: { event: ['tag'] } },
]
`,
);
writeFileSync(join(repo, 'bad.jsonnet'), `{\n  kind: 'pipeline',\n  name: error 'no name here',\n}\n`);
writeFileSync(join(repo, 'lint.jsonnet'), `{ kind: 'pipeline', name: 'x', steps: [{ name: 's' }] }\n`);
writeFileSync(join(repo, 'escape.jsonnet'), `import '../x.libsonnet'\n`);
writeFileSync(join(repo, 'link.jsonnet'), `import 'lib/link.libsonnet'\n`);

test('hangar lint FILE.jsonnet: a good file is silent (exit 0), a linter error exits 1', {
  skip,
}, async () => {
  const good = await runCli(['lint', '.drone.jsonnet'], { cwd: repo });
  assert.equal(good.code, 0, good.stderr + good.stdout);
  assert.equal(good.stdout, '');
  const bad = await runCli(['lint', 'lint.jsonnet'], { cwd: repo });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stdout, /^lint\.jsonnet \(as YAML\):\d+:\d+: steps\[0\]\.image: /m);
});

test('hangar plan FILE.jsonnet: ext vars from the flags, an array makes several pipelines', {
  skip,
}, async () => {
  const push = await runCli(['plan', '.drone.jsonnet', '--event', 'push', '--branch', 'dev', '--json'], {
    cwd: repo,
  });
  assert.equal(push.code, 0, push.stderr);
  const out = JSON.parse(push.stdout);
  assert.deepEqual(
    out.stages.map((s: { name: string }) => s.name),
    ['build'],
  );
  assert.deepEqual(out.skipped, ['deploy']);
  assert.deepEqual(out.stages[0].steps.at(-1).commands, ['echo dev push']);
  const tag = await runCli(['plan', '.drone.jsonnet', '--event', 'tag', '--branch', 'v1'], { cwd: repo });
  assert.equal(tag.code, 0, tag.stderr);
  assert.match(tag.stdout, /stage 1: build/);
  assert.match(tag.stdout, /stage 2: deploy \[docker\] \(after build\)/);
});

test('hangar lint|plan: Jsonnet errors are one file:line:col line, exit 2, no stack trace', {
  skip,
}, async () => {
  const lint = await runCli(['lint', 'bad.jsonnet'], { cwd: repo });
  assert.equal(lint.code, 2);
  assert.equal(lint.stderr, 'hangar: bad.jsonnet:3:9: no name here\n');
  const plan = await runCli(['plan', 'bad.jsonnet', '--event', 'push', '--branch', 'main'], { cwd: repo });
  assert.equal(plan.code, 2);
  assert.equal(plan.stderr, 'hangar: bad.jsonnet:3:9: no name here\n');
});

test('hangar lint: imports stay inside the repository, symbolic links included', { skip }, async () => {
  const escaping = await runCli(['lint', 'escape.jsonnet'], { cwd: repo });
  assert.equal(escaping.code, 2);
  assert.equal(
    escaping.stderr,
    'hangar: escape.jsonnet:1:1: cannot import "../x.libsonnet": only files inside the repository can be imported\n',
  );
  const link = await runCli(['lint', 'link.jsonnet'], { cwd: repo });
  assert.equal(link.code, 2);
  assert.equal(
    link.stderr,
    'hangar: link.jsonnet:1:1: cannot import "lib/link.libsonnet": lib/link.libsonnet leads outside the repository\n',
  );
});

test('hangar lint: a missing .jsonnet file is a usage error', async () => {
  const r = await runCli(['lint', 'nope.jsonnet'], { cwd: repo });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^hangar: cannot read nope\.jsonnet: no such file\n$/);
});

test('hangar exec FILE.jsonnet: runs the evaluated pipeline (type: exec, host processes)', {
  skip,
}, async () => {
  writeFileSync(
    join(repo, 'exec.jsonnet'),
    `{
  kind: 'pipeline', type: 'exec', name: 'hello', platform: { os: 'linux', arch: 'amd64' },
  steps: [{ name: 'say', commands: ['echo hello from ' + std.extVar('build.event') + ' on ' + std.extVar('build.branch')] }],
}
`,
  );
  const r = await runCli(['exec', 'exec.jsonnet', '--branch', 'dev'], { cwd: repo });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^\[say\s*\] hello from push on dev$/m);
});
