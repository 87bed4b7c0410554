// The plugin contract end to end (drone-reference.md §4.4, §6; docs/plugins.md), with the example
// plugin examples/plugins/build-info built offline into an image: settings of every kind reach it as
// PLUGIN_* variables in the encoding the compiler promises, it reads the DRONE_* variables and the
// workspace, its secret is masked in the logs, exit 1 fails and exit 78 ends the pipeline early and
// successfully. Stages run through parse → compile → executeStage on the Docker engine, and the
// walk-through's pipeline runs through the `hangar exec` command.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildInfo, readConfig } from '../../examples/plugins/build-info/src/build-info.js';
import {
  EXIT_SKIP_REST,
  outcome,
  PluginError,
  Settings,
  SkipRest,
} from '../../examples/plugins/build-info/src/plugin.js';
import { executeStage } from '../../src/runner/execute/execute.js';
import type { StageResult } from '../../src/runner/execute/types.js';
import { compileStage } from '../../src/spec/compile/compile.js';
import { settingsEnviron } from '../../src/spec/compile/settings.js';
import { emptyContext } from '../../src/spec/context.js';
import { parseManifest } from '../../src/spec/manifest/parse.js';
import type { Pipeline, Resource } from '../../src/spec/manifest/types.js';
import { repoRoot } from '../support/compat.js';
import { dockerSkip, dockerSocket, engine, ensureTestImages, leftovers } from './support.js';

const skip = dockerSkip();
const PLUGIN_DIR = join(repoRoot, 'examples', 'plugins', 'build-info');
const PLUGIN = 'hangar-example/build-info:1';
const SECRET = 'hunter2-Sup3r-s1gning-key';
const SHA = '6f2c4d8e0a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d';

before(async () => {
  if (skip) return;
  await ensureTestImages();
  // Idempotent and keyed by content: a no-op (well under a second) when nothing changed.
  execFileSync('bash', [join(PLUGIN_DIR, 'build.sh'), '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DOCKER_SOCKET: dockerSocket },
  });
});

/** Settings as the compiler encodes them, straight from YAML. */
function encoded(yaml: string): Record<string, string | undefined> {
  const pipeline = onlyPipeline(
    `kind: pipeline\nname: p\nsteps:\n- name: s\n  image: x\n  settings:\n${yaml}`,
  );
  const { env, secrets } = settingsEnviron(pipeline.steps[0]!.settings);
  return { ...env, ...Object.fromEntries(secrets.map((s) => [s.env, `<${s.name}>`])) };
}

function onlyPipeline(yaml: string): Pipeline {
  const { manifest, diagnostics } = parseManifest(yaml);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const pipeline = manifest.resources.find((r: Resource): r is Pipeline => r.kind === 'pipeline');
  assert.ok(pipeline);
  return pipeline;
}

test('the plugin reads back every kind of setting exactly as the compiler encodes it', () => {
  const env = encoded(
    [
      '    output: "dist/info: v1.json"',
      '    indent: 4',
      '    ratio: 0.25',
      '    checksum: false',
      '    artifacts: [a.txt, "b c.txt", 1.10]',
      '    single: only.txt',
      '    labels: {team: platform, tier: 2, html: "<b>&</b>", nested: {k: [1, x]}}',
      '    hosts: [{name: a, ip: 10.0.0.1}, {name: b}]',
      '    signing_key: {from_secret: key}',
      '    Mixed-Case: yes',
      '    straße: süß',
    ].join('\n'),
  );
  const s = new Settings(env);
  assert.equal(s.string('output'), 'dist/info: v1.json');
  assert.equal(s.number('indent', 2), 4);
  assert.equal(s.number('ratio', 1), 0.25);
  assert.equal(s.bool('checksum', true), false);
  // YAML reads an unquoted 1.10 as the float 1.1: version strings in lists must be quoted
  assert.deepEqual(s.list('artifacts'), ['a.txt', 'b c.txt', '1.1']);
  assert.deepEqual(s.list('single'), ['only.txt']);
  assert.deepEqual(s.object('labels'), {
    html: '<b>&</b>',
    nested: { k: [1, 'x'] },
    team: 'platform',
    tier: 2,
  });
  assert.equal(
    env.PLUGIN_LABELS,
    '{"html":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e","nested":{"k":[1,"x"]},"team":"platform","tier":2}',
  );
  assert.deepEqual(s.list('hosts'), ['{"ip":"10.0.0.1","name":"a"}', '{"name":"b"}']);
  assert.equal(s.secret('signing_key'), '<key>');
  assert.equal(env['PLUGIN_MIXED-CASE'], 'true');
  assert.equal(s.bool('mixed-case', false), true);
  assert.equal(s.string('straße'), 'süß');
  // absent settings give the fallbacks
  assert.equal(s.string('missing', 'dflt'), 'dflt');
  assert.equal(s.number('missing', 7), 7);
  assert.deepEqual(s.list('missing'), []);
  assert.equal(s.object('missing'), undefined);
  assert.equal(s.secret('missing'), '');
});

