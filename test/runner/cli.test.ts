// `hangar runner` as a real process against the real server: settings errors are one clear line
// (exit 2); SIGTERM drains — no new stage is taken, the running one finishes and is reported, the
// process exits 0; when the grace period runs out, the running stage is cancelled and reported killed.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RpcServer, until } from './harness.js';

const bin = new URL('../../bin/hangar.js', import.meta.url).pathname;

let server: RpcServer;
let gates: string;

before(async () => {
  server = await RpcServer.start({ queue: { holdMs: 2000 } });
  gates = await mkdtemp(join(tmpdir(), 'hangar-cli-gates-'));
});
after(async () => {
  await server.close();
  await rm(gates, { recursive: true, force: true });
});

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HANGAR_') && !k.startsWith('DRONE_')) env[k] = v;
  }
  return { ...env, ...extra };
}

interface Proc {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

function runner(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [bin, 'runner', ...args], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    exit: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>,
  };
}

const serverEnv = () => ({
  HANGAR_RPC_HOST: server.host,
  DRONE_RPC_SECRET: server.secret,
  HANGAR_RUNNER_ENGINE: 'exec',
  HANGAR_RUNNER_NAME: 'cli-runner',
});

describe('hangar runner', () => {
  test('settings mistakes: one line, exit 2, no stack trace', async () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{}, [], /HANGAR_RPC_HOST \(or DRONE_RPC_HOST, --host\) is required/],
      [
        { DRONE_RPC_HOST: 'x:1', DRONE_RPC_SECRET: 's' },
        ['--capacity', 'lots'],
        /--capacity: must be a whole number/,
      ],
      [
        { DRONE_RPC_HOST: 'x:1', DRONE_RPC_SECRET: 's', HANGAR_RUNNER_ENGINE: 'kube' },
        [],
        /must be docker or exec/,
      ],
      [
        { DRONE_RPC_HOST: 'x:1', DRONE_RPC_SECRET: 's' },
        ['--docker-config', '/nonexistent/config.json'],
        /cannot read the docker config/,
      ],
    ];
    for (const [env, args, re] of cases) {
      const p = runner(args, env);
      const [code] = await p.exit;
      assert.equal(code, 2, p.stderr());
      assert.match(p.stderr(), re);
      assert.doesNotMatch(p.stderr(), /\n\s+at /);
    }
  });

  test('a wrong RPC secret is said plainly (and never printed); SIGTERM while waiting exits 0', async () => {
    const p = runner([], { ...serverEnv(), DRONE_RPC_SECRET: 'not-the-secret' });
    try {
      await until('the refusal', async () =>
        /the server refuses this runner: check the RPC secret/.test(p.stdout()),
      );
      p.child.kill('SIGTERM');
      const [code] = await p.exit;
      assert.equal(code, 0, p.stderr());
      assert.doesNotMatch(p.stdout() + p.stderr(), /not-the-secret/);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('SIGTERM: no new stages, the running one finishes and is reported, exit 0', async () => {
    const go = join(gates, 'drain-go');
    const repo = await server.repo({
      '.drone.yml': `kind: pipeline
type: exec
clone:
  disable: true
steps:
- name: wait
  commands:
  - echo waiting
  - while [ ! -f ${go} ]; do sleep 0.05; done
  - echo released
`,
    });
    const quick = await server.repo({
      '.drone.yml':
        'kind: pipeline\ntype: exec\nclone:\n  disable: true\nsteps:\n- name: a\n  commands: [echo a]\n',
    });
    const p = runner([], serverEnv());
    try {
      const build = await server.build(repo);
      await until('the step to run', async () => {
        const [stage] = await server.stages(build.id);
        return stage?.steps.some((s) => s.status === 'running');
      });
      p.child.kill('SIGTERM');
      await until('the runner to stop polling', async () => /SIGTERM: taking no new stages/.test(p.stderr()));
      const later = await server.build(quick);
      await writeFile(go, '');
      const [code] = await p.exit;
      assert.equal(code, 0, p.stderr());

      const [stage] = await server.stages(build.id);
      assert.deepEqual(
        [stage?.status, stage?.machine, stage?.steps.map((s) => [s.name, s.status])],
        ['success', 'cli-runner', [['wait', 'success']]],
      );
      assert.match(await server.logOf(stage!.steps[0]!.id), /^released$/m);
      // The build made after SIGTERM was left for another runner.
      const [waiting] = await server.stages(later.id);
      assert.deepEqual([waiting?.status, waiting?.machine], ['pending', '']);
      assert.match(p.stdout(), /"msg":"runner stopped"/);
      await server.api('DELETE', `/api/repos/${quick.slug}/builds/${later.number}`);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('SIGTERM with a grace period that runs out: the stage is cancelled and reported killed', async () => {
    const repo = await server.repo({
      '.drone.yml':
        'kind: pipeline\ntype: exec\nclone:\n  disable: true\nsteps:\n- name: forever\n  commands:\n  - echo going\n  - sleep 600\n- name: next\n  commands: [echo never]\n',
    });
    const p = runner(['--grace', '1s'], serverEnv());
    try {
      const build = await server.build(repo);
      await until('the step to run', async () => {
        const [stage] = await server.stages(build.id);
        return stage?.steps.some((s) => s.status === 'running');
      });
      p.child.kill('SIGTERM');
      const [code] = await p.exit;
      assert.equal(code, 0, p.stderr());
      const [stage] = await server.stages(build.id);
      assert.deepEqual(
        [stage?.status, stage?.exit_code, stage?.steps.map((s) => [s.name, s.status, s.exit_code])],
        [
          'killed',
          137,
          [
            ['forever', 'killed', 137],
            ['next', 'skipped', 0],
          ],
        ],
      );
      assert.equal((await server.buildOf(build.id)).status, 'killed');
      assert.match(p.stdout(), /grace period over: cancelling running stages/);
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});
