// Ordering and edge cases of the executor on a scripted engine (steps are controlled promises, so
// "both branches are running at once" and "cancel while a step runs" are deterministic). The same
// behaviours over real processes are in test/exec/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plan, step } from '../../../test/exec/support/plan.js';
import { type Engine, EngineError, type StepExit, type StepRunOptions } from '../../engine/engine.js';
import type { PlanStep } from '../../spec/plan.js';
import { MASK } from '../logs/mask.js';
import { executeStage } from './execute.js';
import type { ExecuteOptions, StageResult, StepOutcome } from './types.js';

type Behaviour = (opts: StepRunOptions, step: PlanStep) => Promise<StepExit>;

const exit =
  (code: number, out = ''): Behaviour =>
  async (o) => {
    if (out) o.output(out);
    return { exitCode: code, oomKilled: false };
  };

/** Runs until aborted (then exits 143, as a process stopped by SIGTERM) or released with a code. */
function gate(out = '') {
  let release: (code: number) => void = () => {};
  const behaviour: Behaviour = (o) =>
    new Promise<StepExit>((resolve) => {
      if (out) o.output(out);
      release = (code) => resolve({ exitCode: code, oomKilled: false });
      o.signal.addEventListener('abort', () => resolve({ exitCode: 143, oomKilled: false }), { once: true });
    });
  return { behaviour, release: (code: number) => release(code) };
}

class ScriptedEngine implements Engine {
  readonly events: string[] = [];
  readonly envs = new Map<string, Record<string, string>>();
  readonly signals = new Map<string, AbortSignal>();
  setupError: Error | undefined;
  private readonly waiters = new Map<string, () => void>();
  private readonly endWaiters = new Map<string, () => void>();

  constructor(readonly behaviours: Record<string, Behaviour> = {}) {}

  async setup(): Promise<void> {
    this.events.push('setup');
    if (this.setupError) throw this.setupError;
  }

  async runStep(_plan: unknown, s: PlanStep, opts: StepRunOptions): Promise<StepExit> {
    this.events.push(`start:${s.name}`);
    this.envs.set(s.name, opts.env);
    this.signals.set(s.name, opts.signal);
    this.waiters.get(s.name)?.();
    try {
      return await (this.behaviours[s.name] ?? exit(0))(opts, s);
    } finally {
      this.events.push(`end:${s.name}`);
      this.endWaiters.get(s.name)?.();
    }
  }

  async destroy(): Promise<void> {
    this.events.push('destroy');
  }

  /** Resolves once the engine has finished running the step. */
  ended(name: string): Promise<void> {
    if (this.events.includes(`end:${name}`)) return Promise.resolve();
    return new Promise((r) => this.endWaiters.set(name, r));
  }

  /** Resolves once the step has been started. */
  started(name: string): Promise<void> {
    if (this.events.includes(`start:${name}`)) return Promise.resolve();
    return new Promise((r) => this.waiters.set(name, r));
  }
}

function statuses(r: StageResult): Record<string, string> {
  return Object.fromEntries(r.steps.map((s) => [s.name, `${s.status}:${s.exitCode}`]));
}

async function run(steps: PlanStep[], engine: ScriptedEngine, opts: ExecuteOptions = {}, over = {}) {
  const ends: string[] = [];
  const res = await executeStage(plan(steps, over), engine, {
    ...opts,
    onStepEnd: (s, o) => {
      ends.push(`${s.name}:${o.status}`);
      return opts.onStepEnd?.(s, o);
    },
  });
  return { res, ends };
}

test('serial: each step starts after the previous one ended; setup first, destroy last', async () => {
  const e = new ScriptedEngine();
  const { res } = await run([step('a'), step('b'), step('c')], e);
  assert.equal(res.status, 'success');
  assert.equal(res.exitCode, 0);
  assert.deepEqual(e.events, [
    'setup',
    'start:a',
    'end:a',
    'start:b',
    'end:b',
    'start:c',
    'end:c',
    'destroy',
  ]);
  assert.deepEqual(
    res.steps.map((s) => s.number),
    [1, 2, 3],
  );
  assert.equal(e.envs.get('b')!.DRONE_STEP_NAME, 'b');
  assert.equal(e.envs.get('b')!.DRONE_STEP_NUMBER, '2');
});

test('DAG: parallel branches run at the same time; the join waits for both', async () => {
  const b = gate();
  const c = gate();
  const e = new ScriptedEngine({ b: b.behaviour, c: c.behaviour });
  const steps = [
    step('a'),
    step('b', { dependsOn: ['a'] }),
    step('c', { dependsOn: ['a'] }),
    step('d', { dependsOn: ['b', 'c'] }),
  ];
  const done = run(steps, e);
  await e.started('b');
  await e.started('c');
  assert.equal(e.events.includes('start:d'), false);
  b.release(0);
  c.release(0);
  const { res } = await done;
  assert.equal(res.status, 'success');
  assert.ok(e.events.indexOf('start:d') > e.events.indexOf('end:c'));
  assert.ok(e.events.indexOf('start:d') > e.events.indexOf('end:b'));
});

