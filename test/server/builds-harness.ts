// The webhook and build tests' view of the server harness (harness.ts): the same app, plus the SCM
// services the trigger uses (local git reads, statuses recorded), a public host name for links,
// and users made from fields alone.
import { test } from 'node:test';
import type { RepoHooks } from '../../src/server/app.js';
import type { StatusRecorder } from '../../src/server/scm/status/status.js';
import type { DialectName } from '../../src/server/store/db.js';
import type { User } from '../../src/server/store/models.js';
import { pgSkip } from '../support/pg.js';
import { startTestServer, type TestServer, type TestUser } from './harness.js';
import { localServices } from './trigger-support.js';

export type { Answer, Call, TestUser } from './harness.js';

export interface BuildServer extends Omit<TestServer, 'user'> {
  status: StatusRecorder;
  user(fields?: Partial<User>): Promise<TestUser>;
}

export interface BuildServerOptions {
  repoHooks?: RepoHooks;
  approveForks?: boolean;
}

/** An app over a fresh store of `dialect`, reading repositories with git and recording statuses. */
export async function startBuildServer(
  dialect: DialectName = 'sqlite',
  options: BuildServerOptions = {},
): Promise<BuildServer> {
  const scm = localServices();
  const s = await startTestServer(
    dialect,
    {},
    {
      scm,
      ...(options.repoHooks && { repoHooks: options.repoHooks }),
      ...(options.approveForks !== undefined && { approveForks: options.approveForks }),
    },
    { HANGAR_SERVER_HOST: 'ci.example.com' },
  );
  return {
    ...s,
    status: scm.status,
    user: (fields = {}) => s.user(undefined, fields),
    repo: (fields = {}, owner) => s.repo({ namespace: 'acme', ...fields }, owner),
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
