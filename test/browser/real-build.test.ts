// The web UI watching a real build: a `hangar server` process and a `hangar runner` process on the
// local Docker engine, a git push to a local repository, and headless Chromium on the build page.
// A secret is created in the UI (its value never shown, not even where the pipeline prints it),
// the log lines appear as the container prints them, and the Cancel button stops the container.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { dockerSkip, ensureTestImages, IMAGE } from '../docker/support.js';
import { bareRepo, containersOf, Installation, pushedBuild, removeLeftovers, until } from '../e2e/support.js';
import { chromiumSkip, ensureWebBuild, launchChromium, screenshotPath } from './support.js';

const skip = chromiumSkip() || dockerSkip();

// biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
type Json = any;

describe('web UI on a real build (hangar server + hangar runner on Docker)', {
  skip,
  timeout: 600_000,
}, () => {
  let root = '';
  let browser: Browser | undefined;
  let hangar: Installation | undefined;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'hangar-ui-real-'));
  });
  after(async () => {
    await browser?.close();
    if (hangar) {
      await hangar.kill();
      for (const r of hangar.runners) await removeLeftovers(r.pid);
    }
    await rm(root, { recursive: true, force: true });
  });

  test('a secret made in the UI stays hidden; the log grows live; Cancel stops the container', async () => {
    ensureWebBuild();
    await ensureTestImages();
    hangar = await Installation.create(join(root, 'hangar'));
    await hangar.startServer();
    const runner = hangar.startRunner('worker', {
      HANGAR_RUNNER_ENGINE: 'docker',
      HANGAR_RUNNER_CAPACITY: '1',
    });
    const repo = await bareRepo(join(root, 'git'), 'app');
    const added = await hangar.cli('repo', 'add', repo.bare, '--name', 'admin/app');
    assert.equal(added.exitCode, 0, `${added.stdout}\n${added.stderr}`);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addInitScript({
      content: `localStorage.setItem('hangar.token', ${JSON.stringify(hangar.token)})`,
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });

    try {
      // The secret, through the UI's form.
      const value = `real-${Date.now()}-hunter2`;
      await page.goto(`${hangar.base}/admin/app/secrets`);
      const form = page.getByRole('form', { name: 'Add a secret' });
      await form.getByLabel('Name').fill('api_token');
      await form.getByLabel('Value').fill(value);
      await form.getByRole('button', { name: 'Add secret' }).click();
      await page.getByTestId('secret-row').filter({ hasText: 'api_token' }).waitFor();
      assert.ok(!(await page.content()).includes(value), 'the page never holds the value');

      // A pipeline that prints the secret, then a line every 200 ms for a minute.
      await repo.commit('count', {
        '.drone.yml': `kind: pipeline
type: docker
name: main
steps:
- name: count
  image: ${IMAGE}
  pull: if-not-exists
  environment:
    TOKEN:
      from_secret: api_token
  commands:
  - echo "token is $TOKEN"
  - i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo "tick $i"; sleep 0.2; done
- name: after
  image: ${IMAGE}
  pull: if-not-exists
  commands: [echo never]
`,
      });
      const number = pushedBuild((await repo.push()).stderr);

      await page.goto(`${hangar.base}/admin/app/${number}/1/2`);
      const log = page.getByTestId('log');
      await log.getByText('tick 3', { exact: true }).waitFor({ timeout: 120_000 });
      const shownEarly = await log.locator('.log-line').count();
      await log.getByText('tick 25', { exact: true }).waitFor({ timeout: 30_000 });
      assert.equal(await page.getByTestId('log-source').getAttribute('data-source'), 'live');
      const running = await hangar.api('GET', `/api/repos/admin/app/builds/${number}`);
      assert.equal(running.json.status, 'running', 'the lines came while the build ran');
      const shownLater = await log.locator('.log-line').count();
      assert.ok(shownLater > shownEarly, `${shownEarly} lines, then ${shownLater}`);
      // In order, each once (the log is drawn by window: every line so far fits in view here).
      const texts = await log.locator('.log-line .lt').allTextContents();
      const ticks = texts.filter((t) => t.startsWith('tick ')).map((t) => Number(t.slice(5)));
      assert.deepEqual(
        ticks,
        Array.from({ length: ticks.length }, (_, i) => ticks[0]! + i),
      );
      assert.ok(texts.includes('token is ******'), `the secret is masked: ${texts.slice(0, 3)}`);
      assert.ok(!(await page.content()).includes(value), 'the value is not on the build page');
      await page.screenshot({ path: screenshotPath('real-build-live.png'), fullPage: true });
      assert.ok((await containersOf(runner.pid)).some((c) => c.State === 'running'));

      await page.getByRole('button', { name: 'Cancel build' }).click();
      await page.locator('.build-head [data-status="killed"]').waitFor({ timeout: 60_000 });
      const build = await hangar.finished('admin/app', number);
      assert.equal(build.status, 'killed');
      assert.deepEqual(
        build.stages.map((s: Json) => [s.name, s.status, s.steps.map((t: Json) => `${t.name}:${t.status}`)]),
        [['main', 'killed', ['clone:success', 'count:killed', 'after:skipped']]],
      );
      await until(
        'the runner to remove the containers',
        async () => (await containersOf(runner.pid)).length === 0,
      );
      await page
        .getByTestId('step-link')
        .filter({ hasText: 'count' })
        .locator('[data-status="killed"]')
        .waitFor();
      await page.screenshot({ path: screenshotPath('real-build-killed.png'), fullPage: true });
    } catch (err) {
      console.error(hangar.output());
      throw err;
    }
  });
});
