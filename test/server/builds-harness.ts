// A Hangar app for the webhook and build tests: like harness.ts, plus the SCM services the trigger
// uses (local git reads, statuses recorded) and, when asked, a real listening port so that a git
// post-receive hook can reach it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { type App, createApp, createLogger, type RepoHooks } from '../../src/server/app.js';
import { newRepoKey, newToken } from '../../src/server/auth/tokens.js';
import { readServerConfig } from '../../src/server/config.js';
import { createSecretBox } from '../../src/server/secrets/box.js';
import type { StatusRecorder } from '../../src/server/scm/status/status.js';
import { type DialectName, openStore, type Store } from '../../src/server/store/db.js';
import type { Repo, User } from '../../src/server/store/models.js';
import { upsertPerm } from '../../src/server/store/queries/perms.js';
import { createRepo, type NewRepo } from '../../src/server/store/queries/repos.js';
import { createUser, setUserToken } from '../../src/server/store/queries/users.js';
import type { Db } from '../../src/server/store/schema.js';
import { dropSchema, pgSkip, pgUrl, uniqueSchemaName } from '../support/pg.js';
import { localServices } from './trigger-support.js';

export interface TestUser {
  user: User;
  token: string;
}

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
  json: any;
  body: string;
}

export interface Call {
  token?: string;
  body?: unknown;
  /** Raw payload, sent as is with `contentType`. */
  payload?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface BuildServer {
  app: App;
  store: Store;
  db: Db;
  dialect: DialectName;
  status: StatusRecorder;
  admin: TestUser;
  /** Every log line so far. */
  logs(): string;
  user(fields?: Partial<User>): Promise<TestUser>;
  repo(fields?: Partial<NewRepo>, owner?: TestUser): Promise<Repo>;
  grant(who: TestUser, repo: Repo, level: 'read' | 'write' | 'admin'): Promise<void>;
  call(method: string, url: string, call?: Call): Promise<Answer>;
  close(): Promise<void>;
}

export interface BuildServerOptions {
  repoHooks?: RepoHooks;
  approveForks?: boolean;
}

let seq = 0;

/** An app over a fresh store of `dialect`. */
export async function startBuildServer(
  dialect: DialectName = 'sqlite',
  options: BuildServerOptions = {},
): Promise<BuildServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-builds-'));
  let store: Store;
  let cleanup = async () => {};
  if (dialect === 'sqlite') store = await openStore(`sqlite:${join(dir, 'hangar.db')}`);
  else {
    const schema = uniqueSchemaName('bld');
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
  const scm = localServices();
  const app = createApp({
    store,
    config: readServerConfig({
      HANGAR_DATA: dir,
      HANGAR_ADDR: '127.0.0.1:0',
      HANGAR_SERVER_HOST: 'ci.example.com',
    }),
    logger: createLogger('debug', sink),
    clock: { now: () => new Date() },
    box: createSecretBox(randomBytes(32)),
    version: '0.0.0-test',
    scm,
    ...(options.repoHooks && { repoHooks: options.repoHooks }),
    ...(options.approveForks !== undefined && { approveForks: options.approveForks }),
  });
  await app.ready();
  const db = store.db;
  const makeUser = async (fields: Partial<User> = {}): Promise<TestUser> => {
    seq += 1;
    const user = await createUser(db, { login: `u${seq}`, ...fields });
    const token = newToken();
    await setUserToken(db, user.id, token);
    return { user, token };
  };
  const admin = await makeUser({ admin: true });
  return {
    app,
    store,
    db,
    dialect,
    status: scm.status,
    admin,
    logs: () => logText,
    user: makeUser,
    async repo(fields = {}, owner) {
      seq += 1;
      const repo = await createRepo(db, {
        namespace: 'acme',
        name: `app-${seq}`,
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
        ...(payload !== undefined && { payload }),
      });
      let json: unknown;
      try {
        json = res.body === '' ? undefined : JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json, body: res.body };
    },
    async close() {
      await app.close();
      await store.close();
      await cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `name [sqlite]` and `name [postgres]` (when configured), each on a fresh server. */
export function buildServerTest(
  name: string,
  body: (s: BuildServer) => Promise<void>,
  options: BuildServerOptions = {},
): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    test(`${name} [${dialect}]`, { skip: dialect === 'postgres' ? pgSkip() : false }, async () => {
      const s = await startBuildServer(dialect, options);
      try {
        await body(s);
      } finally {
        await s.close();
      }
    });
  }
}
