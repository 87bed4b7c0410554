// `hangar repo sync` and `hangar repo enable` of a GitHub repository, as a user runs them, against
// a real `hangar server` process configured with a stand-in for the GitHub API (127.0.0.1): the
// sync lists what the user reaches on GitHub, enabling registers the webhook there, and an SCM
// refusal is one line on stderr with exit 1.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { findUserByLogin, updateUser } from '../../src/server/store/queries/users.js';
import { githubRepo, ScmStandIn } from '../server/scm-standin.js';
import { api, cleanEnv, type HangarServer, startHangarServer } from './api-server.js';
import { runCli } from './run-cli.js';

const scm = new ScmStandIn();
let server: HangarServer;
const BOB_TOKEN = 'bob-token-0123456789abcdef';

before(async () => {
  await scm.start();
  server = await startHangarServer({
    // The sources, not a dist/ build that may predate them.
    HANGAR_FROM_SOURCE: '1',
    HANGAR_GITHUB_API: scm.api('github'),
    HANGAR_SERVER_HOST: 'ci.example.com',
    HANGAR_SERVER_PROTO: 'https',
  });
  assert.equal((await api(server, 'POST', '/api/users', { login: 'bob', token: BOB_TOKEN })).status, 200);
  // Bob's GitHub token, as a sign-in would have stored it (a plain value is used as it is).
  const store = await server.openStore();
  try {
    const bob = await findUserByLogin(store.db, 'bob');
    assert.ok(bob);
    await updateUser(store.db, { ...bob, oauth_token: 'gho_bob_cli_token' });
  } finally {
    await store.close();
  }
});
after(async () => {
  await server?.dispose();
  await scm.stop();
});

const bob = (args: string[]) =>
  runCli(args, {
    env: cleanEnv({ HANGAR_FROM_SOURCE: '1', HANGAR_SERVER: server.base, HANGAR_TOKEN: BOB_TOKEN }),
  });

test('repo sync lists what GitHub says; repo enable registers the webhook there', async () => {
  scm.handlers.push((req) =>
    req.path.startsWith('/user/repos')
      ? {
          status: 200,
          json: [
            githubRepo(11, 'acme/api', { admin: true, push: true, pull: true }),
            githubRepo(
              12,
              'bob/notes',
              { admin: true, push: true, pull: true },
              { private: true, visibility: 'private' },
            ),
          ],
        }
      : undefined,
  );
  const table = await bob(['repo', 'sync']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^REPOSITORY\s+ACTIVE\s+SCM\s+VISIBILITY\s+BRANCH\n/);
  assert.match(table.stdout, /\nacme\/api\s+no\s+github\s+public\s+master\n/);
  assert.match(table.stdout, /\nbob\/notes\s+no\s+github\s+private\s+master\n/);
  assert.equal(scm.take()[0]?.authorization, 'Bearer gho_bob_cli_token');

  const json = await bob(['repo', 'sync', '--json']);
  assert.deepEqual(
    JSON.parse(json.stdout).map((r: { slug: string }) => r.slug),
    ['acme/api', 'bob/notes'],
  );

  const on = await bob(['repo', 'enable', 'acme/api']);
  assert.equal(on.code, 0, on.stderr);
  const created = scm.take().find((r) => r.method === 'POST');
  assert.equal(created?.path, '/repos/acme/api/hooks');
  assert.equal(created?.body.config.url, 'https://ci.example.com/hook');
  const store = await server.openStore();
  try {
    assert.equal(created?.body.config.secret, (await findRepoBySlug(store.db, 'acme/api'))?.signer);
  } finally {
    await store.close();
  }
});

test('an SCM refusal is one line and exit 1', async () => {
  scm.reset();
  scm.handlers.push(() => ({ status: 401, json: { message: 'Bad credentials' } }));
  const res = await bob(['repo', 'sync']);
  assert.equal(res.code, 1);
  assert.equal(res.stdout, '');
  assert.match(
    res.stderr.trim(),
    /^hangar: cannot list your repositories: github answered 401: Bad credentials \(the SCM token is not valid any more; sign in again\)/,
  );
  assert.doesNotMatch(res.stderr, /\n\s+at |gho_bob_cli_token/);
  const usage = await bob(['repo', 'sync', '--scm', 'svn']);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /scm/);
});
