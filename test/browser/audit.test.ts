// The web UI checked against issue 6 sentence by sentence, in headless Chromium against a real
// server: phone width (no sideways scrolling on any main page), keyboard only (Tab reaches every
// control of the build and settings pages with a visible focus ring; the stage graph and the
// step list answer Enter), the build list updated live without a reload, follow/unfollow of a
// live log, the rollback dialog by keyboard, 401/403/404 pages. Screenshots of the main pages
// at phone and desktop width go to test-output/screenshots (git-ignored).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { findBuildByNumber } from '../../src/server/store/queries/builds.js';
import { putLog } from '../../src/server/store/queries/logs.js';
import { findRepoBySlug } from '../../src/server/store/queries/repos.js';
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
const now = () => Math.floor(Date.now() / 1000);

if (skip) test('web UI audit in Chromium', { skip }, () => {});
else describeAudit();

// Controls of the main content that end beyond the right edge of the window (inside the log and
// the stage graph, which scroll sideways by design, they may).
const CUT_CONTROLS = `(() => [...document.querySelectorAll('main button, main a[href], main input, main select, main textarea')]
  .filter((el) => el.checkVisibility() && !el.closest('.log, .graph-wrap, .tabs'))
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map((el) => el.tagName.toLowerCase() + ' "' + (el.textContent || el.id || '').trim().slice(0, 30) + '"'))()`;

async function overflowOf(page: Page): Promise<number> {
  return Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
}

