// The real Hangar server for the runner tests: createApp over a real SQLite store, listening on
// 127.0.0.1, with an RPC secret; it can be stopped and started again on the same port and database
// (a server restart while a runner works). Repositories are local git working copies whose
// `.drone.yml` the server reads itself; builds are made through the REST API as a user would.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import type { Engine } from '../../src/engine/engine.js';
import {
  createRunner,
  type Runner,
  type RunnerLogger,
  type RunnerSettings,
  readRunnerSettings,
} from '../../src/runner/daemon/index.js';
import { type App, createApp, createLogger } from '../../src/server/app.js';
import { newRepoKey, newToken } from '../../src/server/auth/tokens.js';
import { readServerConfig } from '../../src/server/config.js';
import type { SchedulerSettings } from '../../src/server/scheduler/index.js';
import { createSecretBox } from '../../src/server/secrets/box.js';
import { openStore, type Store } from '../../src/server/store/db.js';
import type { Build, Repo, Stage, Step, User } from '../../src/server/store/models.js';
import { findBuild } from '../../src/server/store/queries/builds.js';
import { findLog, readLines } from '../../src/server/store/queries/logs.js';
import { upsertPerm } from '../../src/server/store/queries/perms.js';
import { createRepo, type NewRepo } from '../../src/server/store/queries/repos.js';
import { listStagesOfBuild } from '../../src/server/store/queries/stages.js';
import { listStepsOfStage } from '../../src/server/store/queries/steps.js';
import { createUser, setUserToken } from '../../src/server/store/queries/users.js';
import { git } from '../support/git.js';

export interface ServerOptions {
  /** Scheduler timings (holds, leases). */
  queue?: Partial<SchedulerSettings>;
}

/** A stage with its steps, as stored. */
export interface StoredStage extends Stage {
  steps: Step[];
}

/** A running server and what the tests do with it. */
export class RpcServer {
  readonly secret = randomBytes(16).toString('hex');
  port = 0;
  store!: Store;
  app: App | undefined;
  user!: User;
  token = '';
  private logText = '';
  private readonly key = randomBytes(32);
  private seq = 0;

  private constructor(
    readonly dir: string,
    private readonly options: ServerOptions,
  ) {}

  /** A fresh server on a free port. */
  static async start(options: ServerOptions = {}): Promise<RpcServer> {
    const s = new RpcServer(await mkdtemp(join(tmpdir(), 'hangar-runner-')), options);
    await s.up();
    s.user = await createUser(s.store.db, { login: 'jane', admin: true });
    s.token = newToken();
    await setUserToken(s.store.db, s.user.id, s.token);
    return s;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `127.0.0.1:PORT` (what HANGAR_RPC_HOST takes). */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get db(): Store['db'] {
    return this.store.db;
  }

  /** Every server log line so far (JSON). */
  logs(): string {
    return this.logText;
  }

  /** Opens the store and listens (on the same port as before, after a stop). */
  async up(): Promise<void> {
    this.store = await openStore(`sqlite:${join(this.dir, 'hangar.db')}`);
    const sink = new Writable({
      write: (chunk, _enc, cb) => {
        this.logText += chunk.toString();
        cb();
      },
    });
    const app = createApp({
      store: this.store,
      config: readServerConfig({
        HANGAR_DATA: this.dir,
        HANGAR_ADDR: `127.0.0.1:${this.port}`,
        HANGAR_RPC_SECRET: this.secret,
        HANGAR_SERVER_HOST: 'ci.example.com',
      }),
      logger: createLogger('debug', sink),
      clock: { now: () => new Date() },
      box: createSecretBox(this.key),
      version: '0.0.0-test',
      ...(this.options.queue && { queue: this.options.queue }),
    });
    await app.listen({ host: '127.0.0.1', port: this.port });
    const addr = app.server.address();
    if (!addr || typeof addr !== 'object') throw new Error('no address');
    this.port = addr.port;
    this.app = app;
  }

  /** Stops listening and closes the store (the port stays ours to reuse). */
  async down(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    if (app) await app.close();
    await this.store.close();
  }

  async close(): Promise<void> {
    if (this.app) await this.down();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** A REST call as the admin user. */
  // biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json };
  }

  /** A local repository with `files` committed on `main`, registered and active. */
  async repo(files: Record<string, string>, fields: Partial<NewRepo> = {}): Promise<Repo> {
    this.seq += 1;
    const name = `app-${this.seq}`;
    const work = join(this.dir, 'repos', name);
    await mkdir(work, { recursive: true });
    await git(work, 'init', '-q', '-b', 'main');
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
      await git(work, 'add', path);
    }
    await git(work, 'commit', '-q', '-m', 'first');
    const repo = await createRepo(this.db, {
      namespace: 'acme',
      name,
      scm: 'local',
      uid: work,
      git_http_url: work,
      link: '',
      active: true,
      signer: newRepoKey(),
      secret: newRepoKey(),
      user_id: this.user.id,
      ...fields,
    });
    await upsertPerm(this.db, {
      user_id: this.user.id,
      repo_id: repo.id,
      read: true,
      write: true,
      admin: true,
    });
    return repo;
  }

