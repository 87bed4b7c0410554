// A Hangar app over a fresh, migrated store (SQLite by default; PostgreSQL too through
// `serverTest`), driven with `app.inject`. Log lines are captured so tests can check that no
// secret ever reaches them.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { OutgoingHttpHeaders } from 'node:http';
import { type App, type AppDeps, type AppOptions, createApp, createLogger } from '../../src/server/app.js';
import { newRepoKey, newToken } from '../../src/server/auth/tokens.js';
import { readServerConfig } from '../../src/server/config.js';
import { createSecretBox, type SecretBox } from '../../src/server/secrets/box.js';
import { type DialectName, openStore, type Store } from '../../src/server/store/db.js';
import type { Repo, User } from '../../src/server/store/models.js';
import { upsertPerm } from '../../src/server/store/queries/perms.js';
import { createRepo, type NewRepo } from '../../src/server/store/queries/repos.js';
import { createUser, setUserToken } from '../../src/server/store/queries/users.js';
import type { Db } from '../../src/server/store/schema.js';
import { dropSchema, pgSkip, pgUrl, uniqueSchemaName } from '../support/pg.js';

/** A user made for a test, with their raw API token. */
export interface TestUser {
  user: User;
  token: string;
}

/** The answer to one request. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
  json: any;
  body: string;
  headers: OutgoingHttpHeaders;
}

/** One request. */
export interface Call {
  token?: string;
  body?: unknown;
  /** Raw payload (sent as is, with `contentType`). */
  payload?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A running app and helpers. */
export interface TestServer {
  app: App;
  store: Store;
  db: Db;
  box: SecretBox;
  dialect: DialectName;
  /** The server's data directory (HANGAR_DATA). */
  dataDir: string;
  /** Every log line written so far. */
  logs(): string;
  admin: TestUser;
  /** A user with a token (unique login unless given). */
  user(login?: string, fields?: Partial<User>): Promise<TestUser>;
  /** A repo (enabled, with keys) owned by `owner` or nobody. */
  repo(fields?: Partial<NewRepo>, owner?: TestUser): Promise<Repo>;
  /** Gives `who` a perms row on `repo`. */
  grant(who: TestUser, repo: Repo, level: 'read' | 'write' | 'admin'): Promise<void>;
  call(method: string, url: string, call?: Call): Promise<Answer>;
  close(): Promise<void>;
}

let seq = 0;

/** Starts an app on a fresh store of `dialect`. */
export async function startTestServer(
  dialect: DialectName = 'sqlite',
  options: AppOptions = {},
  deps: Partial<Omit<AppDeps, 'store' | 'logger'>> = {},
  env: Record<string, string> = {},
): Promise<TestServer> {
  let store: Store;
  let cleanup: () => Promise<void>;
  const dir = await mkdtemp(join(tmpdir(), 'hangar-server-'));
  if (dialect === 'sqlite') {
    store = await openStore(`sqlite:${join(dir, 'hangar.db')}`);
    cleanup = async () => {};
  } else {
    const schema = uniqueSchemaName('srv');
    store = await openStore(pgUrl as string, { schema, poolSize: 4 });
    cleanup = () => dropSchema(schema);
  }
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const config = readServerConfig({ HANGAR_DATA: dir, HANGAR_ADDR: '127.0.0.1:0', ...env });
  const box = deps.box ?? createSecretBox(randomBytes(32));
  const app = createApp(
    {
      store,
      config,
      logger: createLogger('debug', sink),
      clock: { now: () => new Date() },
      box,
      version: '0.0.0-test',
      ...deps,
    },
    options,
  );
  await app.ready();
  const db = store.db;

  const makeUser = async (login?: string, fields: Partial<User> = {}): Promise<TestUser> => {
    seq += 1;
    const user = await createUser(db, { login: login ?? `user${seq}`, ...fields });
    const token = newToken();
    await setUserToken(db, user.id, token);
    return { user, token };
  };
  const admin = await makeUser(`root${++seq}`, { admin: true });

  return {
    app,
    store,
    db,
    box,
    dialect,
    dataDir: dir,
    logs: () => logText,
    admin,
    user: makeUser,
    async repo(fields = {}, owner) {
      seq += 1;
      const repo = await createRepo(db, {
        namespace: 'octocat',
        name: `hello-${seq}`,
        active: true,
        signer: newRepoKey(),
        secret: newRepoKey(),
        visibility: 'private',
        private: true,
        user_id: owner?.user.id ?? 0,
        ...fields,
      });
      if (owner)
        await upsertPerm(db, {
          user_id: owner.user.id,
          repo_id: repo.id,
          read: true,
          write: true,
          admin: true,
        });
      return repo;
    },
    async grant(who, repo, level) {
      await upsertPerm(db, {
        user_id: who.user.id,
        repo_id: repo.id,
        read: true,
        write: level !== 'read',
        admin: level === 'admin',
      });
    },
    async call(method, url, call = {}) {
      const headers: Record<string, string> = { ...call.headers };
      if (call.token) headers.authorization = `Bearer ${call.token}`;
      let payload: string | Buffer | undefined;
      if (call.payload !== undefined) {
        payload = call.payload;
        headers['content-type'] = call.contentType ?? headers['content-type'] ?? 'application/json';
      } else if (call.body !== undefined) {
        payload = JSON.stringify(call.body);
        headers['content-type'] = 'application/json';
      }
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(payload !== undefined ? { payload } : {}),
      });
      let json: unknown;
      try {
        json = res.body === '' ? undefined : JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json, body: res.body, headers: res.headers };
    },
    async close() {
      await app.close();
      await store.close();
      await cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Declares `name [sqlite]` and `name [postgres]` (when configured), each on a fresh server. */
export function serverTest(
  name: string,
  body: (s: TestServer) => Promise<void>,
  deps: Partial<Omit<AppDeps, 'store' | 'logger'>> = {},
): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    test(`${name} [${dialect}]`, { skip: dialect === 'postgres' ? pgSkip() : false }, async () => {
      const s = await startTestServer(dialect, {}, deps);
      try {
        await body(s);
      } finally {
        await s.close();
      }
    });
  }
}

/** Declares `name` on a fresh SQLite server only (for tests whose logic has no SQL of its own). */
export function sqliteServerTest(name: string, body: (s: TestServer) => Promise<void>): void {
  test(name, async () => {
    const s = await startTestServer('sqlite');
    try {
      await body(s);
    } finally {
      await s.close();
    }
  });
}