test('bad setting values fail with a message naming the setting', () => {
  const bad = (env: Record<string, string>) => () => readConfig(new Settings(env));
  assert.throws(bad({ PLUGIN_INDENT: 'wide' }), {
    message: 'settings.indent: expected a number, got "wide"',
  });
  assert.throws(bad({ PLUGIN_INDENT: '2.5' }), {
    message: 'settings.indent: expected a whole number, got 2.5',
  });
  assert.throws(bad({ PLUGIN_INDENT: '9' }), /settings\.indent: 9 is out of range \(0\.\.8\)/);
  assert.throws(bad({ PLUGIN_CHECKSUM: 'maybe' }), {
    message: 'settings.checksum: expected true or false, got "maybe"',
  });
  assert.throws(bad({ PLUGIN_LABELS: '[1,2]' }), {
    message: 'settings.labels: expected a map (key: value pairs)',
  });
  assert.throws(bad({ PLUGIN_ON_MISSING: 'ignore' }), {
    message: 'settings.on_missing: expected one of fail, skip, got "ignore"',
  });
  for (const f of [bad({ PLUGIN_INDENT: 'x' }), bad({ PLUGIN_LABELS: '{' })]) assert.throws(f, PluginError);
});

test('outcomes map to the contract exit codes', () => {
  assert.deepEqual(outcome(undefined), { code: 0, stream: 'stdout' });
  assert.deepEqual(outcome(new SkipRest('nothing to do')), {
    code: EXIT_SKIP_REST,
    line: 'nothing to do',
    stream: 'stdout',
  });
  assert.deepEqual(outcome(new PluginError('missing x')), {
    code: 1,
    line: 'error: missing x',
    stream: 'stderr',
  });
  assert.deepEqual(outcome(new TypeError('boom')), {
    code: 1,
    line: 'unexpected error: boom',
    stream: 'stderr',
  });
});

