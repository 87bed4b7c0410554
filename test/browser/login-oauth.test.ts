// Signing in with the SCM in Chromium: the sign-in page offers "Sign in with GitHub" when the
// server has an OAuth client; the click goes through Hangar's /login to a stand-in GitHub on a
// loopback port (whose authorize page sends the browser straight back with a code, as GitHub does
// for an app the user already granted), and the browser lands on the repository list, signed in
// by the session cookie alone (no token in localStorage); a write from that session carries the
// CSRF header; signing out ends the cookie session.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type FakeScm, fakeScmEnv, startFakeScm } from '../support/fake-scm-oauth.js';
import { chromiumSkip, ensureWebBuild, launchChromium, startUiServer, type UiServer } from './support.js';

const skip = chromiumSkip();

/** A free loopback port (the redirect URI must name the server's port before it starts). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

if (skip) test('sign in with the SCM in Chromium', { skip }, () => {});
else
  describe('sign in with the SCM in Chromium', { timeout: 180_000 }, () => {
    let server: UiServer;
    let scm: FakeScm;
    let browser: Browser;
    let page: Page;

    before(async () => {
      ensureWebBuild();
      scm = await startFakeScm('github', { login: 'octocat', email: 'octocat@example.com', orgs: [] });
      const port = await freePort();
      server = await startUiServer({
        ...fakeScmEnv(scm),
        HANGAR_ADDR: `127.0.0.1:${port}`,
        HANGAR_SERVER_HOST: `127.0.0.1:${port}`,
      });
      // Made beforehand (as an admin would), so it has a repository to land on.
      const octocat = await server.user('octocat');
      await server.repo({ namespace: 'octocat', name: 'hello-world', default_branch: 'main' }, octocat);
      browser = await launchChromium();
      page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
      page.on('pageerror', (err) => {
        throw err;
      });
    });

    after(async () => {
      await browser?.close();
      await server?.close();
      await scm?.close();
    });

    test('"Sign in with GitHub" lands signed in on the repository list', async () => {
      await page.goto(`${server.url}/signin`);
      await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
      await page.waitForURL(`${server.url}/`);
      await page.getByTestId('who').getByText('octocat').waitFor();
      await page.getByTestId('repo-item').filter({ hasText: 'octocat/hello-world' }).waitFor();
      assert.ok(
        scm.seen.some(
          (r) =>
            r.path === '/login/oauth/authorize' && r.query.scope === 'repo,repo:status,user:email,read:org',
        ),
      );
      assert.equal(await page.evaluate('localStorage.length'), 0, 'no token kept in the browser');
      const cookies = await page.context().cookies(server.url);
      const session = cookies.find((c) => c.name === '_session_');
      assert.ok(session?.httpOnly, 'an HttpOnly session cookie');
      assert.equal(session?.sameSite, 'Lax');

      // A write from the cookie session (a new API token on the account page) carries the CSRF header.
      page.once('dialog', (d) => void d.accept());
      await page.getByTestId('who').click();
      await page.getByRole('button', { name: 'Make a new API token' }).click();
      const token = await page.getByLabel(/Your new token/).inputValue();
      assert.match(token, /\S{16,}/);
      const me = await fetch(`${server.url}/api/user`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(((await me.json()) as { login: string }).login, 'octocat');

      // Signed out on a page that needs a user: the sign-in page; a reload of the home page stays signed out.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('link', { name: 'Sign in with GitHub' }).waitFor();
      await page.goto(`${server.url}/`);
      await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
      assert.equal(await page.getByTestId('who').count(), 0, 'the cookie session has ended');
      assert.equal(
        (await page.context().cookies(server.url)).filter((c) => c.name === '_session_').length,
        0,
      );
    });

    test('a refused sign-in shows the reason on the sign-in page', async () => {
      scm.deny = true;
      try {
        await page.goto(`${server.url}/signin`);
        await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
        await page.waitForURL(/\/signin\?error=/);
        await page
          .getByRole('alert')
          .getByText('GitHub sign-in was cancelled: access was not granted')
          .waitFor();
      } finally {
        scm.deny = false;
      }
    });
  });