  /** A custom build of `main` through the API (the trigger creates its stages). */
  async build(repo: Repo, params: Record<string, string> = {}): Promise<Build> {
    const q = new URLSearchParams({ branch: 'main', ...params });
    const res = await this.api('POST', `/api/repos/${repo.slug}/builds?${q}`);
    if (res.status !== 200) throw new Error(`build create: ${res.status} ${JSON.stringify(res.json)}`);
    const build = await findBuild(this.db, res.json.id);
    if (!build) throw new Error('build not stored');
    return build;
  }

  /** The build's stages with their steps, as stored. */
  async stages(buildId: number): Promise<StoredStage[]> {
    const out: StoredStage[] = [];
    for (const stage of await listStagesOfBuild(this.db, buildId)) {
      out.push({ ...stage, steps: await listStepsOfStage(this.db, stage.id) });
    }
    return out;
  }

  /** The stored log of a step (uploaded), as text; falls back to its live lines. */
  async logOf(stepId: number): Promise<string> {
    const raw = await findLog(this.db, stepId);
    const lines: { out: string }[] = raw
      ? JSON.parse(raw.toString('utf8'))
      : await readLines(this.db, stepId);
    return lines.map((l) => l.out).join('');
  }

  async buildOf(id: number): Promise<Build> {
    const b = await findBuild(this.db, id);
    if (!b) throw new Error(`build ${id} not found`);
    return b;
  }
}

/** Waits until `check` returns a value (not undefined/false), polling the database; fails after `ms`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One line the runner logged. */
export interface Logged {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

/** A runner logger that keeps what it is told. */
export function captureLog(): RunnerLogger & { lines: Logged[]; has(msg: string): boolean } {
  const lines: Logged[] = [];
  const at =
    (level: string) =>
    (fields: object, msg: string): void => {
      lines.push({ level, msg, fields: fields as Record<string, unknown> });
    };
  return {
    lines,
    has: (msg) => lines.some((l) => l.msg.includes(msg)),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}

export interface TestRunner {
  runner: Runner;
  /** Settles when the runner has stopped. */
  done: Promise<void>;
  log: ReturnType<typeof captureLog>;
  settings: RunnerSettings;
}

/** A runner (in this process) polling `server` with the given engine and extra settings. */
export async function startRunner(
  server: RpcServer,
  engine: Engine,
  env: Record<string, string> = {},
): Promise<TestRunner> {
  const settings = readRunnerSettings(
    {
      HANGAR_RPC_HOST: server.host,
      HANGAR_RPC_SECRET: server.secret,
      HANGAR_RUNNER_NAME: `runner-${randomBytes(2).toString('hex')}`,
      ...env,
    },
    {},
    { hostname: 'test', platform: process.platform, arch: process.arch },
  );
  const log = captureLog();
  const runner = await createRunner(settings, {
    engine,
    log,
    // Short pauses so a restarted server is found again soon.
    client: { backoff: { minMs: 50, maxMs: 500 } },
    runner: { maxBackoffMs: 500 },
  });
  return { runner, done: runner.run(), log, settings };
}
