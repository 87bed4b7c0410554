// The pieces of the end-to-end tests: `hangar server` and `hangar runner` as real processes (the
// `bin/hangar.js` a user runs) with temp data dirs on a free loopback port, a REST client, a bare
// git repository with a working copy to push from, a small Server-Sent Events reader, bounded
// waits, and the Docker resources a runner process left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { repoRoot } from '../support/compat.js';
import { dockerSocket } from '../support/docker.js';

export const bin = join(repoRoot, 'bin/hangar.js');

/** Identity and settings for git without the machine's configuration. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Jane Doe',
  GIT_AUTHOR_EMAIL: 'jane@example.com',
  GIT_COMMITTER_NAME: 'Jane Doe',
  GIT_COMMITTER_EMAIL: 'jane@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/**
 * The environment without any HANGAR_/DRONE_ setting of the machine, plus `extra`. The processes
 * run the sources (HANGAR_FROM_SOURCE), never a dist/ that may be older than them.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HANGAR_') && !k.startsWith('DRONE_')) env[k] = v;
  }
  return { ...env, ...GIT_ENV, HANGAR_FROM_SOURCE: '1', ...extra };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (kept for restarts on the same address). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Waits until `check` gives a value (not undefined/false), polling; fails after `ms`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 120_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A `hangar` subprocess with its output kept. */
export class HangarProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  private out = '';
  private err = '';

  constructor(
    readonly label: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = once(this.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
    });
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.err += d;
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  /** Both streams, for assertion messages (the access log only where a request failed). */
  output(): string {
    const quiet = /"msg":"request"/;
    const failed = /"status":[45]\d\d/;
    const log = this.out
      .split('\n')
      .filter((l) => !quiet.test(l) || failed.test(l))
      .join('\n');
    return `--- ${this.label} stderr ---\n${this.err}\n--- ${this.label} stdout ---\n${log.slice(-30_000)}`;
  }

  /** The JSON log lines (stdout) whose `msg` is `msg`. */
  logged(msg: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.out.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        if (o.msg === msg) out.push(o);
      } catch {
        // Partial line: the rest is still on its way.
      }
    }
    return out;
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<[number | null, NodeJS.Signals | null]> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }
}

/** A Hangar installation: one data dir, one port, an admin token and an RPC secret for its runners. */
export class Installation {
  readonly token = randomBytes(16).toString('hex');
  readonly secret = randomBytes(16).toString('hex');
  server: HangarProcess | undefined;
  /** Every server process started, the current one last. */
  readonly servers: HangarProcess[] = [];
  readonly runners: HangarProcess[] = [];
  private constructor(
    readonly root: string,
    readonly port: number,
    private readonly serverEnv: Record<string, string>,
  ) {}