function describeAudit(): void {
  describe('web UI audit in Chromium', { timeout: 300_000 }, () => {
    let server: UiServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let alice: TestUser;

    /** A signed-in browser context of `width`×`height`. */
    async function signedIn(user: TestUser, width: number, height: number, mobile = false) {
      const ctx = await browser.newContext({
        viewport: { width, height },
        ...(mobile ? { isMobile: true, hasTouch: true } : {}),
      });
      await ctx.addInitScript({
        content: `localStorage.setItem('hangar.token', ${JSON.stringify(user.token)})`,
      });
      return ctx;
    }

    async function api(method: string, path: string, body?: unknown) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${alice.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.text()}`);
      return res;
    }

    before(async () => {
      ensureWebBuild();
      server = await startUiServer();
      alice = await server.user('alice', { admin: true });
      await server.repo({ namespace: 'acme', name: 'widget', default_branch: 'main' }, alice);
      await server.repo(
        {
          namespace: 'acme',
          name: 'a-repository-with-a-rather-long-name-for-phones',
          default_branch: 'main',
        },
        alice,
      );
      await api('POST', '/api/repos/acme/widget/secrets', { name: 'token', data: 'x' });
      await api('POST', '/api/repos/acme/widget/cron', { name: 'nightly', expr: '@daily', branch: 'main' });
      await api('POST', '/api/secrets/acme', { name: 'registry_password', data: 'x' });
      browser = await launchChromium();
      context = await signedIn(alice, 1280, 860);
      page = await context.newPage();
      page.on('pageerror', (err) => {
        throw err;
      });
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    test('the build list takes a new build and its progress live, without reloading the page', async () => {
      await page.goto(`${server.url}/acme/widget`);
      await page.getByRole('heading', { name: 'Builds' }).waitFor();
      await page.evaluate('window.__sameDocument = true');
      const { build } = await seedTwoStageBuild(
        server,
        'acme/widget',
        { status: 'pending', started: 0 },
        'pending',
      );
      const row = page.locator(`[data-testid="build-item"][data-number="${build.number}"]`);
      assert.equal(await row.count(), 0, 'not announced yet');

      // A runner takes it: the event puts the build in the list, then its progress.
      const runner = new RpcRunner(server.url);
      const taken = await runner.take();
      const stage = await runner.start(taken, ['clone']);
      await row.locator('[data-status="running"]').waitFor({ timeout: 20_000 });
      for (const text of ['push', 'main', 'Make the widget faster', 'by alice']) {
        assert.match(String(await row.textContent()), new RegExp(text));
      }
      const [clone] = stage.steps;
      const done = await runner.step(clone, { status: 'success', stopped: now(), exit_code: 0 });
      await runner.finish(stage, [done], 'success');
      // The downstream stage runs too; then the build is over.
      const next = await runner.take();
      assert.equal(next.name, 'test');
      const second = await runner.start(next, ['unit']);
      const unit = await runner.step(second.steps[0], { status: 'success', stopped: now(), exit_code: 0 });
      await runner.finish(second, [unit], 'success');
      await row.locator('[data-status="success"]').waitFor({ timeout: 20_000 });
      assert.match(String(await row.textContent()), /\d+s/, 'a duration');
      assert.equal(await page.evaluate('window.__sameDocument'), true, 'the page was not reloaded');
    });

    test('follow keeps the newest line in view; unfollowing keeps the place', async () => {
      const { build } = await seedTwoStageBuild(
        server,
        'acme/widget',
        { status: 'pending', started: 0 },
        'pending',
      );
      const runner = new RpcRunner(server.url);
      const taken = await runner.take();
      const stage = await runner.start(taken, ['compile']);
      const [compile] = stage.steps;
      await page.goto(`${server.url}/acme/widget/${build.number}`);
      const log = page.getByTestId('log');
      const follow = page.getByRole('button', { name: 'Follow' });
      await page.getByTestId('log-source').and(page.locator('[data-source="live"]')).waitFor();
      assert.equal(await follow.getAttribute('aria-pressed'), 'true');
      const batch = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ pos: from + i, out: `output ${from + i}\n`, time: 1 }));
      await runner.lines(compile.id, batch(0, 200));
      await log.getByText('output 199', { exact: true }).waitFor();
      const atBottom = () =>
        log.evaluate((el) => Math.abs(el.scrollTop + el.clientHeight - el.scrollHeight) <= 21);
      assert.ok(await atBottom(), 'following: at the newest line');

      await follow.press('Enter');
      assert.equal(await follow.getAttribute('aria-pressed'), 'false');
      await log.evaluate((el) => {
        el.scrollTop = 400;
      });
      await runner.lines(compile.id, batch(200, 100));
      await page.getByText('300 lines').waitFor();
      assert.equal(await log.evaluate((el) => el.scrollTop), 400, 'unfollowed: the place is kept');

      await follow.press('Enter');
      assert.equal(await follow.getAttribute('aria-pressed'), 'true');
      await runner.lines(compile.id, batch(300, 10));
      await log.getByText('output 309', { exact: true }).waitFor();
      assert.ok(await atBottom(), 'following again');
    });

    test('keyboard only on the build page: Tab reaches every control with a visible focus; Enter selects stages and steps', async () => {
      const { build, steps } = await seedTwoStageBuild(server, 'acme/widget', {
        status: 'success',
        finished: now(),
      });
      const clone = steps.find((s) => s.name === 'clone')!;
      await putLog(
        server.store.db,
        clone.id,
        Buffer.from(JSON.stringify([0, 1, 2].map((pos) => ({ pos, out: `clone ${pos}\n`, time: pos })))),
      );
      await page.goto(`${server.url}/acme/widget/${build.number}/1/1`);
      await page.getByTestId('log').getByText('clone 2').waitFor();
      const walk = await tabThrough(page);
      assert.deepEqual(walk.missed, [], `not reachable by Tab (of ${walk.controls.length})`);
      assert.deepEqual(walk.noRing, [], 'focused without a visible ring');
      for (const name of ['Restart', 'Promote', 'Rollback', 'Follow', 'Download']) {
        assert.ok(
          walk.controls.some((c) => c.includes(`"${name}`)),
          `${name} is among the controls: ${walk.controls}`,
        );
      }

      // The stage graph and the step list answer Enter.
      await page.getByTestId('stage-node').filter({ hasText: 'test' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/acme/widget/${build.number}/2$`));
      await page.getByRole('navigation', { name: 'Steps of test' }).waitFor();
      await page.getByTestId('stage-node').filter({ hasText: 'build' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('navigation', { name: 'Steps of build' }).waitFor();
      await page.getByTestId('step-link').filter({ hasText: 'compile' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/acme/widget/${build.number}/1/2$`));
      await page.getByRole('region', { name: 'Log of compile' }).waitFor();
      // A line number is a link reached by keyboard too.
      await page.getByTestId('step-link').filter({ hasText: 'clone' }).press('Enter');
      await page.getByTestId('log').getByText('clone 1').waitFor();
      await page.locator('.log-line[data-pos="1"] a.ln').press('Enter');
      await page.waitForURL(/#L2$/);
    });

    test('the rollback dialog by keyboard: Escape closes it, the target and parameters make a rollback build', async () => {
      const { build } = await seedTwoStageBuild(server, 'acme/widget', {
        status: 'success',
        finished: now(),
      });
      await page.goto(`${server.url}/acme/widget/${build.number}`);
      const open = page.getByRole('button', { name: 'Rollback' });
      await open.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Roll back to this build' });
      await dialog.waitFor();
      assert.equal(
        await page.evaluate('document.activeElement?.id'),
        'deploy-target',
        'focus starts in the dialog',
      );
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(
        await page.evaluate('document.activeElement?.textContent'),
        'Rollback',
        'focus returns to the button',
      );

      await open.press('Enter');
      await dialog.waitFor();
      await page.keyboard.type('staging');
      await page.keyboard.press('Tab');
      await page.keyboard.type('VERSION=1.0.0');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/acme/widget/${build.number + 1}$`));
      await page.getByText('deploy to staging').waitFor();
      const repo = await findRepoBySlug(server.store.db, 'acme/widget');
      const made = await findBuildByNumber(server.store.db, repo!.id, build.number + 1);
      assert.equal(made?.event, 'rollback');
      assert.equal(made?.deploy_to, 'staging');
      assert.equal(made?.params.VERSION, '1.0.0');
      assert.equal(made?.parent, build.number);
    });

    test('keyboard only on the settings page: Tab reaches every control; Space toggles, Enter saves', async () => {
      await page.goto(`${server.url}/acme/widget/settings`);
      await page.getByRole('button', { name: 'Save settings' }).waitFor();
      const walk = await tabThrough(page);
      assert.deepEqual(walk.missed, [], `not reachable by Tab (of ${walk.controls.length})`);
      assert.deepEqual(walk.noRing, [], 'focused without a visible ring');
      for (const name of [
        'trusted',
        'protected',
        'ignore_forks',
        'ignore_pull_requests',
        'auto_cancel_pushes',
      ]) {
        assert.ok(
          walk.controls.some((c) => c.includes(name)),
          `${name} is among the controls`,
        );
      }
      await page.getByLabel('Ignore forks').focus();
      await page.keyboard.press('Space');
      await page.getByLabel('Throttle (concurrent builds, 0 = no limit)').focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('2');
      await page.keyboard.press('Enter');
      await page.getByText('Settings saved.').waitFor();
      const repo = await findRepoBySlug(server.store.db, 'acme/widget');
      assert.equal(repo?.ignore_forks, true);
      assert.equal(repo?.throttle, 2);
    });

    test('deactivate from the settings, activate again from the repository list; the badge URL and image', async () => {
      await page.goto(`${server.url}/acme/widget/settings`);
      const badge = `${server.url}/api/badges/acme/widget/status.svg`;
      assert.equal(await page.getByLabel('Image URL').inputValue(), badge);
      assert.match(
        await page.getByLabel('Markdown').inputValue(),
        /^\[!\[Build Status\]\(.+status\.svg\)\]\(.+\/acme\/widget\)$/,
      );
      await page.getByRole('img', { name: 'Build status badge' }).waitFor();
      assert.ok(
        await page
          .getByRole('img', { name: 'Build status badge' })
          .evaluate((img) => (img as { naturalWidth: number }).naturalWidth > 0),
        'the badge image loads',
      );
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Deactivate repository' }).click();
      await page.getByRole('button', { name: 'Activate repository', exact: true }).waitFor();
      assert.equal((await findRepoBySlug(server.store.db, 'acme/widget'))?.active, false);

      await page.goto(`${server.url}/`);
      const item = page.getByRole('listitem').filter({ hasText: 'acme/widget' });
      await item.getByText('inactive').waitFor();
      await item.getByRole('button', { name: 'Activate', exact: true }).click();
      await item.getByRole('button', { name: 'Activate', exact: true }).waitFor({ state: 'detached' });
      assert.equal((await findRepoBySlug(server.store.db, 'acme/widget'))?.active, true);
    });

    test('keyboard only on the repository and build lists, secrets, cron, org secrets and admin pages: every control reachable', async () => {
      for (const path of [
        '/',
        '/acme/widget',
        '/acme/widget/secrets',
        '/acme/widget/cron',
        '/orgs/acme/secrets',
        '/admin/queue',
        '/admin/runners',
        '/admin/users',
      ]) {
        await page.goto(`${server.url}${path}`);
        await page.locator('main h1, main h2').first().waitFor();
        await page.locator('main .panel').first().waitFor();
        await page.waitForFunction("!document.querySelector('main')?.textContent?.includes('Loading…')");
        const walk = await tabThrough(page);
        assert.deepEqual(walk.missed, [], `${path}: not reachable by Tab (of ${walk.controls.length})`);
        assert.deepEqual(walk.noRing, [], `${path}: focused without a visible ring`);
      }
    });

    test('401, 403 and 404 pages', async () => {
      const bob = await server.user('bob');
      const ctx = await signedIn(bob, 1280, 860);
      const guest = await browser.newContext();
      try {
        const p = await ctx.newPage();
        await p.goto(`${server.url}/admin/runners`);
        await p.getByRole('heading', { name: 'Not allowed' }).waitFor();
        assert.equal(await p.locator('.big-code').textContent(), '403');
        await p.screenshot({ path: screenshotPath('desktop-403.png') });
        // A public repo bob may read but not administer: its settings are a 403 page, not a form.
        await server.repo({ namespace: 'acme', name: 'open', visibility: 'public', private: false }, alice);
        await p.goto(`${server.url}/acme/open/settings`);
        await p.getByRole('heading', { name: 'Not allowed' }).waitFor();
        assert.equal(await p.getByRole('button', { name: 'Save settings' }).count(), 0);
        await p.goto(`${server.url}/acme/open/secrets`);
        await p.getByRole('heading', { name: 'Not allowed' }).waitFor();
        await p.goto(`${server.url}/acme/widget`);
        await p.getByRole('heading', { name: 'Not found' }).waitFor();
        assert.equal(await p.locator('.big-code').textContent(), '404');
        await p.screenshot({ path: screenshotPath('desktop-404.png') });
        const g = await guest.newPage();
        await g.goto(`${server.url}/acme/widget/settings`);
        await g.getByRole('heading', { name: 'Sign in required' }).waitFor();
        assert.equal(await g.locator('.big-code').textContent(), '401');
        await g.screenshot({ path: screenshotPath('desktop-401.png') });
      } finally {
        await ctx.close();
        await guest.close();
      }
    });

    test('the main pages at phone width (390×844) and desktop width: no sideways scrolling, Tab reaches every control with a visible ring; screenshots', async () => {
      const { build, steps } = await seedTwoStageBuild(server, 'acme/widget', {
        message: 'A commit message long enough to wrap several times on a phone screen, as real ones do',
      });
      const compile = steps.find((s) => s.name === 'compile')!;
      await putLog(
        server.store.db,
        compile.id,
        Buffer.from(
          JSON.stringify(
            Array.from({ length: 40 }, (_, pos) => ({
              pos,
              out: `${pos % 7 === 0 ? '\x1b[33mwarning\x1b[0m ' : ''}go: downloading example.test/module/with/a/very/long/path/v${pos} v1.2.${pos}\n`,
              time: pos,
            })),
          ),
        ),
      );
      const pages: [string, string, string][] = [
        ['repos', '/', '[data-testid="repo-item"]'],
        ['builds', '/acme/widget', '[data-testid="build-item"]'],
        ['build', `/acme/widget/${build.number}/1/2`, '.log-line'],
        ['build-pending', `/acme/widget/${build.number}/2`, '[data-testid="why-waiting"]'],
        ['settings', '/acme/widget/settings', '#badge-url'],
        ['secrets', '/acme/widget/secrets', '[data-testid="secret-row"]'],
        ['crons', '/acme/widget/cron', '[data-testid="cron-row"]'],
        ['org-secrets', '/orgs/acme/secrets', '[data-testid="secret-row"]'],
        ['queue', '/admin/queue', 'main h1'],
        ['runners', '/admin/runners', '[data-testid=runners-empty], [data-testid=runner-row]'],
        ['users', '/admin/users', 'main table'],
        ['not-found', '/acme/no-such-repo', '.big-code'],
      ];
      const sizes = [
        { label: 'phone', width: 390, height: 844, mobile: true },
        { label: 'desktop', width: 1280, height: 860, mobile: false },
      ];
      const wide: string[] = [];
      for (const size of sizes) {
        const ctx = await signedIn(alice, size.width, size.height, size.mobile);
        try {
          const p = await ctx.newPage();
          for (const [name, path, ready] of pages) {
            await p.goto(`${server.url}${path}`);
            await p.locator(ready).first().waitFor();
            const over = await overflowOf(p);
            if (over > 0) wide.push(`${size.label} ${name}: ${over}px too wide`);
            const cut = (await p.evaluate(CUT_CONTROLS)) as string[];
            if (cut.length > 0) wide.push(`${size.label} ${name}: off-screen ${cut.join(', ')}`);
            if (size.mobile) {
              const walk = await tabThrough(p);
              if (walk.missed.length > 0)
                wide.push(`${size.label} ${name}: not reached by Tab ${walk.missed}`);
              if (walk.noRing.length > 0) wide.push(`${size.label} ${name}: no visible focus ${walk.noRing}`);
            }
            await p.screenshot({ path: screenshotPath(`${size.label}-${name}.png`), fullPage: true });
          }
          const guest = await browser.newContext({ viewport: { width: size.width, height: size.height } });
          try {
            const g = await guest.newPage();
            await g.goto(`${server.url}/signin`);
            await g.getByLabel('API token').waitFor();
            const over = await overflowOf(g);
            if (over > 0) wide.push(`${size.label} signin: ${over}px too wide`);
            await g.screenshot({ path: screenshotPath(`${size.label}-signin.png`), fullPage: true });
          } finally {
            await guest.close();
          }
        } finally {
          await ctx.close();
        }
      }
      assert.deepEqual(wide, []);
    });
  });
}
