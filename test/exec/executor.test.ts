// The executor over the exec engine with real processes: plans are built here directly, each stage
// runs in its own temporary folder on the host.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ExecEngine } from '../../src/engine/exec/exec.js';
import { MASK } from '../../src/runner/logs/mask.js';
import { executeStage } from '../../src/runner/execute/execute.js';
import type { ExecuteOptions, StageResult } from '../../src/runner/execute/types.js';
import type { Plan, PlanStep } from '../../src/spec/plan.js';
import { type Fixture, makeFixture } from './support/git-repo.js';
import { cloneStep, plan, step } from './support/plan.js';

let fx: Fixture;
before(async () => {
  fx = await makeFixture();
});
after(async () => {
  await fx.cleanup();
});

interface Run {
  res: StageResult;
  /** Masked live lines by step name (what a reporter would have sent). */
  lines: Map<string, string[]>;
  /** The whole retained log of a step as one string. */
  log(name: string): string;
  status(): Record<string, string>;
}

async function exec(p: Plan, opts: ExecuteOptions = {}): Promise<Run> {
  const lines = new Map<string, string[]>();
  const res = await executeStage(p, new ExecEngine({ killGraceMs: 2000, cloneRetryDelayMs: 50 }), {
    ...opts,
    onLine: (s, l) => {
      lines.set(s.name, [...(lines.get(s.name) ?? []), l.out]);
      opts.onLine?.(s, l);
    },
  });
  return {
    res,
    lines,
    log: (name) =>
      res.steps
        .find((s) => s.name === name)!
        .log.map((l) => l.out)
        .join(''),
    status: () => Object.fromEntries(res.steps.map((s) => [s.name, `${s.status}:${s.exitCode}`])),
  };
}

/** Waits (a few seconds at most) for a process to be gone; a killed zombie counts as gone. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 250; i++) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') return true;
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

const sh = (name: string, commands: string[], over: Partial<PlanStep> = {}) =>
  step(name, { commands, ...over });

/** A shell loop that waits (at most ~60 s) for a file to appear in the workspace. */
const waitFor = (file: string) =>
  `i=0; while [ ! -e ${file} ]; do i=$((i+1)); [ $i -lt 600 ] || exit 9; sleep 0.1; done`;

test('serial: clone, then steps sharing the workspace, traced output', async () => {
  const p = plan([
    cloneStep(),
    sh('build', ['cat a.txt', 'echo built > artifact']),
    sh('test', ['cat artifact', 'git log --format=%s -1']),
  ]);
  const r = await exec(p, {
    clone: { remote: fx.origin, ref: 'refs/heads/main', branch: 'main', commit: fx.c2 },
  });
  assert.equal(r.res.status, 'success', JSON.stringify(r.res, null, 1));
  assert.deepEqual(r.status(), { clone: 'success:0', build: 'success:0', test: 'success:0' });
  assert.match(r.log('clone'), /^\+ git init$/m);
  assert.equal(r.log('build'), '+ cat a.txt\ntwo\n+ echo built > artifact\n');
  assert.equal(r.log('test'), '+ cat artifact\nbuilt\n+ git log --format=%s -1\nsecond\n');
  assert.deepEqual(r.lines.get('build'), ['+ cat a.txt\n', 'two\n', '+ echo built > artifact\n']);
});

test('DAG: parallel branches really run at the same time, then the join', async () => {
  // Each branch announces itself and waits for the other: only concurrent branches can both finish.
  const p = plan([
    sh('setup', ['echo go > start']),
    sh('left', ['touch left.ready', waitFor('right.ready'), 'echo left > left.out'], {
      dependsOn: ['setup'],
    }),
    sh('right', ['touch right.ready', waitFor('left.ready'), 'echo right > right.out'], {
      dependsOn: ['setup'],
    }),
    sh('join', ['cat left.out right.out'], { dependsOn: ['left', 'right'] }),
  ]);
  const r = await exec(p);
  assert.equal(r.res.status, 'success');
  assert.match(r.log('join'), /left\nright\n$/);
});

