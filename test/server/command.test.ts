// `hangar server` as a real process: first start (generated admin token printed once, key file
// kept with mode 600), /healthz and /api/user over HTTP, graceful SIGTERM, a restart that keeps
// the token working, HANGAR_ADMIN_TOKEN, and configuration errors (exit 2, one clear line).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const bin = new URL('../../bin/hangar.js', import.meta.url).pathname;

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HANGAR_') && !k.startsWith('DRONE_')) env[k] = v;
  }
  return { ...env, ...extra };
}

interface Running {
  child: ChildProcess;
  base: string;
  stderr: () => string;
}

/** Starts the server and waits for its "listening on" line (or its exit). */
async function start(args: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn(process.execPath, [bin, 'server', ...args], {
    env,
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
  return { child, base, stderr: () => err };
}

async function stop(r: Running): Promise<number | null> {
  const exited = once(r.child, 'exit');
  r.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

test('first start prints a token once; the API answers; SIGTERM stops it; a restart keeps the token', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-cmd-'));
  try {
    const data = join(dir, 'data');
    const first = await start(['--addr', '127.0.0.1:0', '--data', data], cleanEnv());
    const token = /shown only this once\): (\S+)/.exec(first.stderr())?.[1];
    assert.ok(token, first.stderr());

    const health = await fetch(`${first.base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'OK\n');
    const me = await fetch(`${first.base}/api/user`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    const user = (await me.json()) as { login: string; admin: boolean };
    assert.equal(user.login, 'admin');
    assert.equal(user.admin, true);
    assert.equal((await fetch(`${first.base}/api/user`)).status, 401);

    const keyFile = join(data, 'secret.key');
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    const key = await readFile(keyFile, 'utf8');
    assert.equal(await stop(first), 0);

    const second = await start(['--addr', '127.0.0.1:0', '--data', data], cleanEnv());
    try {
      assert.doesNotMatch(second.stderr(), /shown only this once/);
      const again = await fetch(`${second.base}/api/user`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(again.status, 200);
      assert.equal(await readFile(keyFile, 'utf8'), key);
    } finally {
      assert.equal(await stop(second), 0);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('HANGAR_ADMIN_TOKEN makes an admin with that token and is never printed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-cmd-'));
  const token = 'a-bootstrap-token-0123456789';
  try {
    const r = await start(
      ['--addr', '127.0.0.1:0'],
      cleanEnv({ HANGAR_DATA: dir, HANGAR_ADMIN_TOKEN: token }),
    );
    try {
      assert.ok(!r.stderr().includes(token));
      const me = await fetch(`${r.base}/api/user`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { admin: boolean }).admin, true);
    } finally {
      assert.equal(await stop(r), 0);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('configuration mistakes exit 2 with one clear line', async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--addr', 'nonsense'], {}, /--addr must be HOST:PORT/],
    [[], { HANGAR_ADDR: '127.0.0.1:99999' }, /port 99999 is out of range/],
    [['--addr', '127.0.0.1:0'], { HANGAR_SECRET_KEY: 'short' }, /HANGAR_SECRET_KEY must be 32 bytes/],
    [['--addr', '127.0.0.1:0', '--database', 'mysql://x'], {}, /unsupported database URL scheme/],
    [['--addr', '127.0.0.1:0'], { HANGAR_SERVER_PROTO: 'ftp' }, /HANGAR_SERVER_PROTO must be http or https/],
  ];
  for (const [args, env, message] of cases) {
    const dir = await mkdtemp(join(tmpdir(), 'hangar-cmd-'));
    try {
      const child = spawn(process.execPath, [bin, 'server', '--data', dir, ...args], {
        env: cleanEnv(env),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        err += d;
      });
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 2, `${args.join(' ')}: ${err}`);
      assert.match(err, message);
      assert.doesNotMatch(err, /\n\s+at /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
});
