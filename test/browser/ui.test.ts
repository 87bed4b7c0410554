// The web UI in headless Chromium against a real Hangar server: sign in, the repository list, a
// build whose log grows while the page watches, cancelling from the button, secrets whose values
// never come back, settings, error pages; screenshots of the main pages in test-output/screenshots.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Build, Stage } from '../../src/server/store/models.js';
import { findBuild, findBuildByNumber } from '../../src/server/store/queries/builds.js';
import { listRepoSecrets } from '../../src/server/store/queries/secrets.js';
import { findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { putLog } from '../../src/server/store/queries/logs.js';
import { listStagesOfBuild, updateStage } from '../../src/server/store/queries/stages.js';
import {
  chromiumSkip,
  ensureWebBuild,
  launchChromium,
  RpcRunner,
  screenshotPath,
  seedTwoStageBuild,
  startUiServer,
  type TestUser,
  type UiServer,
} from './support.js';

const skip = chromiumSkip();
const now = () => Math.floor(Date.now() / 1000);

// Without Chromium (outside CI) one skipped test says why, so the totals show it.
if (skip) test('web UI in Chromium', { skip }, () => {});
else describeUi();

function describeUi(): void {
  describe('web UI in Chromium', { timeout: 180_000 }, () => {
    let server: UiServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let alice: TestUser;
    let bobToken: string;

    const seedBuild = (slug: string, fields: Partial<Build> = {}, mode: 'running' | 'pending' = 'running') =>
      seedTwoStageBuild(server, slug, fields, mode);

    before(async () => {
      ensureWebBuild();
      server = await startUiServer();
      alice = await server.user('alice', { admin: true });
      const bob = await server.user('bob');
      bobToken = bob.token;
      await server.repo({ namespace: 'acme', name: 'widget', default_branch: 'main' }, alice);
      await server.repo({ namespace: 'acme', name: 'gadget', default_branch: 'main' }, alice);
      await server.repo({ namespace: 'bob', name: 'private', default_branch: 'main' }, bob);
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

    test('signing in: a bad token is refused, a good one opens the repository list', async () => {
      // A guest lands on the public repositories (none here) and signs in from the top bar.
      await page.goto(`${server.url}/`);
      await page.getByRole('heading', { name: 'Public repositories' }).waitFor();
      await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL(/\/signin/);
      await page.screenshot({ path: screenshotPath('signin.png') });
      await page.getByLabel('API token').fill('not-a-real-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText('does not accept this token').waitFor();
      await page.getByLabel('API token').fill(alice.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${server.url}/`);
      await page.getByTestId('who').getByText('alice').waitFor();
      assert.equal(await page.evaluate("localStorage.getItem('hangar.token')"), alice.token);
    });

    test('the repository list shows each repo with its newest build, and search filters it', async () => {
      await seedBuild('acme/widget', { status: 'success', finished: now() - 5 });
      await page.goto(`${server.url}/`);
      const items = page.getByTestId('repo-item');
      await items.first().waitFor();
      assert.deepEqual(await items.locator('.title').allTextContents(), ['acme/gadget', 'acme/widget']);
      const widget = items.filter({ hasText: 'acme/widget' });
      assert.equal(await widget.locator('[data-status]').getAttribute('data-status'), 'success');
      assert.match(String(await widget.textContent()), /#1/);
      assert.match(String(await widget.textContent()), /Make the widget faster/);
      assert.match(String(await items.filter({ hasText: 'acme/gadget' }).textContent()), /No builds yet/);
      await page.screenshot({ path: screenshotPath('repos.png'), fullPage: true });
      await page.getByLabel('Search repositories').fill('gadg');
      await page.waitForFunction('document.querySelectorAll(\'[data-testid="repo-item"]\').length === 1');
      assert.deepEqual(await items.locator('.title').allTextContents(), ['acme/gadget']);
    });

    test('a build followed live: why it waits, the stage graph, log lines as the runner sends them, a dropped connection resumed, the end', async () => {
      // A pushed build waiting for a runner, exactly as the trigger leaves it.
      const { build } = await seedBuild('acme/widget', { status: 'pending', started: 0 }, 'pending');
      const list = await context.newPage();
      await list.goto(`${server.url}/acme/widget`);
      const row = list.locator(`[data-testid="build-item"][data-number="${build.number}"]`);
      await row.locator('[data-status="pending"]').waitFor();

      await page.goto(`${server.url}/acme/widget/${build.number}`);
      await page.getByTestId('stage-node').nth(1).waitFor();
      assert.deepEqual(
        await page.getByTestId('stage-node').evaluateAll((n) => n.map((e) => e.getAttribute('data-stage'))),
        ['build', 'test'],
      );
      await page.getByTestId('why-waiting').waitFor();
      assert.match(String(await page.getByTestId('why-waiting').textContent()), /runner/i);
      await page.screenshot({ path: screenshotPath('build-pending.png'), fullPage: true });

      // A runner takes the stage and starts its steps over the RPC.
      const runner = new RpcRunner(server.url);
      const taken = await runner.take();
      let stage = await runner.start(taken, ['clone', 'compile']);
      let [clone, compile] = stage.steps;
      clone = await runner.step(clone, { status: 'success', stopped: now(), exit_code: 0 });
      compile = await runner.step(compile, { status: 'running', started: now() });
      await row.locator('[data-status="running"]').waitFor({ timeout: 20_000 });

      // The running step is selected by default, and its lines appear as the runner sends them.
      const region = page.getByRole('region', { name: 'Log of compile' });
      await region.waitFor({ timeout: 20_000 });
      const log = page.getByTestId('log');
      const batch = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          pos: from + i,
          out:
            from + i === 2
              ? '\x1b[1;31merror:\x1b[0m <b>not bold</b> see https://example.test/x\n'
              : `line ${from + i}\n`,
          time: from + i,
        }));
      await runner.lines(compile.id, batch(0, 5));
      await log.getByText('line 4', { exact: true }).waitFor();
      await runner.lines(compile.id, batch(5, 10));
      await log.getByText('line 14', { exact: true }).waitFor();
      // The connection drops (a proxy restart, a network blip); the runner goes on meanwhile and even
      // re-sends a batch. The page reconnects where it stopped: nothing missing, nothing twice.
      server.app.server.closeAllConnections();
      await runner.lines(compile.id, batch(10, 10));
      await runner.lines(compile.id, batch(15, 10));
      await log.getByText('line 24', { exact: true }).waitFor({ timeout: 20_000 });
      const positions = await log
        .locator('.log-line')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-pos'))));
      assert.deepEqual(
        positions.sort((a, b) => a - b),
        Array.from({ length: 25 }, (_, i) => i),
      );

      // ANSI colours are styles; markup in the log is text; URLs are links.
      const red = log.locator('.log-line[data-pos="2"] .lt > span', { hasText: 'error:' });
      assert.match(String(await red.getAttribute('style')), /font-weight: 700/);
      assert.match(String(await red.getAttribute('style')), /color: var\(--ansi-red\)/);
      assert.equal(await log.locator('.log-line[data-pos="2"] b').count(), 0);
      assert.match(String(await log.locator('.log-line[data-pos="2"]').textContent()), /<b>not bold<\/b>/);
      assert.equal(
        await log.locator('.log-line[data-pos="2"] a[target="_blank"]').getAttribute('href'),
        'https://example.test/x',
      );
      await page.screenshot({ path: screenshotPath('build-running.png'), fullPage: true });

      // Line numbers are links to the line.
      await log.locator('.log-line[data-pos="6"] a.ln').click();
      await page.waitForURL(/#L7$/);
      assert.match(page.url(), new RegExp(`/acme/widget/${build.number}#L7$`));
      assert.equal(await log.locator('.log-line.marked').getAttribute('data-pos'), '6');

      // The downstream stage explains what it waits for.
      await page.getByTestId('stage-node').filter({ hasText: 'test' }).click();
      await page.getByTestId('why-waiting').waitFor();
      assert.match(String(await page.getByTestId('why-waiting').textContent()), /\bbuild\b/);

      // The step ends: the runner uploads the complete log; the page shows the stored log.
      const all = batch(0, 25);
      await runner.upload(compile.id, all);
      compile = await runner.step(compile, { status: 'success', stopped: now(), exit_code: 0 });
      stage = await runner.finish(stage, [clone, compile], 'success');
      await row
        .locator('[data-status="success"], [data-status="running"], [data-status="pending"]')
        .waitFor();
      await page.goto(`${server.url}/acme/widget/${build.number}/1/2`);
      await log.getByText('line 24', { exact: true }).waitFor();
      assert.equal(await page.getByTestId('log-source').getAttribute('data-source'), 'done');
      assert.equal(await page.getByTestId('step-link').locator('[data-status="success"]').count(), 2);

      // Download gives the raw log.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download' }).click(),
      ]);
      const raw = await readFile(await download.path(), 'utf8');
      assert.equal(raw.split('\n').length, 26);
      assert.match(raw, /\x1b\[1;31merror:/);
      await list.close();
    });

    test('cancel from the build page kills the build and its unfinished stages', async () => {
      const { build } = await seedBuild('acme/widget');
      await page.goto(`${server.url}/acme/widget/${build.number}`);
      await page.getByRole('button', { name: 'Cancel build' }).click();
      await page.locator('.build-head [data-status="killed"]').waitFor();
      const saved = await findBuild(server.store.db, build.id);
      assert.equal(saved?.status, 'killed');
      await page.getByRole('button', { name: 'Restart' }).waitFor();
      await page.screenshot({ path: screenshotPath('build-cancelled.png'), fullPage: true });

      // Restart makes a new build of the same commit, and the page moves to it.
      await page.getByRole('button', { name: 'Restart' }).click();
      await page.waitForURL(new RegExp(`/acme/widget/${build.number + 1}$`));
      await page.getByRole('link', { name: `#${build.number}` }).waitFor();

      // Promote asks for the target and parameters.
      await page.goto(`${server.url}/acme/widget/${build.number}`);
      await page.getByRole('button', { name: 'Promote' }).click();
      const dialog = page.getByRole('dialog', { name: 'Promote this build' });
      await dialog.getByRole('button', { name: 'Promote' }).click();
      await dialog.getByText('Name the target environment.').waitFor();
      await dialog.getByLabel('Target environment').fill('production');
      await dialog.getByLabel('Parameters').fill('VERSION=1.2.3');
      await dialog.getByRole('button', { name: 'Promote' }).click();
      await page.waitForURL(new RegExp(`/acme/widget/${build.number + 2}$`));
      await page.getByText('deploy to production').waitFor();
      const repo = await findRepoBySlug(server.store.db, 'acme/widget');
      const promoted = await findBuildByNumber(server.store.db, repo!.id, build.number + 2);
      assert.equal(promoted?.event, 'promote');
      assert.equal(promoted?.deploy_to, 'production');
      assert.equal(promoted?.params.VERSION, '1.2.3');
    });

    test('a secret is created and updated, and its value is never shown', async () => {
      const value = `s3cr3t-${Date.now()}-value`;
      await page.goto(`${server.url}/acme/widget/secrets`);
      await page.getByText('No secrets yet.').waitFor();
      const form = page.getByRole('form', { name: 'Add a secret' });
      await form.getByLabel('Name').fill('deploy_key');
      await form.getByLabel('Value').fill(value);
      await form.getByLabel('Allow pull requests').check();
      await form.getByRole('button', { name: 'Add secret' }).click();
      await page.getByTestId('secret-row').filter({ hasText: 'deploy_key' }).waitFor();
      assert.equal(await form.getByLabel('Value').inputValue(), '');
      assert.ok(!(await page.content()).includes(value), 'the page never holds the value');
      const row = page.getByTestId('secret-row').filter({ hasText: 'deploy_key' });
      assert.match(String(await row.textContent()), /allowed/);

      await row.getByRole('button', { name: 'Update' }).click();
      const edit = page.getByRole('form', { name: 'Update deploy_key' });
      await edit.getByLabel('New value').fill(`${value}-2`);
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'detached' });
      assert.ok(!(await page.content()).includes(value));
      await page.screenshot({ path: screenshotPath('secrets.png'), fullPage: true });

      const repo = await findRepoBySlug(server.store.db, 'acme/widget');
      const stored = await listRepoSecrets(server.store.db, repo!.id);
      assert.equal(stored.length, 1);
      assert.ok(!stored[0]!.data.toString('utf8').includes(value), 'stored sealed');
      const api = await page.evaluate(async (token) => {
        const res = await fetch('/api/repos/acme/widget/secrets', {
          headers: { authorization: `Bearer ${token}` },
        });
        return res.text();
      }, alice.token);
      assert.ok(!api.includes(value));
      assert.ok(!server.logs().includes(value), 'never in the server log');
    });

    test('settings are saved through the API', async () => {
      await page.goto(`${server.url}/acme/widget/settings`);
      await page.getByLabel('Protected').check();
      await page.getByLabel('Timeout (minutes)').fill('90');
      await page.getByLabel('Configuration file').fill('.hangar.yml');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved.').waitFor();
      const repo = await findRepoBySlug(server.store.db, 'acme/widget');
      assert.equal(repo?.protected, true);
      assert.equal(repo?.timeout, 90);
      assert.equal(repo?.config_path, '.hangar.yml');
      await page.screenshot({ path: screenshotPath('settings.png'), fullPage: true });
    });

    test('a private repo of someone else is a clear 404; admin pages 403; signed out asks to sign in', async () => {
      await page.goto(`${server.url}/no/such/page/at/all`);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      const bob = await browser.newContext();
      try {
        await bob.addInitScript({
          content: `localStorage.setItem('hangar.token', ${JSON.stringify(bobToken)})`,
        });
        const p = await bob.newPage();
        await p.goto(`${server.url}/acme/widget`);
        await p.getByRole('heading', { name: 'Not found' }).waitFor();
        await p.screenshot({ path: screenshotPath('not-found.png') });
        await p.goto(`${server.url}/admin/users`);
        await p.getByRole('heading', { name: 'Not allowed' }).waitFor();
        // Bob's own repo is there, with its settings.
        await p.goto(`${server.url}/bob/private/settings`);
        await p.getByRole('button', { name: 'Save settings' }).waitFor();
      } finally {
        await bob.close();
      }
      const guest = await browser.newContext();
      try {
        const p = await guest.newPage();
        // A guest may browse public repos, so a private one is a 401 page with a way to sign in.
        await p.goto(`${server.url}/acme/widget/1`);
        await p.getByRole('heading', { name: 'Sign in required' }).waitFor();
        await p.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
        await p.waitForURL(/\/signin\?next=%2Facme%2Fwidget%2F1$/);
      } finally {
        await guest.close();
      }
    });

    test('keyboard only: the skip link and the repository links are reachable', async () => {
      await page.goto(`${server.url}/`);
      await page.getByTestId('repo-item').first().waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');
      let reached = false;
      for (let i = 0; i < 15 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate("document.activeElement?.getAttribute('data-testid') === 'repo-item'");
      }
      assert.ok(reached, 'a repository link takes the focus');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/acme\/(gadget|widget)$/);
    });

    test('a blocked stage is approved from its button; another is declined', async () => {
      for (const decision of ['Approve', 'Decline'] as const) {
        const { build, stages } = await seedBuild(
          'acme/widget',
          { status: 'blocked', started: 0 },
          'pending',
        );
        await updateStage(server.store.db, { ...(stages[0] as Stage), status: 'blocked' });
        await page.goto(`${server.url}/acme/widget/${build.number}`);
        await page
          .getByTestId('why-waiting')
          .getByText(/approv/i)
          .waitFor();
        await page.getByRole('button', { name: decision }).click();
        const want = decision === 'Approve' ? 'pending' : 'declined';
        await page.locator(`.stage-head [data-status="${want}"]`).waitFor();
        const saved = await listStagesOfBuild(server.store.db, build.id);
        assert.equal(saved.find((st) => st.name === 'build')?.status, want);
        if (decision === 'Decline')
          assert.equal((await findBuild(server.store.db, build.id))?.status, 'declined');
      }
    });

    test('a 100 000-line log opens, draws only what is in view and reaches its last line', async (t) => {
      const { build, steps } = await seedBuild(
        'acme/widget',
        { status: 'success', finished: now() },
        'running',
      );
      const clone = steps.find((st) => st.name === 'clone')!;
      const lines = Array.from({ length: 100_000 }, (_, i) => ({
        pos: i,
        out: `${i % 10 === 0 ? '\x1b[32m' : ''}step output line ${i}${i % 10 === 0 ? '\x1b[0m' : ''}\n`,
        time: Math.floor(i / 1000),
      }));
      await putLog(server.store.db, clone.id, Buffer.from(JSON.stringify(lines)));
      const started = Date.now();
      await page.goto(`${server.url}/acme/widget/${build.number}/1/1`);
      await page.getByText('100,000 lines').waitFor({ timeout: 60_000 });
      const shown = Date.now() - started;
      const drawn = await page.locator('.log-line').count();
      assert.ok(drawn < 400, `${drawn} rows in the DOM`);
      await page.getByTestId('log').evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.getByTestId('log').getByText('step output line 99999', { exact: true }).waitFor();
      await page.goto(`${server.url}/acme/widget/${build.number}/1/1#L50000`);
      await page.getByTestId('log').getByText('step output line 49999', { exact: true }).waitFor();
      assert.equal(await page.locator('.log-line.marked').getAttribute('data-pos'), '49999');
      t.diagnostic(`100000-line log: page load to all lines loaded ${shown} ms; ${drawn} rows drawn`);
    });

    test('cron jobs, organization secrets and the admin pages', async () => {
      await page.goto(`${server.url}/acme/widget/cron`);
      const form = page.getByRole('form', { name: 'Add a cron job' });
      await form.getByLabel('Name').fill('nightly');
      await form.getByLabel('Schedule').fill('0 0 3 * * *');
      await form.getByRole('button', { name: 'Add cron job' }).click();
      const row = page.getByTestId('cron-row').filter({ hasText: 'nightly' });
      await row.waitFor();
      await row.getByRole('button', { name: 'Pause' }).click();
      await row.getByText('paused').waitFor();
      await page.screenshot({ path: screenshotPath('crons.png'), fullPage: true });

      await page.goto(`${server.url}/orgs/acme/secrets`);
      await page.getByRole('heading', { name: 'Organization secrets of acme' }).waitFor();
      const add = page.getByRole('form', { name: 'Add a secret' });
      await add.getByLabel('Name').fill('registry_password');
      await add.getByLabel('Value').fill('org-level-value-42');
      await add.getByRole('button', { name: 'Add secret' }).click();
      await page.getByTestId('secret-row').filter({ hasText: 'registry_password' }).waitFor();
      assert.ok(!(await page.content()).includes('org-level-value-42'));
      page.once('dialog', (d) => void d.accept());
      await page
        .getByTestId('secret-row')
        .filter({ hasText: 'registry_password' })
        .getByRole('button', { name: 'Delete' })
        .click();
      await page.getByText('No secrets yet.').waitFor();

      await page.goto(`${server.url}/admin/queue`);
      await page.getByRole('heading', { name: 'Queue' }).waitFor();
      await page.screenshot({ path: screenshotPath('queue.png'), fullPage: true });
      await page.getByRole('button', { name: 'Pause dispatch' }).click();
      await page.getByRole('button', { name: 'Resume dispatch' }).click();
      await page.getByRole('button', { name: 'Pause dispatch' }).waitFor();
      await page.goto(`${server.url}/admin/runners`);
      await page.getByRole('heading', { name: 'Runners' }).waitFor();
      await page.locator('[data-testid=runners-empty], [data-testid=runner-row]').first().waitFor();
      await page.goto(`${server.url}/admin/users`);
      await page.getByRole('cell', { name: 'bob' }).waitFor();
      await page.getByLabel('Login').fill('carol');
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.getByText('The API token of').waitFor();
      await page.screenshot({ path: screenshotPath('users.png'), fullPage: true });
    });

    test('phone width: the build page fits without sideways scrolling of the page', async () => {
      const { build } = await seedBuild('acme/widget');
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        colorScheme: 'dark',
      });
      try {
        const p = await phone.newPage();
        await p.goto(`${server.url}/signin`);
        await p.getByLabel('API token').fill(alice.token);
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.waitForURL(`${server.url}/`);
        await p.goto(`${server.url}/acme/widget/${build.number}`);
        await p.getByRole('region', { name: 'Log of compile' }).waitFor();
        const overflow = Number(await p.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
        assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
        await p.screenshot({ path: screenshotPath('build-phone-dark.png'), fullPage: true });
      } finally {
        await phone.close();
      }
    });
  });
}
