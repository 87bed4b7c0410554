// Browser tests: Debian's Chromium driven by playwright-core against a real Hangar server (the
// app of `hangar server` over a migrated SQLite store, listening on a loopback port and serving
// the built UI). In CI (CI=true) a missing Chromium fails the run; elsewhere the tests skip and
// say how to install it (scripts/setup-chromium.sh).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type App, createApp, createLogger } from '../../src/server/app.js';
import { newRepoKey, newToken } from '../../src/server/auth/tokens.js';
import { readServerConfig } from '../../src/server/config.js';
import { createSecretBox } from '../../src/server/secrets/box.js';
import { openStore, type Store } from '../../src/server/store/db.js';
import type { Build, Repo, Stage, User } from '../../src/server/store/models.js';
import { createBuildWithStages } from '../../src/server/store/queries/builds.js';
import { upsertPerm } from '../../src/server/store/queries/perms.js';
import { createRepo, findRepoBySlug, type NewRepo } from '../../src/server/store/queries/repos.js';
import { createSteps } from '../../src/server/store/queries/steps.js';
import { createUser, setUserToken } from '../../src/server/store/queries/users.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Where screenshots go (git-ignored). */
export const screenshotDir = join(root, 'test-output', 'screenshots');

/** The Chromium binary: HANGAR_CHROMIUM, or Debian's. */
export const chromiumPath = process.env.HANGAR_CHROMIUM || '/usr/bin/chromium';

/** Skip option for node:test: false when Chromium is there; throws in CI when it is not. */
export function chromiumSkip(): string | false {
  if (existsSync(chromiumPath)) return false;
  if (process.env.CI === 'true') {
    throw new Error(
      `Chromium is required in CI but ${chromiumPath} is missing (run scripts/setup-chromium.sh)`,
    );
  }
  return `no Chromium at ${chromiumPath} (install it with scripts/setup-chromium.sh)`;
}

/** Launches headless Chromium with the flags a root, GPU-less, offline machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function webBuildFresh(): boolean {
  const index = join(root, 'web', 'dist', 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  const sources = [join(root, 'web', 'src'), join(root, 'web', 'index.html'), join(root, 'web', 'public')];
  return sources.every((s) => !existsSync(s) || newestMtime(s) <= built);
}

/**
 * Builds web/dist with `npm run web:build` unless it is newer than every source of the UI. The
 * browser test files run at the same time, and a build empties web/dist before it writes it: one
 * file building while another serves pages made the second's pages blank. So one process builds,
 * under a lock directory, and the others wait for it and then find the build fresh.
 */
