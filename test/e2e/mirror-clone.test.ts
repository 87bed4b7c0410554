// A private remote git repository built for real: `hangar server` mirrors it (Basic auth over git's
// smart HTTP on loopback), a `hangar runner --engine exec` process accepts the stage and its
// host-side git clone fetches the remote URL itself with the netrc the server sends, and the step
// sees the committed file. No Docker needed. The password appears in no log.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, cleanEnv, startHangarServer } from '../cli/api-server.js';
import { hangarBin } from '../cli/run-cli.js';
import { startRemote } from '../support/git-remote.js';

type Json = Record<string, unknown>;

test('a runner clones a private remote from its URL with the netrc the server sends', async () => {
  const password = 'Cl0ne-token-4567';
  const remote = await startRemote({ auth: { login: 'jane', password } });
  const rpcSecret = 'rpc-secret-for-mirror-test';
  const server = await startHangarServer({
    HANGAR_FROM_SOURCE: '1',
    HANGAR_RPC_SECRET: rpcSecret,
    HANGAR_LOG_LEVEL: 'info',
  });
  const runner = spawn(process.execPath, [hangarBin, 'runner'], {
    env: cleanEnv({
      HANGAR_FROM_SOURCE: '1',
      HANGAR_RPC_PROTO: 'http',
      HANGAR_RPC_HOST: server.base.replace('http://', ''),
      HANGAR_RPC_SECRET: rpcSecret,
      HANGAR_RUNNER_ENGINE: 'exec',
      HANGAR_RUNNER_NAME: 'mirror-test',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let runnerLog = '';
  runner.stdout?.on('data', (d) => {
    runnerLog += d;
  });
  runner.stderr?.on('data', (d) => {
    runnerLog += d;
  });
  try {
    const sha = await remote.commit('exec pipeline', {
      'hello.txt': 'hello from the remote\n',
      '.drone.yml':
        'kind: pipeline\ntype: exec\nname: default\nsteps:\n- name: show\n  commands:\n  - cat hello.txt\n  - git rev-parse HEAD\n',
    });
    const added = await api(server, 'POST', '/api/repos/acme/private', {
      scm: 'git',
      git_http_url: remote.url,
      username: 'jane',
      password,
    });
    assert.equal(added.status, 200, added.text);
    const built = await api(server, 'POST', '/api/repos/acme/private/builds');
    assert.equal(built.status, 200, built.text);
    assert.equal((built.json as Json).after, sha);

    let build: Json = {};
    for (let i = 0; i < 600; i++) {
      build = (await api(server, 'GET', '/api/repos/acme/private/builds/1')).json as Json;
      if (['success', 'failure', 'error', 'killed'].includes(String(build.status))) break;
      await sleep(100);
    }
    const stages = build.stages as { number: number; steps: { number: number; name: string }[] }[];
    const stepLog = async (name: string) => {
      const step = stages[0]?.steps.find((s) => s.name === name);
      assert.ok(step, `step ${name}`);
      const res = await api(server, 'GET', `/api/repos/acme/private/builds/1/logs/1/${step.number}`);
      return ((res.json ?? []) as { out: string }[]).map((l) => l.out).join('');
    };
    const clone = await stepLog('clone');
    assert.equal(build.status, 'success', `${clone}\n${runnerLog}`);
    assert.match(clone, new RegExp(`fetch.*${remote.url.replace(/[.]/g, '\\.')}|${remote.url}`));
    const show = await stepLog('show');
    assert.match(show, /hello from the remote/);
    assert.match(show, new RegExp(sha));
    assert.ok(remote.authHeaders.length > 0, 'the remote was asked with credentials');
    for (const [who, text] of [
      ['clone log', clone],
      ['server log', server.stdout() + server.stderr()],
      ['runner log', runnerLog],
    ] as const) {
      assert.ok(!text.includes(password), `the password is not in the ${who}`);
    }
  } finally {
    if (runner.exitCode === null && runner.signalCode === null) {
      const exited = once(runner, 'exit');
      runner.kill('SIGTERM');
      await exited;
    }
    await server.dispose();
    await remote.close();
  }
});