test('maxProcs 1: parallel branches run one at a time, in plan order', async () => {
  const e = new ScriptedEngine();
  const steps = [step('a'), step('b', { dependsOn: ['a'] }), step('c', { dependsOn: ['a'] })];
  await run(steps, e, { maxProcs: 1 });
  assert.deepEqual(e.events, [
    'setup',
    'start:a',
    'end:a',
    'start:b',
    'end:b',
    'start:c',
    'end:c',
    'destroy',
  ]);
});

test('run policies against a failing stage, with the live status variables', async () => {
  const e = new ScriptedEngine({ build: exit(2) });
  const steps = [
    step('build'),
    step('test'),
    step('notify-fail', { runPolicy: 'on-failure' }),
    step('always', { runPolicy: 'always' }),
    step('never', { runPolicy: 'never' }),
  ];
  const { res, ends } = await run(steps, e);
  assert.equal(res.status, 'failure');
  assert.equal(res.exitCode, 2);
  assert.deepEqual(statuses(res), {
    build: 'failure:2',
    test: 'skipped:0',
    'notify-fail': 'success:0',
    always: 'success:0',
    never: 'skipped:0',
  });
  assert.deepEqual(ends, [
    'build:failure',
    'test:skipped',
    'notify-fail:success',
    'always:success',
    'never:skipped',
  ]);
  const env = e.envs.get('notify-fail')!;
  assert.equal(env.DRONE_BUILD_STATUS, 'failure');
  assert.equal(env.DRONE_STAGE_STATUS, 'failure');
  assert.equal(env.DRONE_FAILED_STEPS, 'build');
  assert.equal(e.envs.get('build')!.DRONE_STAGE_STATUS, 'success');
  assert.equal(e.envs.get('build')!.DRONE_FAILED_STEPS, undefined);
});

test('on-failure steps are skipped when nothing failed', async () => {
  const e = new ScriptedEngine();
  const { res } = await run([step('a'), step('on-fail', { runPolicy: 'on-failure' })], e);
  assert.deepEqual(statuses(res), { a: 'success:0', 'on-fail': 'skipped:0' });
});

test('failure: ignore keeps the stage passing and the next steps running', async () => {
  const e = new ScriptedEngine({ lint: exit(1) });
  const { res } = await run([step('lint', { errPolicy: 'ignore' }), step('build')], e);
  assert.equal(res.status, 'success');
  assert.deepEqual(statuses(res), { lint: 'failure:1', build: 'success:0' });
  assert.equal(res.steps[0]!.errIgnore, true);
  assert.equal(e.envs.get('build')!.DRONE_STAGE_STATUS, 'success');
});

test('fail-fast: a failure kills the running steps, skips the pending ones, stage killed', async () => {
  const slow = gate();
  const fast = gate();
  const e = new ScriptedEngine({ slow: slow.behaviour, fast: fast.behaviour });
  const steps = [
    step('slow', { dependsOn: [] }),
    step('fast', { dependsOn: [], errPolicy: 'fail-fast' }),
    step('after', { dependsOn: ['slow', 'fast'], runPolicy: 'always' }),
  ];
  const done = run(steps, e);
  await e.started('slow');
  await e.started('fast');
  fast.release(1);
  const { res } = await done;
  assert.equal(res.status, 'killed');
  assert.equal(res.exitCode, 137);
  assert.deepEqual(statuses(res), { slow: 'killed:137', fast: 'failure:1', after: 'skipped:0' });
  assert.equal(e.signals.get('slow')!.aborted, true);
  assert.equal(e.events.at(-1), 'destroy');
});

test('exit 78 succeeds and skips every pending step; running ones finish normally', async () => {
  const side = gate();
  const e = new ScriptedEngine({ early: exit(78), side: side.behaviour });
  const steps = [
    step('side', { dependsOn: [] }),
    step('early', { dependsOn: [] }),
    step('later', { dependsOn: ['early'] }),
    step('cleanup', { dependsOn: ['early'], runPolicy: 'always' }),
  ];
  const done = run(steps, e);
  await e.started('side');
  await e.started('early');
  // `early` has ended (78) by the time `side` is released.
  await e.ended('early');
  side.release(0);
  const { res } = await done;
  assert.equal(res.status, 'success');
  assert.deepEqual(statuses(res), {
    side: 'success:0',
    early: 'success:78',
    later: 'skipped:0',
    cleanup: 'skipped:0',
  });
});

