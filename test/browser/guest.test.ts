// The web UI for guests (no token, as in Drone): public repositories, their builds, build pages and
// logs are readable; no write control is shown; a private repository is a clear 401 page with a
// way to sign in; the top bar offers "Sign in" instead of forcing the sign-in page first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { putLog } from '../../src/server/store/queries/logs.js';
import { updateStage } from '../../src/server/store/queries/stages.js';
import {
  chromiumSkip,
  ensureWebBuild,
  launchChromium,
  RpcRunner,
  screenshotPath,
  seedTwoStageBuild,
  startUiServer,
  tabThrough,
  type TestUser,
  type UiServer,
} from './support.js';

const skip = chromiumSkip();

if (skip) test('web UI for guests in Chromium', { skip }, () => {});
else describeGuest();

function describeGuest(): void {
  describe('web UI for guests in Chromium', { timeout: 180_000 }, () => {
    let server: UiServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let alice: TestUser;

    before(async () => {
      ensureWebBuild();
      server = await startUiServer();
      alice = await server.user('alice');
      await server.repo(
        { namespace: 'oss', name: 'lib', default_branch: 'main', visibility: 'public', private: false },
        alice,
      );
      await server.repo({ namespace: 'oss', name: 'internal', visibility: 'internal' }, alice);
      await server.repo({ namespace: 'alice', name: 'private', default_branch: 'main' }, alice);
      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      page = await context.newPage();
      page.on('pageerror', (err) => {
        throw err;
      });
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    test('the home page lists only the public repositories, with their newest build, and offers Sign in', async () => {
      await seedTwoStageBuild(server, 'oss/lib', {
        status: 'success',
        finished: Math.floor(Date.now() / 1000),
      });
      await page.goto(`${server.url}/`);
      await page.getByRole('heading', { name: 'Public repositories' }).waitFor();
      const items = page.getByTestId('repo-item');
      await items.first().waitFor();
      assert.deepEqual(await items.locator('.title').allTextContents(), ['oss/lib']);
      assert.equal(await items.locator('[data-status]').getAttribute('data-status'), 'success');
      assert.equal(new URL(page.url()).pathname, '/', 'no detour through the sign-in page');
      await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
      assert.equal(await page.getByText('Add a repository').count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Activate' }).count(), 0);
      assert.equal(await page.getByText('Organization secrets').count(), 0);
      await page.screenshot({ path: screenshotPath('guest-repos.png'), fullPage: true });
    });

    test('a public build page shows stages, steps and the log, without any write control', async () => {
      const { build, steps, stages } = await seedTwoStageBuild(server, 'oss/lib', {
        status: 'success',
        finished: Math.floor(Date.now() / 1000),
      });
      const clone = steps.find((s) => s.name === 'clone')!;
      await putLog(
        server.store.db,
        clone.id,
        Buffer.from(JSON.stringify([{ pos: 0, out: '+ git clone https://example.test/oss/lib\n', time: 0 }])),
      );
      await updateStage(server.store.db, { ...stages[0]!, status: 'success' });
      await page.goto(`${server.url}/oss/lib`);
      await page.locator(`[data-testid="build-item"][data-number="${build.number}"]`).waitFor();
      assert.equal(await page.getByRole('button', { name: 'New build' }).count(), 0);
      const tabs = page.getByRole('navigation', { name: 'Repository' });
      assert.deepEqual(await tabs.getByRole('link').allTextContents(), ['Builds']);

      await page.goto(`${server.url}/oss/lib/${build.number}/1/1`);
      await page.getByTestId('log').getByText('+ git clone https://example.test/oss/lib').waitFor();
      await page.getByTestId('stage-node').nth(1).waitFor();
      for (const name of ['Cancel build', 'Restart', 'Promote', 'Rollback', 'Approve', 'Decline']) {
        assert.equal(await page.getByRole('button', { name }).count(), 0, `${name} is hidden`);
      }
      await page.getByRole('button', { name: 'Download' }).waitFor();
      await page.screenshot({ path: screenshotPath('guest-build.png'), fullPage: true });
    });

    test('a guest watches a public build live: the list, the stage and the log lines as the runner sends them', async () => {
      const { build } = await seedTwoStageBuild(
        server,
        'oss/lib',
        { status: 'pending', started: 0 },
        'pending',
      );
      await page.goto(`${server.url}/oss/lib/${build.number}`);
      await page.getByTestId('why-waiting').waitFor();
      const runner = new RpcRunner(server.url);
      const taken = await runner.take();
      const stage = await runner.start(taken, ['compile']);
      const [compile] = stage.steps;
      const log = page.getByTestId('log');
      await page.getByRole('region', { name: 'Log of compile' }).waitFor({ timeout: 20_000 });
      await runner.lines(compile.id, [
        { pos: 0, out: 'guest sees line 1\n', time: 0 },
        { pos: 1, out: 'guest sees line 2\n', time: 1 },
      ]);
      await log.getByText('guest sees line 2', { exact: true }).waitFor();
      assert.equal(await page.getByTestId('log-source').getAttribute('data-source'), 'live');
      assert.equal(await page.getByRole('button', { name: 'Cancel build' }).count(), 0);
      const done = await runner.step(compile, {
        status: 'success',
        stopped: Math.floor(Date.now() / 1000),
        exit_code: 0,
      });
      await runner.finish(stage, [done], 'success');
      await page.locator('.stage-head [data-status="success"]').waitFor({ timeout: 20_000 });
      // Leave no stage queued for the next test's runner.
      const next = await runner.take();
      await runner.finish(await runner.start(next, ['unit']), [], 'success');
    });

    test('settings, secrets and cron pages of a public repo ask a guest to sign in', async () => {
      for (const tab of ['settings', 'secrets', 'cron']) {
        await page.goto(`${server.url}/oss/lib/${tab}`);
        await page.getByRole('heading', { name: 'Sign in required' }).waitFor();
        assert.equal(await page.getByRole('button', { name: 'Save settings' }).count(), 0);
      }
    });

    test('a private or internal repository is a clear 401 page; signing in from it comes back', async () => {
      for (const slug of ['alice/private', 'oss/internal', 'no/such-repo']) {
        await page.goto(`${server.url}/${slug}`);
        await page.getByRole('heading', { name: 'Sign in required' }).waitFor();
        assert.equal(await page.locator('.big-code').textContent(), '401');
      }
      await page.goto(`${server.url}/alice/private`);
      await page.getByRole('heading', { name: 'Sign in required' }).waitFor();
      await page.screenshot({ path: screenshotPath('unauthorized.png') });
      await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL(/\/signin\?next=%2Falice%2Fprivate$/);
      await page.getByLabel('API token').fill(alice.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${server.url}/alice/private`);
      await page.getByRole('heading', { name: /alice\s*\/\s*private/ }).waitFor();
      // Signed out again, the home page is the public list.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto(`${server.url}/`);
      await page.getByRole('heading', { name: 'Public repositories' }).waitFor();
    });

    test('at phone width a guest gets the same pages without sideways scrolling, every control reachable by Tab', async () => {
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      try {
        const p = await phone.newPage();
        for (const [name, path, ready] of [
          ['repos', '/', '[data-testid="repo-item"]'],
          ['builds', '/oss/lib', '[data-testid="build-item"]'],
          ['build', '/oss/lib/2/1/1', '.log-line'],
          ['401', '/alice/private', '.big-code'],
        ] as const) {
          await p.goto(`${server.url}${path}`);
          await p.locator(ready).first().waitFor();
          const over = Number(await p.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
          assert.ok(over <= 0, `${name}: ${over}px wider than the phone`);
          // Keyboard at phone width too: the top bar's links scroll sideways there, yet show their ring.
          const walk = await tabThrough(p);
          assert.deepEqual(walk.missed, [], `${name}: not reachable by Tab`);
          assert.deepEqual(walk.noRing, [], `${name}: focused without a visible ring`);
          await p.screenshot({ path: screenshotPath(`phone-guest-${name}.png`), fullPage: true });
        }
      } finally {
        await phone.close();
      }
    });

    test('admin pages ask a guest to sign in', async () => {
      await page.goto(`${server.url}/admin/queue`);
      await page.waitForURL(/\/signin\?next=%2Fadmin%2Fqueue$/);
    });
  });
}
