// bench/ui: how fast the web UI's main pages show their content, in headless Chromium against a
// real `hangar server` process on 127.0.0.1 with demo data: 20 repositories, one of them with
// BENCH_UI_BUILDS builds (default 200; 2 stages and 3 steps each) and a step log of
// BENCH_UI_LOG_LINES lines (default 5,000, ANSI colours). Per page it prints the time to content
// (navigation start → the page's main content visible, measured in the page at animation frames),
// median and slowest of BENCH_UI_RUNS loads (default 7), each in a fresh browser context (empty
// cache, as a first visit), and the bytes the page fetched. The baseline, measured in the same run:
// a static HTML page of the same number of bytes from the same server (a temporary file in
// web/dist, removed at the end), time to its last element. No assertions: numbers only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { defaultWebDir } from '../src/server/http/web.js';
import { createBuildWithStages } from '../src/server/store/queries/builds.js';
import { putLog } from '../src/server/store/queries/logs.js';
import { upsertPerm } from '../src/server/store/queries/perms.js';
import { createRepo } from '../src/server/store/queries/repos.js';
import { createSteps } from '../src/server/store/queries/steps.js';
import { findUserByLogin } from '../src/server/store/queries/users.js';
import { chromiumPath, chromiumSkip, ensureWebBuild, launchChromium } from '../test/browser/support.js';
import { api, startHangarServer } from '../test/cli/api-server.js';

const BUILDS = Number(process.env.BENCH_UI_BUILDS ?? 200);
const LOG_LINES = Number(process.env.BENCH_UI_LOG_LINES ?? 5000);
const RUNS = Number(process.env.BENCH_UI_RUNS ?? 7);
const REPOS = 20;

/** A page to measure: its path and when its main content counts as shown (run in the page). */
interface Target {
  name: string;
  path: string;
  /** A JS expression that is true once the content is visible. */
  ready: string;
  /** Loaded without signing in. */
  guest?: boolean;
}

const visible = (selector: string) =>
  `(() => { const el = document.querySelector(${JSON.stringify(selector)}); return !!el && el.checkVisibility(); })()`;

async function seed(server: Awaited<ReturnType<typeof startHangarServer>>): Promise<{ logBuild: number }> {
  const store = await server.openStore();
  try {
    const db = store.db;
    const admin = await findUserByLogin(db, 'admin');
    if (!admin) throw new Error('no admin user');
    const t = Math.floor(Date.now() / 1000) - BUILDS * 600;
    let demoId = 0;
    for (let r = 0; r < REPOS; r++) {
      const name = r === 0 ? 'demo' : `service-${String(r).padStart(2, '0')}`;
      const repo = await createRepo(db, {
        namespace: 'acme',
        name,
        active: true,
        signer: `signer-${r}`.padEnd(32, 'x'),
        secret: `secret-${r}`.padEnd(32, 'x'),
        // The demo repo is public, so a guest can load it too.
        visibility: r === 0 ? 'public' : 'private',
        private: r !== 0,
        default_branch: 'main',
        user_id: admin.id,
      });
      await upsertPerm(db, { user_id: admin.id, repo_id: repo.id, read: true, write: true, admin: true });
      if (r === 0) demoId = repo.id;
      else
        await createBuildWithStages(
          db,
          {
            repo_id: repo.id,
            status: 'success',
            event: 'push',
            ref: 'refs/heads/main',
            message: `Build of ${name}`,
          },
          [],
        );
    }
    let logBuild = 0;
    for (let n = 1; n <= BUILDS; n++) {
      const started = t + n * 600;
      const last = n === BUILDS;
      const status = last ? 'running' : n % 9 === 0 ? 'failure' : 'success';
      const { stages } = await createBuildWithStages(
        db,
        {
          repo_id: demoId,
          status,
          event: n % 5 === 0 ? 'pull_request' : 'push',
          ref: n % 5 === 0 ? `refs/pull/${n}/head` : 'refs/heads/main',
          source: 'main',
          target: 'main',
          after: n.toString(16).padStart(40, 'a'),
          message: `Change number ${n}: make the widget faster\n\nA longer body explaining the change.`,
          author_login: n % 2 ? 'alice' : 'bob',
          author_name: n % 2 ? 'Alice' : 'Bob',
          trigger: '@hook',
          created: started - 5,
          started,
          ...(last ? {} : { finished: started + 90 + (n % 50) }),
        },
        [
          {
            number: 1,
            name: 'build',
            kind: 'pipeline',
            type: 'docker',
            status: last ? 'success' : status,
            started,
            stopped: started + 60,
            machine: 'runner-1',
            os: 'linux',
            arch: 'amd64',
          },
          {
            number: 2,
            name: 'test',
            kind: 'pipeline',
            type: 'docker',
            status,
            started: started + 61,
            ...(last ? { machine: 'runner-1' } : { stopped: started + 90 }),
            os: 'linux',
            arch: 'amd64',
            depends_on: ['build'],
          },
        ],
      );
      const [s1, s2] = stages;
      if (!s1 || !s2) throw new Error('stages not created');
      const steps = await createSteps(db, [
        { stage_id: s1.id, number: 1, name: 'clone', status: 'success', started, stopped: started + 2 },
        {
          stage_id: s1.id,
          number: 2,
          name: 'compile',
          status: 'success',
          started: started + 2,
          stopped: started + 60,
        },
        {
          stage_id: s2.id,
          number: 1,
          name: 'unit',
          status: last ? 'running' : status,
          started: started + 61,
          ...(last ? {} : { stopped: started + 90 }),
        },
      ]);
      // The long log: the compile step of the newest finished build.
      if (n === BUILDS - 1) {
        logBuild = n;
        const lines = Array.from({ length: LOG_LINES }, (_, i) => ({
          pos: i,
          out:
            i % 25 === 0
              ? `\x1b[1;33mwarning:\x1b[0m unused variable \x1b[36mx${i}\x1b[0m in src/module_${i % 97}.go:${i % 400}\n`
              : `go: downloading example.test/dependency/number/${i} v1.${i % 13}.${i % 7} (${i * 37} bytes)\n`,
          time: Math.floor(i / 100),
        }));
        await putLog(db, steps[1]!.id, Buffer.from(JSON.stringify(lines)));
      }
    }
    return { logBuild };
  } finally {
    await store.close();
  }
}