  /** A new installation in `root` (created), not started yet. */
  static async create(root: string, serverEnv: Record<string, string> = {}): Promise<Installation> {
    await mkdir(join(root, 'data'), { recursive: true });
    return new Installation(root, await freePort(), serverEnv);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `hangar server --no-runner` (or, with `embedded`, with its runner) and waits until it listens. */
  async startServer(o: { embedded?: boolean } = {}): Promise<HangarProcess> {
    const env = cleanEnv({
      HANGAR_ADMIN_TOKEN: this.token,
      HANGAR_RPC_SECRET: this.secret,
      HANGAR_LOG_LEVEL: 'debug',
      ...this.serverEnv,
    });
    const args = [
      'server',
      ...(o.embedded ? [] : ['--no-runner']),
      '--addr',
      `127.0.0.1:${this.port}`,
      '--data',
      join(this.root, 'data'),
    ];
    const p = new HangarProcess('server', args, env);
    this.server = p;
    this.servers.push(p);
    await Promise.race([
      until('the server to listen', () => /listening on http:\/\//.test(p.stderr()), 60_000),
      p.exited.then(([code]) => {
        throw new Error(`the server exited (${code}) before listening:\n${p.output()}`);
      }),
    ]);
    return p;
  }

  /** Starts a `hangar runner` process polling this server. */
  startRunner(name: string, extra: Record<string, string> = {}): HangarProcess {
    const p = new HangarProcess(
      `runner ${name}`,
      ['runner'],
      cleanEnv({
        HANGAR_RPC_HOST: `127.0.0.1:${this.port}`,
        HANGAR_RPC_SECRET: this.secret,
        HANGAR_RUNNER_NAME: name,
        HANGAR_LOG_LEVEL: 'debug',
        ...extra,
      }),
    );
    this.runners.push(p);
    return p;
  }

  /** A REST call as the administrator; the JSON answer (or the text when it is not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: res.status, json };
  }

  /** Runs the `hangar` CLI as the administrator. */
  cli(...args: string[]) {
    return execa(process.execPath, [bin, ...args], {
      reject: false,
      env: cleanEnv({ HANGAR_SERVER: this.base, HANGAR_TOKEN: this.token }),
    });
  }

  /** Waits for build `number` of `slug` to be done; returns it with its stages and steps. */
  // biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
  async finished(slug: string, number: number, ms = 180_000): Promise<any> {
    return until(
      `build ${slug}#${number} to finish`,
      async () => {
        const b = await this.api('GET', `/api/repos/${slug}/builds/${number}`);
        return b.status === 200 && !['pending', 'running', 'blocked'].includes(b.json.status) && b.json;
      },
      ms,
    );
  }

  /** Every process of the installation, killed (their output is what the caller may still print). */
  async kill(): Promise<void> {
    await Promise.all([...this.runners, ...this.servers].map((p) => p.stop('SIGKILL')));
  }

  /** What every process printed. */
  output(): string {
    return [...this.servers, ...this.runners].map((p) => p.output()).join('\n');
  }
}

/** A bare repository and a working copy to commit and push from. */
export async function bareRepo(root: string, name: string) {
  const git = async (cwd: string, ...args: string[]) =>
    String((await execa('git', args, { cwd, env: cleanEnv() })).stdout).trim();
  const bare = join(root, `${name}.git`);
  const work = join(root, `${name}-work`);
  await mkdir(root, { recursive: true });
  await git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  await git(root, 'clone', '-q', bare, work);
  await git(work, 'checkout', '-q', '-b', 'main');
  return {
    bare,
    work,
    /** Writes (or, with `null`, deletes) files and commits them; the new commit's sha. */
    async commit(message: string, files: Record<string, string | null>): Promise<string> {
      for (const [path, content] of Object.entries(files)) {
        const full = join(work, path);
        if (content === null) {
          await rm(full, { force: true });
          await git(work, 'rm', '-q', '--cached', '--ignore-unmatch', path);
          continue;
        }
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
        await git(work, 'add', path);
      }
      await git(work, 'commit', '-q', '-m', message);
      return git(work, 'rev-parse', 'HEAD');
    },
    /** `git push origin main`; the output of the post-receive hook is in stderr. */
    async push(): Promise<{ exitCode: number | undefined; stderr: string }> {
      const r = await execa('git', ['push', '-q', 'origin', 'main'], {
        cwd: work,
        env: cleanEnv(),
        reject: false,
      });
      return { exitCode: r.exitCode, stderr: String(r.stderr) };
    },
  };
}

/** The build number the post-receive hook printed (`hangar: refs/heads/main: build #N (…)`). */
export function pushedBuild(stderr: string): number {
  const m = /build #(\d+)/.exec(stderr);
  if (!m) throw new Error(`the push made no build: ${stderr}`);
  return Number(m[1]);
}

/** One SSE message. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Reads a Server-Sent Events stream, keeping every message as it arrives. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  status = 0;
  ended = false;
  private buffer = '';
  private req: ReturnType<typeof httpRequest> | undefined;

  /** Opens `url`; resolves once the response headers arrived. */
  open(url: string, headers: Record<string, string> = {}): Promise<this> {
    return new Promise((resolve, reject) => {
      this.req = httpRequest(
        url,
        { headers: { accept: 'text/event-stream', ...headers } },
        (res: IncomingMessage) => {
          this.status = res.statusCode ?? 0;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => this.feed(chunk));
          res.on('close', () => {
            this.ended = true;
          });
          res.on('error', () => {});
          resolve(this);
        },
      );
      this.req.on('error', (err) => {
        this.ended = true;
        reject(err);
      });
      this.req.end();
    });
  }

  close(): void {
    this.req?.destroy();
    this.ended = true;
  }

  /** The `out` of every log line received so far, joined. */
  text(): string {
    return this.messages
      .filter((m) => m.event === undefined)
      .map((m) => (JSON.parse(m.data) as { out: string }).out)
      .join('');
  }

  /** True once Drone's end marker (`event: error`, `data: eof`) arrived. */
  get eof(): boolean {
    return this.messages.some((m) => m.event === 'error' && m.data === 'eof');
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) return;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const msg: SseMessage = { data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          msg.data = hasData ? `${msg.data}\n${value}` : value;
          hasData = true;
        } else if (field === 'id') msg.id = value;
        else if (field === 'event') msg.event = value;
      }
      if (hasData) this.messages.push(msg);
    }
  }
}

/** The Docker client of the tests. */
export const docker = new Docker({ socketPath: dockerSocket, version: 'v1.41' });

/** Hangar's containers created by process `pid` (running or not). */
export async function containersOf(pid: number): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: ['io.hangar=true', `io.hangar.owner.pid=${pid}`] },
  });
}

/** Removes whatever Hangar resources process `pid` left (a test's last resort, whatever happened). */
export async function removeLeftovers(pid: number): Promise<void> {
  const filters = { label: ['io.hangar=true', `io.hangar.owner.pid=${pid}`] };
  const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
  for (const c of await docker.listContainers({ all: true, filters }).catch(() => [])) {
    await quiet(docker.getContainer(c.Id).remove({ force: true, v: true }));
  }
  const { Volumes } = await docker.listVolumes({ filters }).catch(() => ({ Volumes: [] }));
  for (const v of Volumes ?? []) await quiet(docker.getVolume(v.Name).remove());
  for (const n of await docker.listNetworks({ filters }).catch(() => [])) {
    await quiet(docker.getNetwork(n.Id).remove());
  }
}
