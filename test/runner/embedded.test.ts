// `hangar server` with its embedded runner, as real processes: a local repository registered with
// `hangar repo add` and a build made with `hangar build create` run on the local Docker engine with
// no runner started by hand; with --no-runner nothing polls and the RPC stays closed (no secret).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { dockerSkip, ensureTestImages, IMAGE } from '../docker/support.js';
import { until } from './harness.js';

const bin = new URL('../../bin/hangar.js', import.meta.url).pathname;
const skip = dockerSkip();
let root = '';

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'hangar-embedded-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HANGAR_') && !k.startsWith('DRONE_')) env[k] = v;
  }
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...extra };
}

interface Server {
  child: ChildProcess;
  base: string;
  token: string;
  stderr(): string;
}

async function startServer(args: string[], data: string): Promise<Server> {
  const child = spawn(process.execPath, [bin, 'server', '--addr', '127.0.0.1:0', '--data', data, ...args], {
    env: cleanEnv({ HANGAR_RUNNER_NAME: 'embedded-test' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8');
  const base = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: string) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  const token = /shown only this once\): (\S+)/.exec(err)?.[1] ?? '';
  return { child, base, token, stderr: () => err };
}

async function stopServer(s: Server): Promise<number | null> {
  const exited = once(s.child, 'exit');
  s.child.kill('SIGTERM');
  return ((await exited) as [number | null])[0];
}

describe('hangar server with its embedded runner', () => {
  test('a build runs on the local Docker engine with no other runner', { skip }, async () => {
    await ensureTestImages();
    const s = await startServer([], join(root, 'data-1'));
    try {
      await until('the embedded runner', async () => /embedded runner "embedded-test"/.test(s.stderr()));
      const work = join(root, 'app');
      const git = (...args: string[]) => execa('git', args, { cwd: work, env: cleanEnv() });
      await execa('git', ['init', '-q', '-b', 'main', work], { env: cleanEnv() });
      await writeFile(
        join(work, '.drone.yml'),
        `kind: pipeline\ntype: docker\nsteps:\n- name: hello\n  image: ${IMAGE}\n  pull: if-not-exists\n  commands:\n  - cat greeting.txt\n`,
      );
      await writeFile(join(work, 'greeting.txt'), 'hello from the embedded runner\n');
      await git('add', '.');
      await git('-c', 'user.name=J', '-c', 'user.email=j@example.com', 'commit', '-q', '-m', 'first');
      const cli = (...args: string[]) =>
        execa(process.execPath, [bin, ...args], {
          reject: false,
          env: cleanEnv({ HANGAR_SERVER: s.base, HANGAR_TOKEN: s.token }),
        });
      const added = await cli('repo', 'add', work, '--name', 'admin/app');
      assert.equal(added.exitCode, 0, added.stderr);
      const created = await cli('build', 'create', 'admin/app', '--json');
      assert.equal(created.exitCode, 0, created.stderr);
      const number = JSON.parse(created.stdout).number as number;

      // biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
      const api = async (path: string): Promise<any> => {
        const res = await fetch(`${s.base}${path}`, { headers: { authorization: `Bearer ${s.token}` } });
        return res.json();
      };
      const build = await until('the build to finish', async () => {
        const b = await api(`/api/repos/admin/app/builds/${number}`);
        return !['pending', 'running'].includes(b.status) && b;
      });
      assert.equal(build.status, 'success', JSON.stringify(build.stages));
      assert.equal(build.stages[0].machine, 'embedded-test');
      const lines = (await api(`/api/repos/admin/app/builds/${number}/logs/1/2`)) as { out: string }[];
      assert.match(lines.map((l) => l.out).join(''), /^hello from the embedded runner$/m);
    } finally {
      assert.equal(await stopServer(s), 0, s.stderr());
    }
  });

  test('--no-runner: no embedded runner, and no RPC secret made up for one', async () => {
    const s = await startServer(['--no-runner'], join(root, 'data-2'));
    try {
      const ping = await fetch(`${s.base}/rpc/v2/ping`, { method: 'POST' });
      assert.equal(ping.status, 403);
      assert.doesNotMatch(s.stderr(), /embedded runner/);
    } finally {
      assert.equal(await stopServer(s), 0, s.stderr());
    }
  });
});