/** Navigation start → `ready` true, in the page's own clock (ms), and the bytes it fetched. */
async function timeToContent(browser: Browser, url: string, ready: string, token: string | undefined) {
  // The page's CSP forbids the eval Playwright's string predicates need; it costs nothing measurable.
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
  try {
    if (token)
      await context.addInitScript({
        content: `localStorage.setItem('hangar.token', ${JSON.stringify(token)})`,
      });
    const page: Page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(`${ready} ? performance.now() : 0`, undefined, {
      polling: 'raf',
      timeout: 30_000,
    });
    const ms = Number(await handle.jsonValue());
    const bytes = Number(
      await page.evaluate(
        `performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).reduce((n, e) => n + (e.decodedBodySize || 0), 0)`,
      ),
    );
    return { ms, bytes };
  } finally {
    await context.close();
  }
}

/** A static page of about `bytes` bytes: rows of text, the last one marked. */
function staticPage(bytes: number): string {
  const head =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title></head><body><main>\n';
  const tail = '<p id="last">end</p></main></body></html>\n';
  const row = '<p>A static line of text, about as long as a row of the build list or a log line.</p>\n';
  const rows = Math.max(0, Math.floor((bytes - head.length - tail.length) / row.length));
  return head + row.repeat(rows) + tail;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

const skip = chromiumSkip();
if (skip) {
  console.log(`bench/ui: skipped: ${skip}`);
  process.exit(0);
}

ensureWebBuild();
const dataDir = await mkdtemp(join(tmpdir(), 'hangar-bench-ui-'));
const server = await startHangarServer(
  { HANGAR_CRON_DISABLED: 'true', HANGAR_LOG_LEVEL: 'error', HANGAR_FROM_SOURCE: '1' },
  { dataDir },
);
const baselineFile = join(defaultWebDir(), `bench-ui-baseline-${process.pid}.html`);
const browser = await launchChromium();
try {
  const seeded0 = Date.now();
  const { logBuild } = await seed(server);
  const seededMs = Date.now() - seeded0;
  const check = await api(server, 'GET', '/api/repos/acme/demo/builds?per_page=1');
  if (check.status !== 200) throw new Error(`the server does not answer: ${check.text}`);

  const targets: Target[] = [
    { name: 'repositories (/)', path: '/', ready: visible('[data-testid="repo-item"]') },
    { name: 'builds of a repo', path: '/acme/demo', ready: visible('[data-testid="build-item"]') },
    {
      name: 'build page (running)',
      path: `/acme/demo/${BUILDS}`,
      ready: `${visible('[data-testid="stage-node"]')} && ${visible('[data-testid="step-link"]')} && ${visible('[data-testid="log"]')}`,
    },
    {
      name: `build page, ${LOG_LINES.toLocaleString('en')}-line log`,
      path: `/acme/demo/${logBuild}/1/2`,
      ready: `${visible('.log-line')} && document.body.textContent.includes(${JSON.stringify(`${LOG_LINES.toLocaleString('en')} lines`)})`,
    },
    {
      name: 'build page, guest (public repo)',
      path: `/acme/demo/${BUILDS}`,
      ready: `${visible('[data-testid="stage-node"]')} && ${visible('[data-testid="step-link"]')} && ${visible('[data-testid="log"]')}`,
      guest: true,
    },
    { name: 'repo settings', path: '/acme/demo/settings', ready: visible('#badge-url') },
    { name: 'admin queue', path: '/admin/queue', ready: visible('main table, main .pad') },
  ];

  console.log(
    `bench/ui: hangar server over loopback HTTP, headless Chromium (${chromiumPath}); ${REPOS} repos, ${BUILDS} builds, a ${LOG_LINES}-line log (seeded in ${seededMs} ms); ${RUNS} cold loads per page`,
  );
  console.log(
    `${'page'.padEnd(34)} ${'KiB'.padStart(7)} ${'p50 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'static p50'.padStart(11)} ${'static max'.padStart(11)}`,
  );
  // One warm-up load, so the server has compressed its files and Chromium started its processes.
  await timeToContent(browser, `${server.base}/`, visible('[data-testid="repo-item"]'), server.token);
  for (const target of targets) {
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await timeToContent(
        browser,
        `${server.base}${target.path}`,
        target.ready,
        target.guest ? undefined : server.token,
      );
      samples.push(r.ms);
      bytes = Math.max(bytes, r.bytes);
    }
    await writeFile(baselineFile, staticPage(bytes));
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await timeToContent(
        browser,
        `${server.base}/${baselineFile.split('/').pop()}`,
        visible('#last'),
        undefined,
      );
      baseline.push(r.ms);
    }
    console.log(
      `${target.name.padEnd(34)} ${(bytes / 1024).toFixed(0).padStart(7)} ${median(samples).toFixed(0).padStart(8)} ${Math.max(
        ...samples,
      )
        .toFixed(0)
        .padStart(8)} ${median(baseline).toFixed(0).padStart(11)} ${Math.max(...baseline)
        .toFixed(0)
        .padStart(11)}`,
    );
  }
} finally {
  await rm(baselineFile, { force: true });
  await browser.close();
  await server.dispose();
  await rm(dataDir, { recursive: true, force: true });
}