test('the plugin refuses paths outside the working directory (host run, no container)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-plugin-'));
  try {
    const run = (env: Record<string, string>) =>
      buildInfo({ env, cwd: dir, now: new Date(0), log: () => {} });
    await assert.rejects(run({ PLUGIN_OUTPUT: '../escape.json' }), {
      message: `settings.output: "../escape.json" is not a file inside the workspace (${dir})`,
    });
    await assert.rejects(
      run({ PLUGIN_ARTIFACTS: '/etc/passwd' }),
      /settings\.artifacts: "\/etc\/passwd" is not a file/,
    );
    await writeFile(join(dir, 'a.bin'), 'abc');
    const doc = await run({
      PLUGIN_ARTIFACTS: 'a.bin',
      PLUGIN_CHECKSUM: 'false',
      PLUGIN_OUTPUT: 'out/i.json',
    });
    assert.deepEqual(doc.artifacts, [{ path: 'a.bin', size: 3 }]);
    assert.deepEqual(
      JSON.parse(await readFile(join(dir, 'out', 'i.json'), 'utf8')),
      JSON.parse(JSON.stringify(doc)),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Runs a one-pipeline YAML as build #42 of octocat/hello, pushed to main, with the test secret. */
async function runStage(yaml: string, id: string): Promise<StageResult & { logs: Record<string, string> }> {
  const pipeline = onlyPipeline(yaml);
  const ctx = emptyContext();
  Object.assign(ctx.repo, { slug: 'octocat/hello', namespace: 'octocat', name: 'hello', branch: 'main' });
  Object.assign(ctx.build, {
    number: 42,
    event: 'push',
    ref: 'refs/heads/main',
    target: 'main',
    source: 'main',
    after: SHA,
    message: 'release it',
    authorLogin: 'octocat',
    authorEmail: 'octocat@example.com',
    created: 1_700_000_000,
  });
  Object.assign(ctx.stage, { name: pipeline.name, number: 1 });
  const plan = compileStage(pipeline, ctx, { id: `plugin-${process.pid}-${id}` });
  const res = await executeStage(plan, engine(), { secrets: { signing_key: SECRET } });
  assert.deepEqual(await leftovers(plan.id), { containers: 0, volumes: 0, networks: 0 });
  const logs = Object.fromEntries(res.steps.map((s) => [s.name, s.log.map((l) => l.out).join('')]));
  return { ...res, logs };
}

const statuses = (res: StageResult) => res.steps.map((s) => `${s.name}:${s.status}:${s.exitCode}`);

const HEAD = `kind: pipeline
type: docker
name: release
clone:
  disable: true
steps:
- name: make
  image: busybox:1
  commands:
  - mkdir -p dist
  - printf hello > dist/app.bin
  - echo "read me" > dist/README.txt
`;

// Independent stages, so they run side by side.
describe('on the Docker engine', { skip, concurrency: true, timeout: 120_000 }, () => {
  test('a plugin step gets every kind of setting, the build variables and the workspace; its secret is masked', async () => {
    const res = await runStage(
      `${HEAD}
- name: info
  image: ${PLUGIN}
  settings:
    output: dist/build-info.json
    indent: 4
    checksum: true
    artifacts: [dist/app.bin, dist/README.txt]
    labels: {team: platform, tier: 2, html: "<b>&</b>"}
    signing_key:
      from_secret: signing_key
    on_missing: fail
    debug: true
- name: show
  image: busybox:1
  environment:
    KEY:
      from_secret: signing_key
  commands:
  - cat dist/build-info.json
  - cat dist/build-info.json.sig
  - 'echo "a command step prints the key: $KEY"'
`,
      'kinds',
    );
    assert.equal(res.status, 'success', JSON.stringify(res.logs));
    assert.deepEqual(statuses(res), ['make:success:0', 'info:success:0', 'show:success:0']);

    // What the plugin received, printed by its debug mode: the §4.4 encodings, the secret masked.
    const info = res.logs.info!;
    for (const line of [
      'debug: PLUGIN_ARTIFACTS=dist/app.bin,dist/README.txt',
      'debug: PLUGIN_CHECKSUM=true',
      'debug: PLUGIN_INDENT=4',
      'debug: PLUGIN_LABELS={"html":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e","team":"platform","tier":2}',
      'debug: PLUGIN_ON_MISSING=fail',
      'debug: PLUGIN_OUTPUT=dist/build-info.json',
      'debug: PLUGIN_SIGNING_KEY=******',
      'build-info: octocat/hello #42 push at 6f2c4d8e',
      'wrote dist/build-info.json',
      'signed it: dist/build-info.json.sig (HMAC-SHA256)',
    ]) {
      assert.ok(info.includes(line), `missing "${line}" in:\n${info}`);
    }
    for (const [name, log] of Object.entries(res.logs))
      assert.ok(!log.includes(SECRET), `secret in the ${name} log`);
    assert.match(res.logs.show!, /^a command step prints the key: \*{6}$/m);

    // What the plugin wrote into the workspace, read back by the next step.
    const printed = res.logs
      .show!.split('\n')
      .filter((l) => !l.startsWith('+ '))
      .join('\n');
    const json = printed.slice(0, printed.lastIndexOf('}') + 1);
    const sig = printed.match(/^[0-9a-f]{64}$/m)?.[0];
    const doc = JSON.parse(json);
    assert.equal(json, JSON.stringify(doc, null, 4), 'indent: 4');
    assert.equal(
      sig,
      createHmac('sha256', SECRET).update(`${json}\n`).digest('hex'),
      'signed with the secret',
    );
    const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
    assert.deepEqual(doc.artifacts, [
      { path: 'dist/app.bin', size: 5, sha256: sha256('hello') },
      { path: 'dist/README.txt', size: 8, sha256: sha256('read me\n') },
    ]);
    assert.deepEqual(doc.labels, { html: '<b>&</b>', team: 'platform', tier: 2 });
    assert.deepEqual(doc.repo, { slug: 'octocat/hello', link: '', defaultBranch: 'main' });
    assert.deepEqual(doc.commit, {
      sha: SHA,
      ref: 'refs/heads/main',
      branch: 'main',
      message: 'release it',
      author: 'octocat',
      authorEmail: 'octocat@example.com',
      link: '',
    });
    assert.equal(doc.build.number, 42);
    assert.equal(doc.build.event, 'push');
    assert.equal(doc.build.created, '2023-11-14T22:13:20.000Z');
    assert.deepEqual(doc.stage, { name: 'release', number: 1 });
    assert.deepEqual(doc.step, { name: 'info', number: 2 });
    assert.equal(doc.workspace, '/drone/src');
  });

  test('exit 78 ends the pipeline early: the step succeeds and every remaining step is skipped', async () => {
    const res = await runStage(
      `${HEAD}
- name: info
  image: ${PLUGIN}
  settings:
    artifacts: [dist/app.bin, dist/app.tar.gz]
    on_missing: skip
- name: publish
  image: busybox:1
  commands: [echo publishing]
- name: notify
  image: busybox:1
  commands: [echo notifying]
  when:
    status: [success, failure]
`,
      'skip',
    );
    assert.equal(res.status, 'success');
    assert.equal(res.exitCode, 0);
    assert.deepEqual(statuses(res), [
      'make:success:0',
      'info:success:78',
      'publish:skipped:0',
      'notify:skipped:0',
    ]);
    assert.equal(
      res.logs.info,
      'missing artifact: dist/app.tar.gz; nothing to describe, skipping the rest of the pipeline\n',
    );
  });

  test('exit 1 fails the step with its message; later on-success steps are skipped', async () => {
    const res = await runStage(
      `${HEAD}
- name: info
  image: ${PLUGIN}
  settings:
    artifacts: [dist/app.bin, dist/app.tar.gz, dist/app.sig]
- name: publish
  image: busybox:1
  commands: [echo publishing]
- name: notify
  image: busybox:1
  commands: [echo "build is $DRONE_BUILD_STATUS"]
  when:
    status: [failure]
`,
      'fail',
    );
    assert.equal(res.status, 'failure');
    assert.deepEqual(statuses(res), [
      'make:success:0',
      'info:failure:1',
      'publish:skipped:0',
      'notify:success:0',
    ]);
    assert.equal(
      res.logs.info,
      'error: missing artifacts: dist/app.tar.gz, dist/app.sig (set on_missing: skip to end the pipeline successfully instead)\n',
    );
    assert.equal(res.logs.notify, '+ echo "build is $DRONE_BUILD_STATUS"\nbuild is failure\n');
  });

  /** Runs `hangar exec` on the walk-through's pipeline in a scratch directory. */
  function hangarExec(
    cwd: string,
    args: string[],
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const file = join(PLUGIN_DIR, '.drone.yml');
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [
          join(repoRoot, 'bin', 'hangar.js'),
          'exec',
          file,
          '--repo',
          'octocat/hello',
          '--commit',
          SHA,
          ...args,
        ],
        { cwd, env: { ...process.env, NO_COLOR: '1', DOCKER_SOCKET: dockerSocket }, timeout: 110_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  let scratch: string | undefined;
  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('hangar exec runs the walk-through pipeline of docs/plugins.md', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'hangar-plugin-exec-'));
    const [full, skipped] = await Promise.all([
      hangarExec(scratch, ['--secret', `signing_key=${SECRET}`]),
      // Without the build step there is nothing to describe: on_missing: skip ends the pipeline there.
      hangarExec(scratch, ['--secret', `signing_key=${SECRET}`, '--exclude', 'build']),
    ]);

    assert.equal(full.code, 0, full.stdout + full.stderr);
    assert.ok(!full.stdout.includes(SECRET) && !full.stderr.includes(SECRET), 'secret printed');
    assert.match(full.stdout, /^\[build-info\] build-info: octocat\/hello #1 push at 6f2c4d8e$/m);
    assert.match(full.stdout, /^\[build-info\] wrote dist\/build-info\.json \(\d+ bytes\)$/m);
    const published = full.stdout
      .split('\n')
      .filter((l) => l.startsWith('[publish'))
      .map((l) => l.replace(/^\[publish\s*\] /, ''));
    const start = published.indexOf('{');
    const end = published.indexOf('}');
    const json = published.slice(start, end + 1).join('\n');
    const doc = JSON.parse(json);
    assert.deepEqual(doc.labels, { team: 'platform', tier: 1 });
    assert.deepEqual(
      doc.artifacts.map((a: { path: string }) => a.path),
      ['dist/app.txt', 'dist/app.tar.gz'],
    );
    const sig = createHmac('sha256', SECRET).update(`${json}\n`).digest('hex');
    assert.ok(published.includes(`signature ${sig}`), published.join('\n'));
    assert.match(full.stdout, /^pipeline success$/m);

    assert.equal(skipped.code, 0, skipped.stdout + skipped.stderr);
    assert.match(
      skipped.stdout,
      /^\[build-info\] missing artifacts: dist\/app\.txt, dist\/app\.tar\.gz; nothing to describe, skipping the rest of the pipeline$/m,
    );
    assert.match(skipped.stdout, /^publish\s+skipped\b/m);
    assert.match(skipped.stdout, /^pipeline success$/m);
  });
});
