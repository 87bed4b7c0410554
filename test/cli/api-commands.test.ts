// The API commands of the CLI, run as a user runs them (the real `hangar` as a subprocess) against
// a real `hangar server` process with a temp data directory: repo ls|info|enable|disable|update,
// build ls|info|create|restart|stop|promote|rollback|approve|decline, log view (of a step a real
// runner ran), secret ls|add|update|rm (values never printed), cron ls|info|add|rm|exec; tables
// by default, JSON with --format json / --json; errors as one line (401, 403, 404, connection
// refused → exit 1; usage → exit 2); DRONE_SERVER / DRONE_TOKEN.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { signLocalPush } from '../../src/server/scm/local.js';
import { findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { git, pipeline, pipelines, type WorkRepo, workRepo } from '../server/trigger-support.js';
import { api, cleanEnv, type HangarServer, startHangarServer } from './api-server.js';
import { type CliResult, hangarBin, runCli } from './run-cli.js';

// biome-ignore lint/suspicious/noExplicitAny: tests index into the JSON the commands print
type Json = any;

let server: HangarServer;
let work: WorkRepo;
let scratch = '';
const BOB_TOKEN = 'bob-token-0123456789abcdef';

before(async () => {
  server = await startHangarServer({ HANGAR_RPC_SECRET: 'rpc-secret-for-cli-tests' });
  work = await workRepo();
  await work.commit('first commit', { '.drone.yml': pipelines(pipeline('test')) });
  scratch = await mkdtemp(join(tmpdir(), 'hangar-cli-'));
  const bob = await api(server, 'POST', '/api/users', { login: 'bob', token: BOB_TOKEN });
  assert.equal(bob.status, 200, bob.text);
});
after(async () => {
  await server.dispose();
  await work.remove();
  await rm(scratch, { recursive: true, force: true });
});

/** `hangar ARGS…` as the admin (or with `env` overriding the server and token). */
function hangar(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return runCli(args, {
    cwd: scratch,
    env: cleanEnv({ HANGAR_SERVER: server.base, HANGAR_TOKEN: server.token, ...env }),
    ...(input !== undefined && { input }),
  });
}

/** Runs a command that must succeed and returns its stdout. */
async function ok(args: string[], env: Record<string, string> = {}, input?: string): Promise<string> {
  const res = await hangar(args, env, input);
  assert.equal(res.code, 0, `hangar ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

/** Runs a command with `--json` and parses what it prints. */
async function json(args: string[], env: Record<string, string> = {}): Promise<Json> {
  return JSON.parse(await ok([...args, '--json'], env));
}

/** Runs a command that must fail with `code` and one line on stderr; returns that line. */
async function fails(args: string[], code: number, env: Record<string, string> = {}): Promise<string> {
  const res = await hangar(args, env);
  assert.equal(res.code, code, `hangar ${args.join(' ')}: ${res.stdout}${res.stderr}`);
  assert.equal(res.stdout, '');
  assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
  return res.stderr.trim();
}

describe('hangar repo', () => {
  test('add, ls, info, update, disable, enable', async () => {
    await ok(['repo', 'add', work.dir, '--name', 'acme/app']);
    const table = await ok(['repo', 'ls']);
    assert.match(table, /^REPOSITORY\s+ACTIVE\s+SCM\s+VISIBILITY\s+BRANCH\s+LAST BUILD\n/);
    assert.match(table, /\nacme\/app\s+yes\s+local\s+private\s+main\s+-\n/);
    const listed = await json(['repo', 'ls']);
    assert.deepEqual(
      listed.map((r: Json) => r.slug),
      ['acme/app'],
    );
    assert.deepEqual(await json(['repo', 'ls', '--org', 'other']), []);

    const info = await ok(['repo', 'info', 'acme/app']);
    assert.match(info, /^Repository: +acme\/app$/m);
    assert.match(info, /^Default branch: +main$/m);
    assert.match(info, /^Timeout: +60m$/m);
    assert.match(info, /^Your access: +admin$/m);

    const updated = await json([
      'repo',
      'update',
      'acme/app',
      '--timeout',
      '1h30m',
      '--visibility',
      'internal',
      '--auto-cancel-pushes',
      '--trusted',
    ]);
    assert.deepEqual(
      [updated.timeout, updated.visibility, updated.auto_cancel_pushes, updated.trusted, updated.protected],
      [90, 'internal', true, true, false],
    );
    const off = await json([
      'repo',
      'update',
      'acme/app',
      '--no-trusted',
      '--timeout',
      '45',
      '--visibility',
      'private',
    ]);
    assert.deepEqual(
      [off.trusted, off.timeout, off.auto_cancel_pushes, off.visibility],
      [false, 45, true, 'private'],
    );
    assert.match(await fails(['repo', 'update', 'acme/app'], 2), /nothing to update/);
    assert.match(await fails(['repo', 'update', 'acme/app', '--build-counter', '9'], 2), /--unsafe/);
    assert.match(await fails(['repo', 'update', 'acme/app', '--visibility', 'secret'], 2), /--visibility/);

    assert.equal(await ok(['repo', 'disable', 'acme/app']), 'disabled acme/app\n');
    assert.equal((await json(['repo', 'info', 'acme/app'])).active, false);
    assert.deepEqual(await json(['repo', 'ls', '--active']), []);
    assert.equal((await json(['repo', 'enable', 'acme/app'])).active, true);
  });

  test('who may: 404 for a repository out of reach, 403 for a setting only admins change', async () => {
    const env = { HANGAR_TOKEN: BOB_TOKEN };
    const bobRepo = await workRepo();
    try {
      // A path on the server's machine is an administrator's to register; a repository in one's
      // own namespace is anyone's to enable.
      assert.match(
        await fails(['repo', 'add', bobRepo.dir, '--name', 'bob/own'], 1, env),
        /only system administrators can register a repository on the server's machine \(HTTP 403\)/,
      );
      await ok(['repo', 'enable', 'bob/own'], env);
      assert.equal(
        await fails(['repo', 'info', 'acme/app'], 1, env),
        'hangar: Not Found (HTTP 404: GET /api/repos/acme/app)',
      );
      assert.equal(
        await fails(['repo', 'update', 'bob/own', '--trusted'], 1, env),
        'hangar: only system administrators can change trusted (HTTP 403): your user lacks the permission',
      );
      assert.deepEqual(
        (await json(['repo', 'ls'], env)).map((r: Json) => r.slug),
        ['bob/own'],
      );
    } finally {
      await bobRepo.remove();
    }
  });
});

describe('hangar build', () => {
  test('create, ls, info, restart, stop, promote, rollback', async () => {
    await ok(['repo', 'add', work.dir, '--name', 'acme/builds']);
    const created = await ok(['build', 'create', 'acme/builds']);
    assert.match(
      created,
      /^build #1 pending \(custom refs\/heads\/main [0-9a-f]{12}\)\n {2}1\. test: pending\n/,
    );
    assert.match(created, new RegExp(`${server.base}/acme/builds/1\\n$`));

    const restarted = await json(['build', 'restart', 'acme/builds', '1', '--param', 'GREETING=hi']);
    assert.deepEqual([restarted.number, restarted.parent, restarted.params], [2, 1, { GREETING: 'hi' }]);
    const stopped = await ok(['build', 'stop', 'acme/builds', '2']);
    assert.equal(stopped, 'build #2 killed\n');
    const promoted = await json(['build', 'promote', 'acme/builds', '1', 'production']);
    assert.deepEqual([promoted.number, promoted.event, promoted.deploy_to], [3, 'promote', 'production']);
    const rolled = await json(['build', 'rollback', 'acme/builds', '1', 'production']);
    assert.deepEqual([rolled.number, rolled.event], [4, 'rollback']);

    // Reads and mistakes, side by side.
    const [table, promotes, limited, info, latest, missing, notNumber, notSlug, tooFew] = await Promise.all([
      ok(['build', 'ls', 'acme/builds']),
      json(['build', 'ls', 'acme/builds', '--event', 'promote']),
      json(['build', 'ls', 'acme/builds', '--limit', '2']),
      ok(['build', 'info', 'acme/builds', '2']),
      json(['build', 'info', 'acme/builds']),
      fails(['build', 'info', 'acme/builds', '99'], 1),
      fails(['build', 'info', 'acme/builds', 'x'], 2),
      fails(['build', 'ls', 'acme'], 2),
      fails(['build', 'promote', 'acme/builds', '1'], 2),
    ]);
    const lines = table.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^BUILD\s+STATUS\s+EVENT\s+BRANCH\s+COMMIT\s+AUTHOR\s+CREATED\s+MESSAGE$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3)),
      [
        ['#4', 'pending', 'rollback'],
        ['#3', 'pending', 'promote'],
        ['#2', 'killed', 'custom'],
        ['#1', 'pending', 'custom'],
      ],
    );
    assert.deepEqual(
      promotes.map((b: Json) => b.number),
      [3],
    );
    assert.deepEqual(
      limited.map((b: Json) => b.number),
      [4, 3],
    );
    assert.match(info, /^Build: +#2$/m);
    assert.match(info, /^Status: +killed$/m);
    assert.match(info, /^Parent: +#1$/m);
    assert.match(info, /^Params: +GREETING=hi$/m);
    assert.match(info, /\nSTAGE\s+NAME\s+STATUS\s+EXIT\s+DETAIL\n1\s+test\s+skipped/);
    assert.equal(latest.number, 4, 'the latest by default');
    assert.equal(missing, 'hangar: Build not found (HTTP 404)');
    assert.match(notNumber, /build must be a positive whole number/);
    assert.match(notSlug, /"acme" is not OWNER\/NAME/);
    assert.match(tooFew, /missing required argument/);
  });

  test('approve and decline builds waiting for approval', async () => {
    await ok(['repo', 'add', work.dir, '--name', 'acme/guarded']);
    await ok(['repo', 'update', 'acme/guarded', '--protected']);
    // A push notification (what the post-receive hook of a local repository sends): on a protected
    // repository, a build of an unsigned configuration waits for approval.
    const store = await server.openStore();
    const signer = (await findRepoBySlug(store.db, 'acme/guarded'))?.signer ?? '';
    await store.close();
    const sha = await git(work.dir, 'rev-parse', 'HEAD');
    const push = async () => {
      const { headers, body } = signLocalPush(
        { repo: 'acme/guarded', ref: 'refs/heads/main', before: sha, after: sha },
        signer,
      );
      const res = await fetch(`${server.base}/hook`, { method: 'POST', headers, body });
      const build = (await res.json()) as Json;
      assert.equal(build.status, 'blocked', JSON.stringify(build));
    };
    await push();
    assert.equal(
      await ok(['build', 'approve', 'acme/guarded', '1']),
      'approved stage 1 of build #1: pending\n',
    );
    assert.match(await fails(['build', 'approve', 'acme/guarded', '1'], 1), /no stage waiting for approval/);
    await push();
    assert.equal(await ok(['build', 'decline', 'acme/guarded', '2']), 'declined build #2: declined\n');
    await push();
    const declined = await json(['build', 'decline', 'acme/guarded', '3', '1']);
    assert.deepEqual([declined.status, declined.stages[0].status], ['declined', 'declined']);
  });
});

test('hangar log view prints the log of a step a runner ran', async () => {
  const exec = await workRepo();
  const runner = spawn(process.execPath, [hangarBin, 'runner'], {
    env: cleanEnv({
      HANGAR_RPC_PROTO: 'http',
      HANGAR_RPC_HOST: server.base.replace('http://', ''),
      HANGAR_RPC_SECRET: 'rpc-secret-for-cli-tests',
      HANGAR_RUNNER_ENGINE: 'exec',
      HANGAR_RUNNER_NAME: 'cli-test',
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let runnerErr = '';
  runner.stderr?.on('data', (d) => {
    runnerErr += d;
  });
  try {
    await exec.commit('exec pipeline', {
      '.drone.yml': pipelines(
        'kind: pipeline\ntype: exec\nname: unit\nclone:\n  disable: true\nsteps:\n- name: greet\n  commands:\n  - echo hello-from-step\n  - echo second line',
      ),
    });
    await ok(['repo', 'add', exec.dir, '--name', 'acme/logs']);
    await ok(['build', 'create', 'acme/logs']);
    let status = '';
    for (let i = 0; i < 400 && !['success', 'failure', 'error', 'killed'].includes(status); i++) {
      await sleep(50);
      status = ((await api(server, 'GET', '/api/repos/acme/logs/builds/1')).json as Json).status;
    }
    assert.equal(status, 'success', runnerErr);
    const text = await ok(['log', 'view', 'acme/logs', '1', '1', '1']);
    assert.match(text, /^\+ echo hello-from-step\nhello-from-step\n\+ echo second line\nsecond line\n$/);
    const lines = await json(['log', 'view', 'acme/logs', '1', '1', '1']);
    assert.deepEqual(lines.map((l: Json) => l.out).join(''), text);
    assert.deepEqual(
      lines.map((l: Json) => l.pos),
      lines.map((_: Json, i: number) => i),
    );
    assert.equal(
      await fails(['log', 'view', 'acme/logs', '1', '1', '9'], 1),
      'hangar: Step not found (HTTP 404)',
    );
    const info = await ok(['build', 'info', 'acme/logs', '1']);
    assert.match(info, /\n1\.1\s+greet\s+success\s+0/);
  } finally {
    if (runner.exitCode === null && runner.signalCode === null) {
      const exited = once(runner, 'exit');
      runner.kill('SIGTERM');
      await exited;
    }
    await exec.remove();
  }
});

test('hangar secret: add (value, @file, stdin), ls, update, rm; values are never printed', async () => {
  await ok(['repo', 'add', work.dir, '--name', 'acme/secrets']);
  const file = join(scratch, 'key.pem');
  await writeFile(file, 'file-secret-value\n');
  assert.equal(
    await ok(['secret', 'add', 'acme/secrets', 'token', '--data', 'plain-secret-value']),
    'added secret token\n',
  );
  await Promise.all([
    ok(['secret', 'add', 'acme/secrets', '--name', 'key', '--data', `@${file}`, '--allow-pull-request']),
    ok(
      ['secret', 'add', '--repository', 'acme/secrets', '--name', 'piped', '--data', '-'],
      {},
      'stdin-secret-value',
    ),
  ]);
  const [table, listed] = await Promise.all([
    ok(['secret', 'ls', 'acme/secrets']),
    json(['secret', 'ls', 'acme/secrets']),
  ]);
  assert.equal(
    table,
    'NAME   PULL REQUESTS  PUSH ON PULL REQUESTS\nkey    yes            no\npiped  no             no\ntoken  no             no\n',
  );
  assert.deepEqual(
    listed.map((s: Json) => [s.name, s.pull_request, 'data' in s]),
    [
      ['key', true, false],
      ['piped', false, false],
      ['token', false, false],
    ],
  );
  const updated = await json(['secret', 'update', 'acme/secrets', 'token', '--allow-push-on-pull-request']);
  assert.equal(updated.pull_request_push, true);
  const [dup, noData, noFile] = await Promise.all([
    fails(['secret', 'add', 'acme/secrets', 'token', '--data', 'again'], 1),
    fails(['secret', 'add', 'acme/secrets', 'nodata'], 2),
    fails(['secret', 'add', 'acme/secrets', 'x', '--data', '@/no/such/file'], 2),
  ]);
  assert.match(dup, /HTTP 409/);
  assert.match(noData, /give the value/);
  assert.match(noFile, /cannot read/);
  assert.equal(await ok(['secret', 'rm', 'acme/secrets', 'piped']), 'deleted secret piped\n');
  assert.match(await fails(['secret', 'rm', 'acme/secrets', 'piped'], 1), /HTTP 404/);
  assert.deepEqual(
    (await json(['secret', 'ls', 'acme/secrets'])).map((s: Json) => s.name),
    ['key', 'token'],
  );
  for (const value of ['plain-secret-value', 'file-secret-value', 'stdin-secret-value']) {
    assert.ok(!server.stdout().includes(value), 'no secret value in the server log');
  }
});

test('hangar cron: add, ls, info, exec, rm', async () => {
  await ok(['repo', 'add', work.dir, '--name', 'acme/crons']);
  const added = await ok(['cron', 'add', 'acme/crons', 'Nightly Build', '0 2 * * *', '--branch', 'main']);
  assert.match(
    added,
    /^added cron job nightly-build \(0 2 \* \* \* on main\), next run \d{4}-\d\d-\d\d 02:00:00 UTC\n$/,
  );
  const table = await ok(['cron', 'ls', 'acme/crons']);
  assert.match(
    table,
    /^NAME\s+EXPR\s+BRANCH\s+NEXT\s+PREVIOUS\s+DISABLED\nnightly-build\s+0 2 \* \* \*\s+main\s+\S+ 02:00:00 UTC\s+-\s+no\n$/,
  );
  const info = await json(['cron', 'info', 'acme/crons', 'nightly-build']);
  assert.deepEqual(
    [info.name, info.expr, info.branch, info.disabled],
    ['nightly-build', '0 2 * * *', 'main', false],
  );
  const run = await json(['cron', 'exec', 'acme/crons', 'nightly-build']);
  assert.deepEqual([run.number, run.event, run.trigger, run.cron], [1, 'cron', '@cron', 'nightly-build']);
  assert.match(
    await fails(['cron', 'add', 'acme/crons', 'bad', '61 * * * *'], 1),
    /^hangar: Invalid Cronjob Expression: .*\(HTTP 400\)$/,
  );
  assert.equal(await ok(['cron', 'rm', 'acme/crons', 'nightly-build']), 'deleted cron job nightly-build\n');
  assert.equal(await ok(['cron', 'ls', 'acme/crons']), 'no cron jobs\n');
  assert.match(await fails(['cron', 'info', 'acme/crons', 'nightly-build'], 1), /HTTP 404/);
});

describe('settings and errors', () => {
  test("DRONE_SERVER and DRONE_TOKEN work as drone-cli's", async () => {
    const listed = await json(['repo', 'ls'], {
      HANGAR_SERVER: '',
      HANGAR_TOKEN: '',
      DRONE_SERVER: `${server.base}/`,
      DRONE_TOKEN: server.token,
    });
    assert.ok(Array.isArray(listed));
  });

  test('a wrong token, an unreachable server, missing settings, bad flags', async () => {
    assert.equal(
      await fails(['repo', 'ls'], 1, { HANGAR_TOKEN: 'not-a-real-token-at-all' }),
      'hangar: Unauthorized (HTTP 401): check HANGAR_TOKEN, the server does not accept it',
    );
    // A port nobody listens on any more.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    assert.equal(
      await fails(['build', 'ls', 'acme/app'], 1, { HANGAR_SERVER: `http://127.0.0.1:${port}` }),
      `hangar: cannot reach http://127.0.0.1:${port}: connection refused`,
    );
    const [noServer, noToken, badUrl, badFormat, unknown] = await Promise.all([
      fails(['repo', 'ls'], 2, { HANGAR_SERVER: '' }),
      fails(['repo', 'ls'], 2, { HANGAR_TOKEN: '' }),
      fails(['repo', 'ls'], 2, { HANGAR_SERVER: 'ftp://x' }),
      fails(['repo', 'ls', '--format', 'yaml'], 2),
      hangar(['cron', 'nope']),
    ]);
    assert.match(noServer, /set HANGAR_SERVER/);
    assert.match(noToken, /set HANGAR_TOKEN/);
    assert.match(badUrl, /must be an http\(s\) URL/);
    assert.match(badFormat, /--format must be table or json/);
    assert.equal(unknown.code, 2);
  });
});
