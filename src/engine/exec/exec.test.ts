import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeFixture, sh } from '../../../test/exec/support/git-repo.js';
import { cloneStep, plan, step } from '../../../test/exec/support/plan.js';
import type { Plan, PlanStep } from '../../spec/plan.js';
import { EngineError, type StepRunOptions } from '../engine.js';
import { ExecEngine } from './exec.js';

async function withStage<T>(
  p: Plan,
  fn: (e: ExecEngine) => Promise<T>,
  engine = new ExecEngine(),
): Promise<T> {
  await engine.setup(p, { signal: new AbortController().signal });
  try {
    return await fn(engine);
  } finally {
    await engine.destroy(p);
  }
}

async function runStep(e: ExecEngine, p: Plan, s: PlanStep, over: Partial<StepRunOptions> = {}) {
  let out = '';
  const res = await e.runStep(p, s, {
    env: {},
    output: (c) => (out += c),
    signal: new AbortController().signal,
    registries: [],
    ...over,
  });
  return { ...res, out };
}

/** True while the process runs (a killed zombie that nobody reaped yet counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits (a few seconds at most) for a signalled process to be gone: signal delivery is not instant. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 250; i++) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

test('commands run in the workspace with a private HOME, traced, stdout and stderr both captured', async () => {
  const s = step('build', { commands: ['echo "out $GREETING"', 'echo err >&2', 'pwd', 'echo "home=$HOME"'] });
  const p = plan([s]);
  let root = '';
  await withStage(p, async (e) => {
    const ws = e.workspaceOf(p)!;
    root = join(ws, '..', '..');
    const r = await runStep(e, p, s, { env: { GREETING: 'hi', DRONE_WORKSPACE: '/drone/src' } });
    assert.equal(r.exitCode, 0);
    assert.equal(r.oomKilled, false);
    const lines = r.out.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['+ echo "out $GREETING"', 'out hi', '+ echo err >&2']);
    assert.ok(lines.includes('err'));
    assert.ok(lines.includes(ws), `pwd is the workspace ${ws}`);
    assert.ok(lines.includes(`home=${join(root, 'home', 'drone')}`));
    assert.match(ws, /\/hangar-[\w-]+\/drone\/src$/);
  });
  assert.equal(existsSync(root), false, 'destroy removes the stage folder');
});

test("the compiler's exec layout is used as given, and an existing folder is refused", async () => {
  const base = join(tmpdir(), `drone-layout-${process.pid}-${Date.now()}`);
  const full = join(base, 'drone', 'src');
  const home = join(base, 'home', 'drone');
  const s = step('where', { commands: ['pwd', 'echo "$HOME"', 'test -d "$HOME"'], workingDir: full });
  const p = plan([s], { workspace: { base, path: 'drone/src', full } });
  await withStage(p, async (e) => {
    assert.equal(e.workspaceOf(p), full);
    const r = await runStep(e, p, s, { env: { HOME: home, DRONE_WORKSPACE: full } });
    assert.equal(r.exitCode, 0, r.out);
    assert.deepEqual(
      r.out
        .split('\n')
        .filter((l) => !l.startsWith('+'))
        .slice(0, 2),
      [full, home],
    );
    // A second stage with the same folder must not take it over (nor remove it later).
    const twin = { ...p, id: `${p.id}-twin` };
    await assert.rejects(e.setup(twin, { signal: new AbortController().signal }), /already exists/);
    await e.destroy(twin);
    assert.equal(existsSync(full), true);
  });
  assert.equal(existsSync(base), false);
});

test('DRONE_WORKSPACE points at the host folder, not the container path of the plan', async () => {
  const s = step('env', { commands: ['echo "$DRONE_WORKSPACE"'] });
  const p = plan([s]);
  await withStage(p, async (e) => {
    const r = await runStep(e, p, s, { env: { DRONE_WORKSPACE: '/drone/src' } });
    assert.equal(r.out.split('\n')[1], e.workspaceOf(p));
  });
});

test('set -e: the first failing command ends the step with its exit code', async () => {
  const s = step('fail', { commands: ['echo one', 'exit 3', 'echo never'] });
  const p = plan([s]);
  await withStage(p, async (e) => {
    const r = await runStep(e, p, s);
    assert.equal(r.exitCode, 3);
    assert.equal(r.out.includes('never'), false);
  });
});

test('trace lines print commands literally: quotes, backslashes, dollars', async () => {
  const cmd = `printf '%s\\n' "a\\\\b" '$HOME' "it's"`;
  const s = step('quote', { commands: [cmd] });
  const p = plan([s]);
  await withStage(p, async (e) => {
    const r = await runStep(e, p, s);
    assert.equal(r.exitCode, 0);
    assert.equal(r.out.split('\n')[0], `+ ${cmd}`);
    assert.deepEqual(r.out.split('\n').slice(1, 4), ['a\\b', '$HOME', "it's"]);
  });
});

test('the step shell is used (bash features work with shell: /bin/bash)', async () => {
  const s = step('bash', { shell: '/bin/bash', commands: ['[[ $BASH_VERSION == [0-9]* ]] && echo bash'] });
  const p = plan([s]);
  await withStage(p, async (e) => {
    const r = await runStep(e, p, s);
    assert.equal(r.exitCode, 0, r.out);
    assert.equal(r.out.split('\n')[1], 'bash');
  });
});

test('a missing shell is an engine error with a clear message', async () => {
  const s = step('nosh', { shell: '/no/such/shell', commands: ['true'] });
  const p = plan([s]);
  await withStage(p, async (e) => {
    await assert.rejects(
      runStep(e, p, s),
      (err: unknown) => err instanceof EngineError && /not found/.test(err.message),
    );
  });
});

test('netrc variables become ~/.netrc (mode 600) and leave the environment', async () => {
  const s = step('netrc', { commands: ['cat "$HOME/.netrc"', 'env | grep -c DRONE_NETRC_ || true'] });
  const p = plan([s]);
  await withStage(p, async (e) => {
    const env = {
      DRONE_NETRC_MACHINE: 'git.example.com',
      DRONE_NETRC_USERNAME: 'u',
      DRONE_NETRC_PASSWORD: 'pw-123',
    };
    const r = await runStep(e, p, s, { env });
    assert.equal(r.exitCode, 0);
    assert.match(r.out, /machine git\.example\.com\nlogin u\npassword pw-123\n/);
    assert.match(r.out, /^0$/m);
  });
});

test('abort: SIGTERM to the whole process group', async () => {
  const s = step('sleep', { commands: ['sleep 300 & echo $! > child.pid', 'echo ready', 'wait'] });
  const p = plan([s]);
  await withStage(p, async (e) => {
    const ac = new AbortController();
    let out = '';
    const run = e.runStep(p, s, {
      env: {},
      registries: [],
      signal: ac.signal,
      output: (c) => {
        out += c;
        if (out.includes('ready\n')) ac.abort();
      },
    });
    const r = await run;
    assert.equal(r.exitCode, 143);
    const child = Number(await readFile(join(e.workspaceOf(p)!, 'child.pid'), 'utf8'));
    assert.equal(await gone(child), true, 'the background child was stopped too');
  });
});

test('abort: a process ignoring SIGTERM is killed after the grace period', async () => {
  const s = step('stubborn', { commands: ["trap '' TERM", 'echo ready', 'while :; do sleep 1; done'] });
  const p = plan([s]);
  await withStage(
    p,
    async (e) => {
      const ac = new AbortController();
      const r = await e.runStep(p, s, {
        env: {},
        registries: [],
        signal: ac.signal,
        output: (c) => c.includes('ready') && ac.abort(),
      });
      assert.equal(r.exitCode, 137);
    },
    new ExecEngine({ killGraceMs: 300 }),
  );
});

test('processes left in the background are killed when the step ends', async () => {
  const s = step('leak', {
    commands: ['sleep 300 > /dev/null 2>&1 & echo $! > bg.pid', 'sleep 300 &', 'echo done'],
  });
  const p = plan([s]);
  await withStage(p, async (e) => {
    const r = await runStep(e, p, s);
    assert.equal(r.exitCode, 0);
    const bg = Number(await readFile(join(e.workspaceOf(p)!, 'bg.pid'), 'utf8'));
    assert.equal(await gone(bg), true);
  });
});

test('destroy stops a running step and is safe to repeat', async () => {
  const s = step('long', { commands: ['echo started', 'sleep 300'] });
  const p = plan([s]);
  const e = new ExecEngine();
  await e.setup(p, { signal: new AbortController().signal });
  let started: () => void = () => {};
  const ready = new Promise<void>((r) => {
    started = r;
  });
  const run = e.runStep(p, s, {
    env: {},
    registries: [],
    signal: new AbortController().signal,
    output: (c) => c.includes('started') && started(),
  });
  await ready;
  const ws = e.workspaceOf(p)!;
  await e.destroy(p);
  const r = await run;
  assert.equal(r.exitCode, 137);
  assert.equal(existsSync(ws), false);
  await e.destroy(p);
  await assert.rejects(runStep(e, p, s), EngineError);
});

test('a step without commands runs its entrypoint and command, or nothing', async () => {
  const argv = step('argv', { entrypoint: ['/bin/echo'], command: ['a b', 'c'] });
  const none = step('none');
  const p = plan([argv, none]);
  await withStage(p, async (e) => {
    assert.equal((await runStep(e, p, argv)).out, 'a b c\n');
    const r = await runStep(e, p, none);
    assert.equal(r.exitCode, 0);
    assert.equal(r.out, '');
  });
});

test('the clone step clones the source into the workspace', async () => {
  const fx = await makeFixture();
  try {
    const c = cloneStep();
    const p = plan([c]);
    await withStage(p, async (e) => {
      const clone = { remote: fx.origin, ref: 'refs/heads/main', branch: 'main', commit: fx.c2 };
      const r = await runStep(e, p, c, { clone });
      assert.equal(r.exitCode, 0, r.out);
      assert.equal(await sh(e.workspaceOf(p)!, 'rev-parse', 'HEAD'), fx.c2);
      await assert.rejects(runStep(e, p, c), /no source to clone/);
    });
  } finally {
    await fx.cleanup();
  }
});