test('detached steps: done for the DAG once started, stopped at the end with exit 0', async () => {
  const svc = gate('service up\n');
  const e = new ScriptedEngine({ db: svc.behaviour });
  const steps = [step('db', { detach: true, service: true }), step('test'), step('deploy')];
  const { res } = await run(steps, e);
  assert.equal(res.status, 'success');
  assert.deepEqual(statuses(res), { db: 'success:0', test: 'success:0', deploy: 'success:0' });
  assert.ok(e.events.indexOf('start:test') < e.events.indexOf('end:db'));
  assert.equal(e.signals.get('db')!.aborted, true);
  assert.deepEqual(
    res.steps[0]!.log.map((l) => l.out),
    ['service up\n'],
  );
  assert.equal(res.steps[0]!.detached, true);
  // Stopped without a grace period: the engine's destroy runs while the service still runs, and the
  // final destroy comes after everything ended.
  assert.ok(e.events.indexOf('destroy') < e.events.indexOf('end:db'));
  assert.equal(e.events.at(-1), 'destroy');
});

test('a detached step that fails on its own fails the stage', async () => {
  const e = new ScriptedEngine({ svc: exit(3) });
  // `test` runs until the service has ended, so the service's failure is known before the end.
  e.behaviours.test = async () => {
    await e.ended('svc');
    return { exitCode: 0, oomKilled: false };
  };
  const { res } = await run([step('svc', { detach: true }), step('test'), step('after')], e);
  assert.equal(res.status, 'failure');
  assert.deepEqual(statuses(res), { svc: 'failure:3', test: 'success:0', after: 'skipped:0' });
});

test('engine errors end the step `error` (255) with the message; destroy still runs', async () => {
  const e = new ScriptedEngine({
    pull: async () => {
      throw new EngineError('image not found: nosuch:latest', 'image_not_found');
    },
    bug: async () => {
      throw new TypeError('boom');
    },
  });
  const { res } = await run(
    [step('pull', { dependsOn: [] }), step('bug', { dependsOn: [] }), step('next', { dependsOn: ['pull'] })],
    e,
  );
  assert.equal(res.status, 'failure');
  assert.deepEqual(statuses(res), { pull: 'error:255', bug: 'error:255', next: 'skipped:0' });
  assert.equal(res.steps[0]!.error, 'image not found: nosuch:latest');
  assert.equal(res.steps[1]!.error, 'boom');
  assert.equal(e.events.at(-1), 'destroy');
});

test('setup failure: stage error, every step skipped, destroy called', async () => {
  const e = new ScriptedEngine();
  e.setupError = new EngineError('cannot create network', 'network');
  const { res, ends } = await run([step('a'), step('b')], e);
  assert.equal(res.status, 'error');
  assert.equal(res.error, 'cannot create network');
  assert.deepEqual(ends, ['a:skipped', 'b:skipped']);
  assert.deepEqual(e.events, ['setup', 'destroy']);
});

test('an invalid graph is a stage error before setup', async () => {
  const e = new ScriptedEngine();
  const { res } = await run([step('a', { dependsOn: ['ghost'] })], e);
  assert.equal(res.status, 'error');
  assert.equal(res.error, 'step "a" depends on unknown step "ghost"');
  assert.deepEqual(statuses(res), { a: 'skipped:0' });
  assert.deepEqual(e.events, ['destroy']);
});

test('cancel mid-step: running killed (137), pending skipped, stage killed', async () => {
  const a = gate();
  const e = new ScriptedEngine({ a: a.behaviour });
  const ac = new AbortController();
  const done = run([step('a'), step('b'), step('c', { runPolicy: 'always' })], e, { signal: ac.signal });
  await e.started('a');
  ac.abort();
  const { res } = await done;
  assert.equal(res.status, 'killed');
  assert.equal(res.exitCode, 137);
  assert.equal(res.error, '');
  assert.deepEqual(statuses(res), { a: 'killed:137', b: 'skipped:0', c: 'skipped:0' });
  assert.equal(e.events.at(-1), 'destroy');
});

test('a signal aborted before the start runs nothing', async () => {
  const e = new ScriptedEngine();
  const ac = new AbortController();
  ac.abort();
  const { res } = await run([step('a')], e, { signal: ac.signal });
  assert.equal(res.status, 'killed');
  assert.deepEqual(statuses(res), { a: 'skipped:0' });
  assert.deepEqual(e.events, ['destroy']);
});

test('step timeout kills the step and fails the stage; on-failure steps still run', async () => {
  const e = new ScriptedEngine({ hang: gate().behaviour });
  const { res } = await run(
    [step('hang', { timeout: 1 }), step('next'), step('report', { runPolicy: 'on-failure' })],
    e,
  );
  assert.equal(res.status, 'failure');
  assert.deepEqual(statuses(res), { hang: 'killed:137', next: 'skipped:0', report: 'success:0' });
  assert.equal(res.steps[0]!.error, 'step timed out after 1s');
});