test('run policies: failure skips on-success steps, runs on-failure and always with live status env', async () => {
  const p = plan([
    sh('build', ['echo "status=$DRONE_STAGE_STATUS"', 'exit 3']),
    sh('test', ['echo should not run']),
    sh(
      'notify',
      [
        'echo "$DRONE_BUILD_STATUS $DRONE_STAGE_STATUS failed=$DRONE_FAILED_STEPS step=$DRONE_STEP_NAME#$DRONE_STEP_NUMBER"',
      ],
      {
        runPolicy: 'on-failure',
      },
    ),
    sh('cleanup', ['echo cleanup'], { runPolicy: 'always' }),
  ]);
  const r = await exec(p);
  assert.equal(r.res.status, 'failure');
  assert.equal(r.res.exitCode, 3);
  assert.deepEqual(r.status(), {
    build: 'failure:3',
    test: 'skipped:0',
    notify: 'success:0',
    cleanup: 'success:0',
  });
  assert.match(r.log('build'), /^status=success$/m);
  assert.match(r.log('notify'), /^failure failure failed=build step=notify#3$/m);
  assert.equal(r.log('test'), '');
});

test('failure: ignore lets the stage pass', async () => {
  const p = plan([
    sh('flaky', ['exit 1'], { errPolicy: 'ignore' }),
    sh('build', ['echo "$DRONE_STAGE_STATUS"']),
  ]);
  const r = await exec(p);
  assert.equal(r.res.status, 'success');
  assert.deepEqual(r.status(), { flaky: 'failure:1', build: 'success:0' });
  assert.match(r.log('build'), /^success$/m);
});

test('fail-fast: a failure kills the parallel step and skips the rest; stage killed', async () => {
  const p = plan([
    sh('slow', ['echo $$ > slow.pid', 'sleep 300'], { dependsOn: [] }),
    sh('fast', [waitFor('slow.pid'), 'exit 4'], { dependsOn: [], errPolicy: 'fail-fast' }),
    sh('after', ['echo no'], { dependsOn: ['slow', 'fast'], runPolicy: 'always' }),
  ]);
  const r = await exec(p);
  assert.equal(r.res.status, 'killed');
  assert.equal(r.res.exitCode, 137);
  assert.deepEqual(r.status(), { slow: 'killed:137', fast: 'failure:4', after: 'skipped:0' });
});

test('exit 78 ends the pipeline early and successfully', async () => {
  const p = plan([
    sh('check', ['echo nothing to do', 'exit 78']),
    sh('build', ['echo no']),
    sh('always', ['echo no'], { runPolicy: 'always' }),
  ]);
  const r = await exec(p);
  assert.equal(r.res.status, 'success');
  assert.deepEqual(r.status(), { check: 'success:78', build: 'skipped:0', always: 'skipped:0' });
});

test('detached service: runs beside the steps, stopped at the end and reported exit 0', async () => {
  const p = plan([
    sh(
      'server',
      ['echo $$ > server.pid', 'echo listening', 'touch server.ready', 'while :; do sleep 1; done'],
      {
        detach: true,
        service: true,
      },
    ),
    sh('client', [waitFor('server.ready'), 'echo "server pid $(cat server.pid)"']),
  ]);
  const r = await exec(p);
  assert.equal(r.res.status, 'success');
  assert.deepEqual(r.status(), { server: 'success:0', client: 'success:0' });
  assert.match(r.log('server'), /^listening$/m);
  const pid = Number(/^server pid (\d+)$/m.exec(r.log('client'))?.[1]);
  assert.ok(pid > 0);
  assert.equal(await gone(pid), true, 'the service process was stopped');
});

test('step timeout kills the step; the stage fails and on-failure steps run', async () => {
  const p = plan([
    sh('hang', ['echo waiting', 'sleep 300'], { timeout: 1 }),
    sh('next', ['echo no']),
    sh('report', ['echo "failed: $DRONE_FAILED_STEPS"'], { runPolicy: 'on-failure' }),
  ]);
  const r = await exec(p);
  assert.equal(r.res.status, 'failure');
  assert.deepEqual(r.status(), { hang: 'killed:137', next: 'skipped:0', report: 'success:0' });
  assert.equal(r.res.steps[0]!.error, 'step timed out after 1s');
  assert.match(r.log('report'), /^failed: hang$/m);
});

test('stage timeout kills the stage like a cancel', async () => {
  const p = plan([sh('hang', ['sleep 300']), sh('after', ['echo no'], { runPolicy: 'always' })], {
    timeout: 1,
  });
  const r = await exec(p);
  assert.equal(r.res.status, 'killed');
  assert.equal(r.res.exitCode, 137);
  assert.equal(r.res.error, 'stage timed out after 1s');
  assert.deepEqual(r.status(), { hang: 'killed:137', after: 'skipped:0' });
});

test('cancel mid-step: the running process is killed, the rest skipped', async () => {
  const ac = new AbortController();
  const p = plan([
    sh('work', ['echo started', 'sleep 300']),
    sh('next', ['echo no'], { runPolicy: 'always' }),
  ]);
  const r = await exec(p, {
    signal: ac.signal,
    onLine: (_s, l) => {
      if (l.out === 'started\n') ac.abort();
    },
  });
  assert.equal(r.res.status, 'killed');
  assert.deepEqual(r.status(), { work: 'killed:137', next: 'skipped:0' });
  assert.match(r.log('work'), /^started$/m);
});

test('masking end to end: secrets split across writes, multi-line values, in every step', async () => {
  const key = 'line-one-of-key\nline-two-of-key';
  const p = plan(
    [
      sh(
        'use',
        [
          'printf "token=%s" "$(echo "$TOKEN" | cut -c1-11)"; sleep 0.2; echo "$TOKEN" | cut -c12-',
          'printf "%s\\n" "$KEY"',
          'printf "%s" "$TOKEN" > saved',
        ],
        {
          secrets: [
            { name: 'api_token', env: 'TOKEN' },
            { name: 'deploy_key', env: 'KEY' },
          ],
        },
      ),
      sh('other', ['echo "from file: $(cat saved)"', 'echo "env: [$TOKEN]"']),
    ],
    { secretNames: ['api_token', 'deploy_key'] },
  );
  const r = await exec(p, { secrets: { API_TOKEN: 'abcdefghijklmn', deploy_key: key } });
  assert.equal(r.res.status, 'success', r.log('use'));
  const all = [...r.lines.values()].flat().join('') + r.log('use') + r.log('other');
  assert.equal(all.includes('abcdefghijklmn'), false);
  assert.equal(all.includes('line-one-of-key'), false);
  // The token arrives in two writes 0.2 s apart ("token=abcdefghijk", then "lmn\n").
  assert.match(r.log('use'), /^token=\*{6}\n\+ printf "%s\\n" "\$KEY"\n\*{6}\n\*{6}\n/m);
  assert.match(r.log('other'), /^from file: \*{6}$/m);
  assert.match(r.log('other'), /^env: \[\]$/m);
  assert.equal(MASK, '******');
});
