// Cancelling a running step, and cleaning up after an owner that was SIGKILLed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { repoRoot } from '../support/compat.js';
import { dockerSkip, engine, ensureTestImages, leftovers, plan, run, step } from './support.js';

const skip = dockerSkip();

before(async () => {
  if (!skip) await ensureTestImages();
});

test('cancel sends SIGTERM first, then SIGKILL after the grace period', {
  skip,
  timeout: 30_000,
}, async () => {
  const e = engine({ killGraceMs: 300 });
  const p = plan([]);
  await e.setup(p, { signal: new AbortController().signal });
  try {
    // A step that handles SIGTERM exits with its own code: it got the signal.
    const polite = new AbortController();
    const a = await run(
      e,
      p,
      step('polite', "trap 'echo got-term; exit 42' TERM; echo started; sleep 60 & wait"),
      {
        signal: polite.signal,
        onOutput: (all) => {
          if (all.includes('started')) polite.abort();
        },
      },
    );
    assert.deepEqual([a.exitCode, a.output], [42, 'started\ngot-term\n']);

    // PID 1 without a handler ignores SIGTERM: the grace period ends in SIGKILL (137).
    const stubborn = new AbortController();
    const b = await run(e, p, step('stubborn', 'echo started; sleep 60'), {
      signal: stubborn.signal,
      onOutput: (all) => {
        if (all.includes('started')) stubborn.abort();
      },
    });
    assert.deepEqual([b.exitCode, b.output], [137, 'started\n']);

    // Aborted before it runs: nothing is started.
    const early = new AbortController();
    early.abort();
    const c = await run(e, p, step('early', 'echo never'), { signal: early.signal });
    assert.deepEqual([c.exitCode, c.output], [137, '']);
  } finally {
    await e.destroy(p);
  }
  assert.deepEqual(await leftovers(p.id), { containers: 0, volumes: 0, networks: 0 });
});

test('destroy after a partial or failed setup is safe', { skip }, async () => {
  const e = engine();
  const p = plan([]);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(e.setup(p, { signal: ac.signal }), /setup was cancelled/);
  await e.destroy(p);
  await e.destroy(p);
  assert.deepEqual(await leftovers(p.id), { containers: 0, volumes: 0, networks: 0 });
  // Never set up at all.
  await e.destroy(plan([]));
});

test('the next engine removes what a SIGKILLed owner left behind', { skip, timeout: 60_000 }, async () => {
  const id = `orphan-${process.pid}-${randomBytes(3).toString('hex')}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'test/docker/orphan-child.ts'), id],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  // Checked before the kill: once the owner is dead, any engine in a parallel suite may prune them.
  assert.deepEqual(await leftovers(id), { containers: 1, volumes: 2, networks: 1 });
  child.kill('SIGKILL');
  await exited;

  const e = engine();
  const p = plan([]);
  await e.setup(p, { signal: new AbortController().signal });
  try {
    assert.deepEqual(await leftovers(id), { containers: 0, volumes: 0, networks: 0 });
    // The new engine's own stage is untouched by its prune.
    assert.deepEqual(await leftovers(p.id), { containers: 0, volumes: 1, networks: 1 });
  } finally {
    await e.destroy(p);
  }
});
