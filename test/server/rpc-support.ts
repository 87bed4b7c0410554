// A Hangar server listening on loopback for RPC, queue and stream tests: real HTTP, a real store
// (SQLite, or PostgreSQL through HANGAR_TEST_PG_URL), short queue timings. Several servers can share
// one database (`shared`), as replicas do.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { TOKEN_HEADER } from '../../src/protocol/types.js';
import { type App, createApp, createLogger, type RouteContext } from '../../src/server/app.js';
import { newRepoKey, newToken } from '../../src/server/auth/tokens.js';
import { readServerConfig } from '../../src/server/config.js';
import { type Scheduler, type SchedulerSettings, schedulerOf } from '../../src/server/scheduler/index.js';
import type { ConfigSource } from '../../src/server/scm/content.js';
import { createSecretBox, type SecretBox } from '../../src/server/secrets/box.js';
import { type DialectName, openStore, type Store } from '../../src/server/store/db.js';
import type { Build, Repo, Stage, User } from '../../src/server/store/models.js';
import { createBuildWithStages } from '../../src/server/store/queries/builds.js';
import { upsertPerm } from '../../src/server/store/queries/perms.js';
import { createRepo, type NewRepo } from '../../src/server/store/queries/repos.js';
import type { NewStage } from '../../src/server/store/queries/stages.js';
import { createUser, setUserToken } from '../../src/server/store/queries/users.js';
import type { Db } from '../../src/server/store/schema.js';
import { dropSchema, pgSkip, pgUrl, uniqueSchemaName } from '../support/pg.js';

export const SECRET = 'rpc-test-secret-0123456789';

/** A database that one or more servers use. */
export interface SharedDb {
  dialect: DialectName;
  url: string;
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

/** A fresh database of `dialect`. */
export async function freshDb(dialect: DialectName): Promise<SharedDb> {
  const opened: Store[] = [];
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'hangar-rpc-'));
    const url = `sqlite:${join(dir, 'hangar.db')}`;
    let store: Store | undefined;
    return {
      dialect,
      url,
      // One store per SQLite file per process (see store/db.ts).
      async open() {
        store ??= await openStore(url);
        return store;
      },
      async dispose() {
        await store?.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = uniqueSchemaName('rpc');
  return {
    dialect,
    url: pgUrl as string,
    async open() {
      const s = await openStore(pgUrl as string, { schema, poolSize: 6 });
      opened.push(s);
      return s;
    },
    async dispose() {
      for (const s of opened) await s.close();
      await dropSchema(schema);
    },
  };
}

export interface ServerOptions {
  queue?: Partial<SchedulerSettings>;
  rpcSecret?: string;
  labelsMatch?: 'exact' | 'subset';
  /** The configuration every build gets (default: one docker pipeline). */
  config?: ConfigSource;
  box?: SecretBox;
}

/** A listening server and helpers. */
export interface RpcServer {
  app: App;
  store: Store;
  db: Db;
  url: string;
  scheduler: Scheduler;
  /** The app's route context (what route modules get). */
  ctx: RouteContext;
  box: SecretBox;
  logs(): string;
  close(): Promise<void>;
}

export const QUICK: Partial<SchedulerSettings> = {
  holdMs: 400,
  leaseSeconds: 60,
  reaperIntervalMs: 60_000,
  watchPollMs: 0,
  keepaliveMs: 60_000,
  gapWaitMs: 300,
};

export const DEFAULT_YAML =
  'kind: pipeline\ntype: docker\nname: default\nsteps:\n- name: build\n  image: alpine\n  commands: [echo hi]\n';

/** Starts a server on `shared` (or a fresh SQLite database). */
export async function startServer(shared: SharedDb, options: ServerOptions = {}): Promise<RpcServer> {
  const store = await shared.open();
  const dir = await mkdtemp(join(tmpdir(), 'hangar-rpc-data-'));
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const config = readServerConfig({
    HANGAR_DATA: dir,
    HANGAR_ADDR: '127.0.0.1:0',
    HANGAR_DATABASE_URL: shared.url,
    HANGAR_RPC_SECRET: options.rpcSecret ?? SECRET,
    HANGAR_LABELS_MATCH: options.labelsMatch ?? 'exact',
  });
  const box = options.box ?? createSecretBox(randomBytes(32));
  const yaml = DEFAULT_YAML;
  let ctx: RouteContext | undefined;
  const app = createApp(
    {
      store,
      config,
      logger: createLogger('debug', sink),
      clock: { now: () => new Date() },
      box,
      version: '0.0.0-test',
      queue: { ...QUICK, ...options.queue },
      scm: { config: options.config ?? { find: async () => yaml } },
    },
    {
      extraRoutes: [
        (_app, c) => {
          ctx = c;
        },
      ],
    },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    store,
    db: store.db,
    url: `http://127.0.0.1:${port}`,
    scheduler: schedulerOf(ctx as RouteContext),
    ctx: ctx as RouteContext,
    box,
    logs: () => logText,
    async close() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One HTTP answer. */
export interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
  json: any;
}

/**
 * Calls the server as a Drone runner does (runner-go client/http.go): `X-Drone-Token`, a JSON body
 * with a trailing newline and no Content-Type (Go's http.NewRequest sets none), an empty body
 * otherwise.
 */
export function rpc(
  server: { url: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const payload =
    body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(typeof body === 'string' ? body : `${JSON.stringify(body)}\n`);
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { [TOKEN_HEADER]: SECRET, 'content-length': String(payload.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let seq = 0;

/** A repo (enabled, with keys). */
export async function aRepo(db: Db, fields: Partial<NewRepo> = {}): Promise<Repo> {
  seq += 1;
  return createRepo(db, {
    namespace: 'octocat',
    name: `hello-${seq}-${randomBytes(3).toString('hex')}`,
    active: true,
    signer: newRepoKey(),
    secret: newRepoKey(),
    visibility: 'private',
    private: true,
    ...fields,
  });
}

/** A build of `repo` with the given stages (default one plain stage). */
export async function aBuild(
  db: Db,
  repo: Repo,
  stages: Omit<NewStage, 'repo_id' | 'build_id'>[] = [{ name: 'default' }],
  fields: Partial<Build> = {},
): Promise<{ build: Build; stages: Stage[] }> {
  return createBuildWithStages(
    db,
    { repo_id: repo.id, event: 'push', ref: 'refs/heads/main', after: 'a'.repeat(40), ...fields },
    stages.map((s) => ({ throttle: repo.throttle, ...s })),
  );
}

/** A user with a token and read access to `repo` (when given). */
export async function aUser(
  db: Db,
  repo?: Repo,
  fields: Partial<User> = {},
): Promise<{ user: User; token: string }> {
  seq += 1;
  const user = await createUser(db, { login: `user${seq}-${randomBytes(2).toString('hex')}`, ...fields });
  const token = newToken();
  await setUserToken(db, user.id, token);
  if (repo)
    await upsertPerm(db, { user_id: user.id, repo_id: repo.id, read: true, write: true, admin: false });
  return { user, token };
}

/** Polls `check` until it returns a value (not undefined/false), failing after `ms`. No timing assertion: the limit only stops a hung test. */
export async function until<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Declares `name [sqlite]` and `name [postgres]` (when configured), each on a fresh database. */
export function dbTest(name: string, body: (db: SharedDb) => Promise<void>, only?: DialectName): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    if (only && only !== dialect) continue;
    test(`${name} [${dialect}]`, { skip: dialect === 'postgres' ? pgSkip() : false }, async () => {
      const shared = await freshDb(dialect);
      try {
        await body(shared);
      } finally {
        await shared.dispose();
      }
    });
  }
}
