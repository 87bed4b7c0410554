import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalBus } from '../events/bus.js';
import { openStore, type Store } from '../store/db.js';
import type { Line } from '../store/models.js';
import { createBuildWithStages } from '../store/queries/builds.js';
import { deleteLines, putLog } from '../store/queries/logs.js';
import { createRepo } from '../store/queries/repos.js';
import { createSteps } from '../store/queries/steps.js';
import { LiveLogs, type LineSink } from './live.js';

async function withStep(body: (store: Store, step: number) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-live-'));
  const store = await openStore(`sqlite:${join(dir, 'db')}`);
  try {
    const repo = await createRepo(store.db, { namespace: 'o', name: 'r' });
    const { stages } = await createBuildWithStages(store.db, { repo_id: repo.id }, [{ name: 'a' }]);
    const [step] = await createSteps(store.db, [{ stage_id: stages[0]!.id, number: 1 }]);
    await body(store, step!.id);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const lines = (from: number, n: number): Line[] =>
  Array.from({ length: n }, (_, i) => ({ pos: from + i, out: `${from + i}\n`, time: 0 }));

/** A sink that records and can refuse (back-pressure) until drained by the test. */
function sink() {
  const got: number[] = [];
  let drain: (() => void) | undefined;
  let full = false;
  let ended = false;
  const s: LineSink = {
    write(ls) {
      // Takes one line when full (as a socket over its high-water mark takes the message that crossed it).
      const take = full ? ls.slice(0, 1) : ls;
      got.push(...take.map((l) => l.pos));
      return take.length;
    },
    onDrain(cb) {
      drain = cb;
    },
    end() {
      ended = true;
    },
  };
  return {
    s,
    got,
    fill: (v: boolean) => {
      full = v;
    },
    drain: () => {
      const cb = drain;
      drain = undefined;
      cb?.();
    },
    waiting: () => drain !== undefined,
    ended: () => ended,
  };
}

async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a client that cannot keep up is paused, never skipped', async () => {
  await withStep(async (store, step) => {
    const logs = new LiveLogs({ db: store.db, bus: new LocalBus(), pageSize: 10 });
    const c = sink();
    c.fill(true);
    logs.subscribe(step, 0, c.s);
    await logs.append(step, lines(0, 5));
    await until(() => c.waiting());
    const before = c.got.length;
    await logs.append(step, lines(5, 30));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.got.length, before, 'nothing written while the client is full');
    c.fill(false);
    c.drain();
    await until(() => c.got.length === 35);
    assert.deepEqual(
      c.got,
      lines(0, 35).map((l) => l.pos),
    );
    logs.close();
  });
});

test('a hole that is never filled is skipped after the wait; the end comes after the last line', async () => {
  await withStep(async (store, step) => {
    const bus = new LocalBus();
    const logs = new LiveLogs({ db: store.db, bus, gapWaitMs: 50 });
    const c = sink();
    logs.subscribe(step, 0, c.s);
    await logs.append(step, lines(0, 2));
    await logs.append(step, lines(3, 2));
    await until(() => c.got.length === 4);
    assert.deepEqual(c.got, [0, 1, 3, 4]);
    // The live lines are replaced by the upload before the end is seen: the rest comes from it.
    await putLog(store.db, step, Buffer.from(JSON.stringify(lines(0, 8))));
    await deleteLines(store.db, step);
    logs.ended(step);
    await until(() => c.ended());
    assert.deepEqual(c.got, [0, 1, 3, 4, 5, 6, 7]);
    assert.equal(logs.subscribers(), 0);
    logs.close();
  });
});
