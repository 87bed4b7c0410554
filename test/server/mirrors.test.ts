// Remote git repositories (scm `git`) end to end over real git smart/dumb HTTP on loopback:
// `hangar repo add URL` registers one and the server mirrors it; custom builds, cron builds and push
// webhooks fetch the mirror first, so a commit pushed to the remote is built; private remotes take
// Basic-auth credentials from stdin that are stored sealed, sent to runners as the netrc and never
// shown; a bad URL or refused credentials leave nothing behind.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { isMirrored } from '../../src/server/scm/mirror.js';
import { remoteNetrc } from '../../src/server/scm/mirror-services.js';
import { signLocalPush } from '../../src/server/scm/local.js';
import { findRepoCredentials } from '../../src/server/store/queries/repo-credentials.js';
import { findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { readFileSync } from 'node:fs';
import { compatPath, compatSkip, repoRoot } from '../support/compat.js';
import { startRemote } from '../support/git-remote.js';
import { type BuildServer, buildServerTest, startBuildServer, type TestUser } from './builds-harness.js';
import { signatureHeaders } from './hooks-support.js';
import { pipeline, pipelines } from './trigger-support.js';

const CONFIG = pipelines(
  pipeline('test'),
  pipeline('nightly', 'trigger:\n  event: [cron]'),
  pipeline('release', 'trigger:\n  event: [tag]'),
);

const stageNames = (build: { stages: { name: string }[] }) => build.stages.map((st) => st.name);

describe('hangar repo add URL, over a listening server', () => {
  let s: BuildServer;
  let url = '';
  let alice: TestUser;

  before(async () => {
    s = await startBuildServer('sqlite');
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = s.app.server.address();
    assert.ok(addr && typeof addr === 'object');
    url = `http://127.0.0.1:${addr.port}`;
    alice = await s.user({ login: 'alice' });
  });
  after(() => s.close());

  /** Runs the hangar CLI as alice against the test server; `input` goes to stdin. */
  const hangar = (args: string[], input?: string) =>
    execa(process.execPath, [join(repoRoot, 'bin/hangar.js'), ...args], {
      reject: false,
      ...(input !== undefined ? { input } : { stdin: 'ignore' as const }),
      env: {
        HANGAR_SERVER: url,
        HANGAR_TOKEN: alice.token,
        DRONE_SERVER: '',
        DRONE_TOKEN: '',
        HANGAR_FROM_SOURCE: '1',
      },
    });

  const mirrorsDir = () => join(s.dataDir, 'mirrors');
  const leftovers = async () =>
    (await readdir(mirrorsDir()).catch(() => [] as string[])).filter((f) => f.startsWith('.clone-'));

  test('add, custom builds, a pushed commit, cron, a push webhook, removal', async () => {
    const remote = await startRemote();
    try {
      const first = await remote.commit('first pipeline', { '.drone.yml': CONFIG, 'a.txt': 'a\n' });
      const added = await hangar(['repo', 'add', remote.url]);
      assert.equal(added.exitCode, 0, added.stderr);
      assert.match(
        added.stdout,
        /registered alice\/app \(git remote http:\/\/127\.0\.0\.1:\d+\/app\.git, default branch main\)/,
      );
      assert.match(added.stdout, /hangar build create alice\/app/);

      const info = await hangar(['repo', 'info', 'alice/app', '--json']);
      const shown = JSON.parse(info.stdout);
      assert.deepEqual(
        [shown.scm, shown.git_http_url, shown.active, shown.default_branch],
        ['git', remote.url, true, 'main'],
      );
      const repo = await findRepoBySlug(s.db, 'alice/app');
      assert.ok(repo && isMirrored(repo));
      assert.ok(existsSync(join(mirrorsDir(), `${repo.id}.git`)), 'the mirror was cloned on add');

      // A custom build of the branch head: the commit's message, the stages the config selects.
      const created = await hangar(['build', 'create', 'alice/app', '--json']);
      assert.equal(created.exitCode, 0, created.stderr);
      const b1 = JSON.parse(created.stdout);
      assert.deepEqual(
        [b1.number, b1.event, b1.after, b1.message, b1.author_email, stageNames(b1)],
        [1, 'custom', first, 'first pipeline\n', 'jane@example.com', ['test']],
      );

      // A commit pushed to the remote is fetched before the next custom build.
      const second = await remote.commit('second', { 'b.txt': 'b\n' });
      const b2 = JSON.parse((await hangar(['build', 'create', 'alice/app', '--json'])).stdout);
      assert.deepEqual([b2.number, b2.after, b2.message], [2, second, 'second\n']);

      // A commit named outright that the mirror does not have yet is fetched too.
      const third = await remote.commit('third', { 'c.txt': 'c\n' });
      const b3 = JSON.parse(
        (await hangar(['build', 'create', 'alice/app', '--commit', third, '--json'])).stdout,
      );
      assert.deepEqual([b3.after, b3.message], [third, 'third\n']);
      const unknown = await hangar(['build', 'create', 'alice/app', '--commit', 'f'.repeat(40)]);
      assert.equal(unknown.exitCode, 1);
      assert.match(unknown.stderr, /commit f+ not found in alice\/app \(HTTP 404\)/);

      // A cron build takes the remote's head as it is now.
      const fourth = await remote.commit('fourth', { 'd.txt': 'd\n' });
      const cron = await s.call('POST', '/api/repos/alice/app/cron', {
        token: alice.token,
        body: { name: 'nightly', expr: '0 0 * * *', branch: 'main' },
      });
      assert.equal(cron.status, 200, cron.body);
      const fired = await s.call('POST', '/api/repos/alice/app/cron/nightly', { token: alice.token });
      assert.equal(fired.status, 200, fired.body);
      const b4 = await s.call('GET', '/api/repos/alice/app/builds/4', { token: alice.token });
      assert.deepEqual(
        [b4.json.event, b4.json.cron, b4.json.after, b4.json.message, stageNames(b4.json)],
        ['cron', 'nightly', fourth, 'fourth\n', ['test', 'nightly']],
      );

      // A push webhook naming a commit the mirror lacks: fetched, with its message and changed files.
      const fifth = await remote.commit('fifth', { 'e.txt': 'e\n', 'f.txt': 'f\n' });
      const push = signLocalPush(
        { repo: 'alice/app', ref: 'refs/heads/main', before: fourth, after: fifth },
        repo.signer,
      );
      const hook = await s.call('POST', '/hook', { payload: push.body, headers: push.headers });
      assert.equal(hook.status, 200, hook.body);
      assert.deepEqual(
        [hook.json.number, hook.json.event, hook.json.after, hook.json.message, stageNames(hook.json)],
        [5, 'push', fifth, 'fifth\n', ['test']],
      );
      const b5 = await s.call('GET', '/api/repos/alice/app/builds/5', { token: alice.token });
      assert.equal(b5.status, 200);
      const [build5] = await s.db
        .selectFrom('builds')
        .select('changed_files')
        .where('repo_id', '=', repo.id)
        .where('number', '=', 5)
        .execute();
      assert.deepEqual(JSON.parse(String(build5?.changed_files)), ['e.txt', 'f.txt']);

      // A tag pushed to the remote and named by a webhook selects the tag pipeline.
      await remote.pushRef(fifth, 'refs/tags/v1.0.0');
      const tagPush = signLocalPush(
        { repo: 'alice/app', ref: 'refs/tags/v1.0.0', before: '0'.repeat(40), after: fifth },
        repo.signer,
      );
      const tagged = await s.call('POST', '/hook', { payload: tagPush.body, headers: tagPush.headers });
      assert.deepEqual([tagged.json.event, stageNames(tagged.json)], ['tag', ['test', 'release']]);

      // Runners clone the remote URL itself; a public remote needs no netrc.
      assert.equal(await remoteNetrc(s.db, s.box, repo), null);

      const removed = await s.call('DELETE', '/api/repos/alice/app?remove=true', { token: alice.token });
      assert.equal(removed.status, 200);
      assert.equal(existsSync(join(mirrorsDir(), `${repo.id}.git`)), false, 'the mirror went with the repo');
      assert.deepEqual(await leftovers(), []);
    } finally {
      await remote.close();
    }
  });

  test('a push webhook from the forge, sent to the URL with the secret `hangar repo webhook` shows', {
    skip: compatSkip(),
  }, async () => {
    const remote = await startRemote();
    try {
      const first = await remote.commit('first', { '.drone.yml': CONFIG });
      assert.equal((await hangar(['repo', 'add', remote.url, '--name', 'alice/forge'])).exitCode, 0);
      const shown = await hangar(['repo', 'webhook', 'alice/forge', '--json']);
      assert.equal(shown.exitCode, 0, shown.stderr);
      const { url: hookUrl, secret } = JSON.parse(shown.stdout);
      assert.equal(hookUrl, 'http://ci.example.com/hook');
      assert.equal(secret, (await findRepoBySlug(s.db, 'alice/forge'))?.signer);
      const text = await hangar(['repo', 'webhook', 'alice/forge']);
      assert.match(text.stdout, /URL:\s+http:\/\/ci\.example\.com\/hook/);

      // Gitea's push payload (a recorded one) for a commit the mirror does not have yet.
      const second = await remote.commit('second', { 'x.txt': 'x\n' });
      const p = JSON.parse(readFileSync(compatPath('webhooks', 'gitea', 'push.json'), 'utf8'));
      assert.ok(typeof secret === 'string');
      Object.assign(p, { ref: 'refs/heads/main', before: first, after: second });
      p.commits = [{ ...p.commits[0], id: second, message: '', added: ['x.txt'], modified: [], removed: [] }];
      Object.assign(p.repository, { name: 'forge', full_name: 'alice/forge' });
      Object.assign(p.repository.owner, { username: 'alice', login: 'alice' });
      const body = JSON.stringify(p);
      const res = await s.call('POST', '/hook', {
        payload: body,
        headers: { 'x-gitea-event': 'push', ...signatureHeaders('gitea', body, secret) },
      });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual([res.json.event, res.json.after, stageNames(res.json)], ['push', second, ['test']]);

      // Only the repo's admins see the secret; other repositories have none to show.
      const bob = await s.user({ login: 'bob' });
      const asBob = await s.call('GET', '/api/repos/alice/forge/webhook', { token: bob.token });
      assert.equal(asBob.status, 404);
      const hosted = await s.repo({ namespace: 'alice', name: 'hosted', scm: 'github' }, alice);
      const none = await s.call('GET', `/api/repos/${hosted.slug}/webhook`, { token: alice.token });
      assert.equal(none.status, 400);
      assert.match(none.json.message, /is not a git remote/);
    } finally {
      await remote.close();
    }
  });

  test('dumb HTTP remotes are added and built as well', async () => {
    const remote = await startRemote({ dumb: true });
    try {
      const sha = await remote.commit('static', { '.drone.yml': CONFIG });
      const added = await hangar(['repo', 'add', remote.url, '--name', 'alice/dumb']);
      assert.equal(added.exitCode, 0, added.stderr);
      const b = JSON.parse((await hangar(['build', 'create', 'alice/dumb', '--json'])).stdout);
      assert.deepEqual([b.after, stageNames(b)], [sha, ['test']]);
    } finally {
      await remote.close();
    }
  });

  test('a bad URL is one line, exit 1, and leaves no repository and no mirror', async () => {
    const remote = await startRemote();
    try {
      await remote.commit('x', { '.drone.yml': CONFIG });
      const cases: [string, RegExp][] = [
        [
          'http://127.0.0.1:1/app.git',
          /^hangar: cannot reach http:\/\/127\.0\.0\.1:1\/app\.git: .*\(HTTP 400\)$/,
        ],
        [
          `${remote.base}/missing.git`,
          /^hangar: http:\/\/127\.0\.0\.1:\d+\/missing\.git is not a git repository .*\(HTTP 400\)$/,
        ],
      ];
      for (const [bad, message] of cases) {
        const res = await hangar(['repo', 'add', bad, '--name', 'alice/bad']);
        assert.equal(res.exitCode, 1, res.stdout);
        assert.match(res.stderr, message);
        assert.equal(await findRepoBySlug(s.db, 'alice/bad'), undefined);
      }
      assert.deepEqual(await leftovers(), []);
      const withUser = await hangar(['repo', 'add', 'https://jane:pw@example.com/a.git']);
      assert.equal(withUser.exitCode, 2);
      assert.match(withUser.stderr, /must not hold credentials/);
      const argvPassword = await hangar(['repo', 'add', remote.url, '--username', 'jane']);
      assert.equal(argvPassword.exitCode, 2);
      assert.match(argvPassword.stderr, /--username needs --password-stdin/);
    } finally {
      await remote.close();
    }
  });

  test('a private remote: credentials from stdin, stored sealed, never shown or logged', async () => {
    const password = 'Tok3n-of-jane-0123';
    const remote = await startRemote({ auth: { login: 'jane', password } });
    try {
      const sha = await remote.commit('private', { '.drone.yml': CONFIG });
      const none = await hangar(['repo', 'add', remote.url, '--name', 'alice/private']);
      assert.equal(none.exitCode, 1);
      assert.match(none.stderr, /authentication failed for .*--password-stdin/);
      const wrong = await hangar(
        ['repo', 'add', remote.url, '--name', 'alice/private', '--username', 'jane', '--password-stdin'],
        'Wr0ng-Passw0rd-987\n',
      );
      assert.equal(wrong.exitCode, 1);
      assert.match(wrong.stderr, /^hangar: authentication failed for .* refused the username and password/);
      assert.ok(!wrong.stderr.includes('Wr0ng-Passw0rd-987'));
      assert.equal(await findRepoBySlug(s.db, 'alice/private'), undefined, 'no repository row left behind');
      assert.deepEqual(await leftovers(), []);

      const added = await hangar(
        ['repo', 'add', remote.url, '--name', 'alice/private', '--username', 'jane', '--password-stdin'],
        `${password}\n`,
      );
      assert.equal(added.exitCode, 0, added.stderr);
      const repo = await findRepoBySlug(s.db, 'alice/private');
      assert.ok(repo);
      const stored = await findRepoCredentials(s.db, repo.id);
      assert.ok(stored && stored.username === 'jane');
      assert.ok(!stored.password.toString('latin1').includes(password), 'sealed at rest');
      const info = await s.call('GET', '/api/repos/alice/private', { token: alice.token });
      assert.ok(!info.body.includes(password) && !info.body.includes('jane'));

      const b = JSON.parse((await hangar(['build', 'create', 'alice/private', '--json'])).stdout);
      assert.equal(b.after, sha, 'the stored credentials fetch the mirror');
      assert.deepEqual(await remoteNetrc(s.db, s.box, repo), {
        machine: '127.0.0.1',
        login: 'jane',
        password,
      });
      assert.ok(!s.logs().includes(password), 'the password is in no log line');
    } finally {
      await remote.close();
    }
  });
});

buildServerTest(
  'the API: credentials are for git remotes only; a refused remote creates nothing',
  async (s) => {
    const auth = { login: 'jane', password: 'pw-0123456' };
    const remote = await startRemote({ auth });
    try {
      await remote.commit('x', { '.drone.yml': CONFIG });
      const local = await s.call('POST', '/api/repos/acme/creds', {
        token: s.admin.token,
        body: { scm: 'github', git_http_url: remote.url, username: 'jane', password: 'pw-0123456' },
      });
      assert.equal(local.status, 400);
      assert.match(local.json.message, /only taken for git remotes/);
      assert.equal(await findRepoBySlug(s.db, 'acme/creds'), undefined);
      const refused = await s.call('POST', '/api/repos/acme/refused', {
        token: s.admin.token,
        body: { scm: 'git', git_http_url: remote.url, username: 'jane', password: 'nope-nope' },
      });
      assert.equal(refused.status, 400);
      assert.ok(!refused.body.includes('nope-nope'));
      assert.equal(await findRepoBySlug(s.db, 'acme/refused'), undefined);
      const ok = await s.call('POST', '/api/repos/acme/ok', {
        token: s.admin.token,
        body: { scm: 'git', git_http_url: remote.url, username: 'jane', password: 'pw-0123456' },
      });
      assert.equal(ok.status, 200, ok.body);
      assert.equal(ok.json.default_branch, 'main');
      const built = await s.call('POST', '/api/repos/acme/ok/builds', { token: s.admin.token });
      assert.equal(built.status, 200, built.body);
      assert.deepEqual(stageNames(built.json), ['test']);

      // The token changes at the remote: builds fail clearly until the repo gets the new one; a
      // refused new one leaves the old one in place.
      auth.password = 'pw-rotated-789';
      const stale = await s.call('POST', '/api/repos/acme/ok/builds', { token: s.admin.token });
      assert.equal(stale.status, 400);
      assert.match(stale.json.message, /authentication failed for .*refused the username and password/);
      const job = await s.call('POST', '/api/repos/acme/ok/cron', {
        token: s.admin.token,
        body: { name: 'hourly', expr: '@hourly' },
      });
      assert.equal(job.status, 200, job.body);
      const cronRun = await s.call('POST', '/api/repos/acme/ok/cron/hourly', { token: s.admin.token });
      assert.equal(cronRun.status, 404);
      assert.match(
        cronRun.json.message,
        /cannot find the head of branch main of acme\/ok: authentication failed/,
      );
      const repo = await findRepoBySlug(s.db, 'acme/ok');
      assert.ok(repo);
      const rotate = (password: string) =>
        s.call('POST', '/api/repos/acme/ok', { token: s.admin.token, body: { username: 'jane', password } });
      assert.equal((await rotate('pw-still-wrong')).status, 400);
      assert.equal((await remoteNetrc(s.db, s.box, repo))?.password, 'pw-0123456');
      assert.equal((await rotate('pw-rotated-789')).status, 200);
      assert.equal((await remoteNetrc(s.db, s.box, repo))?.password, 'pw-rotated-789');
      const again = await s.call('POST', '/api/repos/acme/ok/builds', { token: s.admin.token });
      assert.equal(again.status, 200, again.body);
    } finally {
      await remote.close();
    }
  },
);