test('stage timeout behaves like a cancel', async () => {
  const e = new ScriptedEngine({ hang: gate().behaviour });
  const { res } = await run([step('hang'), step('next', { runPolicy: 'always' })], e, {}, { timeout: 1 });
  assert.equal(res.status, 'killed');
  assert.equal(res.error, 'stage timed out after 1s');
  assert.deepEqual(statuses(res), { hang: 'killed:137', next: 'skipped:0' });
});

test('secrets: resolved into the env by name (case-insensitive) and masked in every step', async () => {
  const e = new ScriptedEngine({
    a: exit(0, 'token is s3cr3t-value\n'),
    b: exit(0, 'leaked s3cr3t-value and pass-w0rd\n'),
    c: async () => {
      throw new EngineError('login failed with pass-w0rd', 'auth');
    },
  });
  const steps = [
    step('a', {
      secrets: [
        { name: 'API_TOKEN', env: 'TOKEN' },
        { name: 'missing', env: 'MISSING' },
      ],
    }),
    step('b'),
    step('c', { runPolicy: 'always' }),
  ];
  const lines: string[] = [];
  const { res } = await run(
    steps,
    e,
    {
      secrets: { api_token: 's3cr3t-value', registry_pw: 'pass-w0rd', unrelated: 'not-used-here' },
      onLine: (s, l) => lines.push(`${s.name}: ${l.out}`),
    },
    { secretNames: ['registry_pw'] },
  );
  assert.equal(e.envs.get('a')!.TOKEN, 's3cr3t-value');
  assert.equal('MISSING' in e.envs.get('a')!, false);
  assert.equal(e.envs.get('b')!.TOKEN, undefined);
  assert.deepEqual(lines, [`a: token is ${MASK}\n`, `b: leaked ${MASK} and ${MASK}\n`]);
  assert.equal(res.steps[2]!.error, `login failed with ${MASK}`);
});

test('netrc: variables for steps entitled to them, credentials masked everywhere', async () => {
  const e = new ScriptedEngine({ a: exit(0, 'ghp_token123 x-oauth-basic\n') });
  const clone = {
    remote: 'https://example.com/o/r.git',
    ref: 'refs/heads/main',
    commit: '',
    branch: 'main',
    netrc: { machine: 'example.com', login: 'ghp_token123', password: 'x-oauth-basic' },
  };
  const { res } = await run([step('a', { netrc: true }), step('b')], e, { clone });
  assert.equal(res.steps[0]!.log[0]!.out, `${MASK} x-oauth-basic\n`);
  const env = e.envs.get('a')!;
  assert.equal(env.DRONE_NETRC_MACHINE, 'example.com');
  assert.equal(env.DRONE_NETRC_USERNAME, 'ghp_token123');
  assert.equal(env.DRONE_NETRC_FILE, 'machine example.com login ghp_token123 password x-oauth-basic');
  assert.equal(e.envs.get('b')!.DRONE_NETRC_MACHINE, undefined);
});

test('callbacks: async onStepStart is awaited; every step gets exactly one start and one end', async () => {
  const e = new ScriptedEngine({ b: exit(1) });
  const seen: string[] = [];
  const outcomes = new Map<string, StepOutcome>();
  await run([step('a'), step('b'), step('c')], e, {
    onStepStart: async (s) => {
      seen.push(`start:${s.name}`);
      await new Promise((r) => setTimeout(r, 5));
      seen.push(`started:${s.name}`);
    },
    onStepEnd: (s, o) => {
      seen.push(`end:${s.name}:${o.status}`);
      outcomes.set(s.name, o);
    },
  });
  assert.deepEqual(seen, [
    'start:a',
    'started:a',
    'end:a:success',
    'start:b',
    'started:b',
    'end:b:failure',
    'end:c:skipped',
  ]);
  assert.ok(outcomes.get('a')!.started > 0);
  assert.ok(outcomes.get('a')!.stopped >= outcomes.get('a')!.started);
  assert.equal(e.events.indexOf('start:a') > 0, true);
});

test('a throwing callback does not stop the stage; executeStage rejects after cleanup', async () => {
  const e = new ScriptedEngine();
  await assert.rejects(
    executeStage(plan([step('a'), step('b')]), e, {
      onStepStart: (s) => {
        if (s.name === 'a') throw new Error('reporter down');
      },
    }),
    /reporter down/,
  );
  assert.deepEqual(e.events, ['setup', 'start:a', 'end:a', 'start:b', 'end:b', 'destroy']);
});