export function ensureWebBuild(): void {
  if (webBuildFresh()) return;
  const lock = join(root, 'web', '.build-lock');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed process is taken over after the longest a build can take.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(pause, 0, 0, 200);
    }
  }
  try {
    if (webBuildFresh()) return;
    execFileSync('npm', ['run', '--silent', 'web:build'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The runner RPC secret of the test server. */
export const RPC_SECRET = 'ui-test-rpc-secret-0123456789';

interface RpcAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: RPC answers are checked field by field by the tests
  json: any;
  text: string;
}

/**
 * A runner speaking Drone's RPC v2 to the server (the path a real runner's reports and log lines
 * take): takes a stage, reports it and its steps, streams log lines, uploads the final log.
 */
export class RpcRunner {
  constructor(
    private readonly url: string,
    readonly machine = 'runner-1',
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<RpcAnswer> {
    const send = () =>
      fetch(`${this.url}${path}`, {
        method,
        headers: { 'x-drone-token': RPC_SECRET, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    // As a real runner does: a connection the server dropped is retried once.
    const res = await send().catch(() => send());
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return { status: res.status, json, text };
  }

  /** Polls for a linux/amd64 docker stage and accepts it. */
  async take() {
    const filter = { kind: 'pipeline', type: 'docker', os: 'linux', arch: 'amd64', variant: '', kernel: '' };
    const offered = await this.call('POST', `/rpc/v2/stage?machine=${this.machine}`, filter);
    if (offered.status !== 200) throw new Error(`no stage offered (${offered.status})`);
    return (await this.call('POST', `/rpc/v2/stage/${offered.json.id}?machine=${this.machine}`)).json;
  }

  /** Reports the stage running with these steps (the first one running); answers it with step ids. */
  // biome-ignore lint/suspicious/noExplicitAny: see RpcAnswer
  async start(stage: any, steps: string[]) {
    const t = Math.floor(Date.now() / 1000);
    return (
      await this.call('PUT', `/rpc/v2/stage/${stage.id}`, {
        ...stage,
        status: 'running',
        started: t,
        steps: steps.map((name, i) => ({
          step_id: stage.id,
          number: i + 1,
          name,
          status: i === 0 ? 'running' : 'pending',
          ...(i === 0 ? { started: t } : {}),
        })),
      })
    ).json;
  }

  // biome-ignore lint/suspicious/noExplicitAny: see RpcAnswer
  async step(step: any, fields: object) {
    return (await this.call('PUT', `/rpc/v2/step/${step.id}`, { ...step, ...fields })).json;
  }

  async lines(stepId: number, lines: { pos: number; out: string; time: number }[]) {
    await this.call('POST', `/rpc/v2/step/${stepId}/logs/batch`, lines);
  }

  async upload(stepId: number, lines: { pos: number; out: string; time: number }[]) {
    await this.call('POST', `/rpc/v2/step/${stepId}/logs/upload`, lines);
  }

  /** Reports the stage finished as `status`, with its steps as last reported. */
  // biome-ignore lint/suspicious/noExplicitAny: see RpcAnswer
  async finish(stage: any, steps: any[], status: string) {
    const t = Math.floor(Date.now() / 1000);
    return (
      await this.call('PUT', `/rpc/v2/stage/${stage.id}`, {
        ...stage,
        status,
        stopped: t,
        exit_code: 0,
        steps,
      })
    ).json;
  }
}

/** A user with an API token. */
export interface TestUser {
  user: User;
  token: string;
}

/** A listening Hangar server over a fresh store. */
export interface UiServer {
  app: App;
  store: Store;
  url: string;
  admin: TestUser;
  /** Every log line the server wrote. */
  logs(): string;
  user(login: string, fields?: Partial<User>): Promise<TestUser>;
  repo(fields: NewRepo, owner: TestUser): Promise<Repo>;
  close(): Promise<void>;
}

/**
 * Starts the server of `hangar server` (createApp over a migrated SQLite store) on a loopback port;
 * `env` adds settings (HANGAR_ADDR with a fixed port when the public URL must be known beforehand).
 */
export async function startUiServer(env: Record<string, string> = {}): Promise<UiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-ui-'));
  const store = await openStore(`sqlite:${join(dir, 'hangar.db')}`);
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const config = readServerConfig({
    HANGAR_DATA: dir,
    HANGAR_ADDR: '127.0.0.1:0',
    HANGAR_RPC_SECRET: RPC_SECRET,
    HANGAR_COOKIE_SECRET: 'ui-test-cookie-secret-0123456789',
    ...env,
  });
  const app = createApp({
    store,
    config,
    logger: createLogger('info', sink),
    clock: { now: () => new Date() },
    box: createSecretBox(randomBytes(32)),
    version: '0.0.0-ui-test',
  });
  await app.listen({ host: '127.0.0.1', port: config.port });
  const { port } = app.server.address() as AddressInfo;

  const makeUser = async (login: string, fields: Partial<User> = {}): Promise<TestUser> => {
    const user = await createUser(store.db, { login, ...fields });
    const token = newToken();
    await setUserToken(store.db, user.id, token);
    return { user, token };
  };
  const admin = await makeUser('admin', { admin: true });
  return {
    app,
    store,
    url: `http://127.0.0.1:${port}`,
    admin,
    logs: () => logText,
    user: makeUser,
    async repo(fields, owner) {
      const repo = await createRepo(store.db, {
        active: true,
        signer: newRepoKey(),
        secret: newRepoKey(),
        visibility: 'private',
        private: true,
        user_id: owner.user.id,
        ...fields,
      });
      await upsertPerm(store.db, {
        user_id: owner.user.id,
        repo_id: repo.id,
        read: true,
        write: true,
        admin: true,
      });
      return repo;
    },
    async close() {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Makes the screenshot folder. */
export function screenshotPath(name: string): string {
  mkdirSync(screenshotDir, { recursive: true });
  return join(screenshotDir, name);
}

/**
 * A build with a `build` stage and a `test` stage depending on it: running on `runner-1` with
 * steps clone (passed) and compile (running), or, in `pending` mode, waiting for a runner as the
 * trigger leaves a new build.
 */
export async function seedTwoStageBuild(
  server: UiServer,
  slug: string,
  fields: Partial<Build> = {},
  mode: 'running' | 'pending' = 'running',
) {
  const repo = await findRepoBySlug(server.store.db, slug);
  if (!repo) throw new Error(`no repo ${slug}`);
  const t = Math.floor(Date.now() / 1000);
  const running = mode === 'running';
  const { build, stages } = await createBuildWithStages(
    server.store.db,
    {
      repo_id: repo.id,
      status: 'running',
      event: 'push',
      ref: 'refs/heads/main',
      source: 'main',
      target: 'main',
      after: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      message: 'Make the widget faster\n\nLonger body.',
      author_login: 'alice',
      author_name: 'Alice',
      trigger: '@hook',
      started: t - 30,
      created: t - 35,
      ...fields,
    },
    [
      {
        number: 1,
        name: 'build',
        kind: 'pipeline',
        type: 'docker',
        status: running ? 'running' : 'pending',
        ...(running ? { started: t - 30, machine: 'runner-0' } : {}),
        os: 'linux',
        arch: 'amd64',
      },
      {
        number: 2,
        name: 'test',
        kind: 'pipeline',
        type: 'docker',
        status: 'waiting_on_dependencies',
        os: 'linux',
        arch: 'amd64',
        depends_on: ['build'],
      },
    ],
  );
  const [s1, s2] = stages as [Stage, Stage];
  if (!running) return { repo, build, stages: [s1, s2], steps: [] };
  const steps = await createSteps(server.store.db, [
    { stage_id: s1.id, number: 1, name: 'clone', status: 'success', started: t - 30, stopped: t - 28 },
    {
      stage_id: s1.id,
      number: 2,
      name: 'compile',
      status: 'running',
      started: t - 27,
      image: 'golang:1.22',
    },
    { stage_id: s2.id, number: 1, name: 'unit', status: 'pending' },
  ]);
  return { repo, build, stages: [s1, s2], steps };
}

/** What Tab reached on a page: every control's label, those never focused, and focus without a ring. */
export interface TabWalk {
  controls: string[];
  missed: string[];
  noRing: string[];
}

// Run in the page (as source text: this file is compiled without the DOM types).
const MARK_CONTROLS = `(() => {
  const selector = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    // The skip link is drawn off-screen until it has the focus.
    const visible = el.checkVisibility() || el.classList.contains('skip');
    if (!visible || el.closest('[hidden], [inert]')) continue;
    const text = (el.getAttribute('aria-label') || el.textContent || el.name || el.id || '').trim().slice(0, 40);
    el.dataset.kb = String(out.length);
    out.push(el.tagName.toLowerCase() + ' "' + text + '" ' + (el.name || el.id || ''));
  }
  document.activeElement?.blur();
  window.scrollTo(0, 0);
  return out;
})()`;

const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el?.dataset?.kb) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  let ring = outline || style.boxShadow !== 'none';
  if (outline) {
    // The ring must not be cut off by a scrolling or clipping ancestor.
    const grow = Math.max(0, parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth));
    const r = el.getBoundingClientRect();
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const ar = a.getBoundingClientRect();
      const left = ar.left + a.clientLeft;
      const top = ar.top + a.clientTop;
      if (r.left - grow < left - 0.5 || r.top - grow < top - 0.5 || r.right + grow > left + a.clientWidth + 0.5 || r.bottom + grow > top + a.clientHeight + 0.5) {
        ring = false;
        break;
      }
    }
  }
  return { kb: Number(el.dataset.kb), ring };
})()`;

/**
 * Marks every visible, enabled control of the page, then presses Tab from the top until the focus
 * comes round again, recording which controls took the focus and whether a focus ring showed.
 */
export async function tabThrough(page: Page): Promise<TabWalk> {
  const controls = (await page.evaluate(MARK_CONTROLS)) as string[];
  const reached = new Set<number>();
  const noRing = new Set<string>();
  for (let i = 0; i < controls.length * 2 + 10; i++) {
    await page.keyboard.press('Tab');
    const at = (await page.evaluate(FOCUSED)) as { kb: number; ring: boolean } | null;
    if (!at) continue;
    if (reached.has(at.kb) && reached.size === controls.length) break;
    reached.add(at.kb);
    if (!at.ring) noRing.add(controls[at.kb]!);
  }
  return {
    controls,
    missed: controls.filter((_, i) => !reached.has(i)),
    noRing: [...noRing],
  };
}
