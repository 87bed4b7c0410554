// Renewal of expiring SCM tokens (Gitea, GitLab) before use: a runner asking for a private repo's
// stage details gets a netrc with a token the stand-in GitLab issued by refresh, and the renewed
// token, refresh token and expiry are stored sealed; a token far from expiry is used as it is; a
// refused refresh leaves the old token and says so in the log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TOKEN_HEADER } from '../../src/protocol/types.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/server/auth/cookie.js';
import { openOAuthToken } from '../../src/server/auth/oauth-token.js';
import type { User } from '../../src/server/store/models.js';
import { findUserByLogin, setUserOAuth } from '../../src/server/store/queries/users.js';
import { fakeScmEnv, startFakeScm } from '../support/fake-scm-oauth.js';
import { startTestServer, type TestServer } from './harness.js';
import { aBuild } from './rpc-support.js';

const RPC = 'renew-test-rpc-secret-0123456789';

async function signIn(s: TestServer): Promise<string> {
  const start = await s.call('GET', '/login');
  const location = String(start.headers.location);
  const state = new URL(location).searchParams.get('state');
  const cookie = String(start.headers['set-cookie']).split(';')[0] as string;
  const back = new URL((await fetch(location, { redirect: 'manual' })).headers.get('location') ?? '');
  const done = await s.call('GET', `/login?code=${back.searchParams.get('code')}&state=${state}`, {
    headers: { cookie },
  });
  const session = /_session_=([^;]*)/.exec(String(done.headers['set-cookie']))?.[1];
  assert.ok(session, String(done.headers.location));
  return session;
}

test('an expiring GitLab token is renewed before a runner gets the netrc; a fresh one is not', async () => {
  const scm = await startFakeScm('gitlab', { login: 'renewer', email: 'r@example.com', orgs: [] });
  const s = await startTestServer(
    'sqlite',
    {},
    { scm: { config: { find: async () => 'kind: pipeline\nsteps:\n- name: a\n  image: alpine\n' } } },
    { ...fakeScmEnv(scm), HANGAR_COOKIE_SECRET: 'renew-test-cookie-secret-0123', HANGAR_RPC_SECRET: RPC },
  );
  try {
    const session = await signIn(s);
    const user = (await findUserByLogin(s.db, 'renewer')) as User;
    const repo = await s.repo({
      scm: 'gitlab',
      git_http_url: 'https://gitlab.example.com/renewer/app.git',
      user_id: user.id,
    });
    const { stages } = await aBuild(s.db, repo);
    const stageId = stages[0]?.id as number;
    const details = async () => {
      const a = await s.call('GET', `/rpc/v2/stage/${stageId}`, { headers: { [TOKEN_HEADER]: RPC } });
      assert.equal(a.status, 200, a.body);
      return a.json.netrc as { machine: string; login: string; password: string };
    };

    // Two hours left: used as it is.
    const first = scm.issued.at(-1);
    assert.deepEqual(await details(), { machine: 'gitlab.example.com', login: 'oauth2', password: first });
    assert.equal(scm.seen.filter((r) => r.form.grant_type === 'refresh_token').length, 0);

    // Five minutes left: renewed with the refresh token, and the new credentials are stored sealed.
    const before = (await findUserByLogin(s.db, 'renewer')) as User;
    await setUserOAuth(s.db, user.id, { ...before, oauth_expiry: Math.floor(Date.now() / 1000) + 300 });
    const refreshUsed = scm.refreshes.at(-1);
    const renewed = await details();
    const refreshes = scm.seen.filter((r) => r.form.grant_type === 'refresh_token');
    assert.equal(refreshes.length, 1);
    assert.equal(refreshes[0]?.form.refresh_token, refreshUsed);
    const second = scm.issued.at(-1);
    assert.notEqual(second, first);
    assert.equal(renewed.password, second);
    const after = (await findUserByLogin(s.db, 'renewer')) as User;
    assert.match(after.oauth_token, /^enc:/);
    assert.equal(openOAuthToken(s.box, after.oauth_token), second);
    assert.equal(openOAuthToken(s.box, after.oauth_refresh), scm.refreshes.at(-1));
    assert.ok(after.oauth_expiry > Math.floor(Date.now() / 1000) + 3600);
    // The browser session is unaffected.
    const me = await s.call('GET', '/api/user', { headers: { cookie: `${SESSION_COOKIE}=${session}` } });
    assert.equal(me.json.login, 'renewer');

    // A refresh the SCM refuses (a spent refresh token): the old token goes out, the log says why.
    await setUserOAuth(s.db, user.id, {
      ...after,
      oauth_refresh: before.oauth_refresh,
      oauth_expiry: Math.floor(Date.now() / 1000) + 60,
    });
    assert.equal((await details()).password, second);
    assert.match(s.logs(), /cannot renew the SCM token/);
    assert.ok(!s.logs().includes(second as string), 'no token in the log');
  } finally {
    await s.close();
    await scm.close();
  }
});

test('a repository sync renews an expiring token first and lists the repos with the new one', async () => {
  const scm = await startFakeScm('gitlab', { login: 'syncer', email: 's@example.com', orgs: [] });
  const s = await startTestServer(
    'sqlite',
    {},
    {},
    {
      ...fakeScmEnv(scm),
      HANGAR_COOKIE_SECRET: 'renew-test-cookie-secret-0123',
    },
  );
  try {
    const session = await signIn(s);
    const cookie = `${SESSION_COOKIE}=${session}`;
    const user = (await findUserByLogin(s.db, 'syncer')) as User;
    await setUserOAuth(s.db, user.id, { ...user, oauth_expiry: Math.floor(Date.now() / 1000) + 120 });
    const me = await s.call('GET', '/api/user', { headers: { cookie } });
    const csrf = String(me.headers[CSRF_HEADER]);
    const seenBefore = scm.seen.length;

    const sync = await s.call('POST', '/api/user/repos', { headers: { cookie, [CSRF_HEADER]: csrf } });
    assert.equal(sync.status, 200, sync.body);
    const during = scm.seen.slice(seenBefore);
    const refresh = during.findIndex((r) => r.form.grant_type === 'refresh_token');
    // The sign-in's own background sync may list once before: the last listing is this one's.
    const listing = during.map((r) => r.path).lastIndexOf('/api/v4/projects');
    assert.ok(refresh >= 0, 'the token was renewed');
    assert.ok(listing > refresh, 'the repos were listed after the renewal');
    assert.equal(during[listing]?.authorization, `Bearer ${scm.issued.at(-1)}`);
  } finally {
    await s.close();
    await scm.close();
  }
});
