// A real `hangar server` process on 127.0.0.1 with a temp data directory and a known admin token,
// for the tests of the API client commands and of the commit statuses a configured server sends.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/server/store/db.js';
import { hangarBin } from './run-cli.js';

/** A running server. */
export interface HangarServer {
  /** `http://127.0.0.1:PORT`. */
  base: string;
  /** The admin's API token. */
  token: string;
  dataDir: string;
  /** Everything the server wrote on stderr so far. */
  stderr(): string;
  /** Everything the server wrote on stdout (the JSON log) so far. */
  stdout(): string;
  /** The server's own store, opened alongside it (for reading what the API never shows). */
  openStore(): Promise<Store>;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<number | null>;
  /** Stops the server and deletes its data directory. */
  dispose(): Promise<void>;
}

/** An environment without the caller's HANGAR_* and DRONE_* settings, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HANGAR_') && !k.startsWith('DRONE_')) env[k] = v;
  }
  // The sources under test, not a stale `dist/` from an earlier build.
  if (process.env.HANGAR_FROM_SOURCE) env.HANGAR_FROM_SOURCE = process.env.HANGAR_FROM_SOURCE;
  return { ...env, ...extra };
}

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** Starts `hangar server` on a free port; `env` adds settings. Resolves once it listens. */
export async function startHangarServer(
  env: Record<string, string> = {},
  opts: { dataDir?: string } = {},
): Promise<HangarServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'hangar-api-')));
  const child: ChildProcess = spawn(process.execPath, [hangarBin, 'server'], {
    env: cleanEnv({
      HANGAR_ADDR: '127.0.0.1:0',
      HANGAR_DATA: dataDir,
      HANGAR_ADMIN_TOKEN: ADMIN_TOKEN,
      HANGAR_LOG_LEVEL: 'warn',
      // No Docker here: the server's own runner stays off.
      HANGAR_EMBEDDED_RUNNER: 'false',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8');
  const exited = once(child, 'exit');
  const base = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: string) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`hangar server exited with ${code}: ${err}`)));
  });
  let stopped: Promise<number | null> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    })();
    return stopped;
  };
  return {
    base,
    token: ADMIN_TOKEN,
    dataDir,
    stderr: () => err,
    stdout: () => out,
    openStore: () => openStore(`sqlite:${join(dataDir, 'hangar.db')}`, { migrate: false }),
    stop,
    async dispose() {
      await stop();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One JSON API call to `server` as `token` (the admin's by default). */
export async function api(
  server: Pick<HangarServer, 'base' | 'token'>,
  method: string,
  path: string,
  body?: unknown,
  token: string = server.token,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}
