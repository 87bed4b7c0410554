// Live logs and UI events over SSE, in Drone's format: lines as `data: {pos,out,time}` with `id:`,
// `: ping` comments, `event: error` / `data: eof` at the end; a client that reconnects with
// Last-Event-ID gets exactly the lines it missed; on PostgreSQL a client of one replica follows a
// step whose runner talks to another; build events reach the repo's stream and only readers.
import assert from 'node:assert/strict';
import type { Stage } from '../../src/server/store/models.js';
import { aBuild, aRepo, aUser, dbTest, type RpcServer, rpc, startServer, until } from './rpc-support.js';
import { SseClient } from './stream-client.js';

/** Accepts the build's first stage and starts it with one running step; returns ids. */
async function startStep(server: RpcServer, stage: Stage): Promise<{ step: number; stage: Stage }> {
  const acc = await rpc(server, 'POST', `/rpc/v2/stage/${stage.id}?machine=r1`);
  const started = await rpc(server, 'PUT', `/rpc/v2/stage/${stage.id}`, {
    ...acc.json,
    status: 'running',
    started: 1,
    steps: [{ step_id: stage.id, number: 1, name: 'build', status: 'pending' }],
  });
  const step = started.json.steps[0];
  const up = await rpc(server, 'PUT', `/rpc/v2/step/${step.id}`, { ...step, status: 'running', started: 2 });
  assert.equal(up.status, 200, up.text);
  return { step: step.id, stage: started.json };
}

async function batch(server: RpcServer, step: number, from: number, count: number): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => ({
    pos: from + i,
    out: `line ${from + i}\n`,
    time: from + i,
  }));
  const res = await rpc(server, 'POST', `/rpc/v2/step/${step}/logs/batch`, lines);
  assert.equal(res.status, 200, res.text);
}

async function finishStep(server: RpcServer, step: number, total: number): Promise<void> {
  const lines = Array.from({ length: total }, (_, i) => ({ pos: i, out: `line ${i}\n`, time: i }));
  assert.equal((await rpc(server, 'POST', `/rpc/v2/step/${step}/logs/upload`, lines)).status, 200);
  const cur = await server.db
    .selectFrom('steps')
    .selectAll()
    .where('id', '=', step)
    .executeTakeFirstOrThrow();
  const done = await rpc(server, 'PUT', `/rpc/v2/step/${step}`, {
    id: step,
    step_id: cur.stage_id,
    number: cur.number,
    name: cur.name,
    status: 'success',
    started: 2,
    stopped: 3,
    exit_code: 0,
    version: cur.version,
  });
  assert.equal(done.status, 200, done.text);
}

const positions = (c: SseClient) => c.lines().map((l) => l.pos);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

dbTest('a live log resumes after a reconnect without losing or repeating a line', async (shared) => {
  const server = await startServer(shared);
  try {
    const repo = await aRepo(server.db);
    const { user, token } = await aUser(server.db, repo);
    void user;
    const { build, stages } = await aBuild(server.db, repo);
    const { step } = await startStep(server, stages[0]!);
    const url = `${server.url}/api/stream/${repo.slug}/${build.number}/1/1?access_token=${token}`;

    await batch(server, step, 0, 5);
    const first = await new SseClient().open(url);
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-type'], 'text/event-stream');
    assert.equal(first.headers['cache-control'], 'no-cache');
    assert.equal(first.headers['x-accel-buffering'], 'no');
    await until(() => first.lines().length === 5, 5000, 'backlog');
    assert.deepEqual(first.comments[0], 'ping');
    await batch(server, step, 5, 5);
    await until(() => first.lines().length === 10, 5000, 'live lines');
    assert.deepEqual(first.lines()[7], { pos: 7, out: 'line 7\n', time: 7 });
    assert.deepEqual(
      first.messages.slice(0, 10).map((m) => m.id),
      range(0, 10).map(String),
    );
    first.close();

    // Lines written while the client is away, then a batch sent twice (a runner retrying).
    await batch(server, step, 10, 5);
    await batch(server, step, 10, 5);
    const second = await new SseClient().open(url.replace('?', '?last_event_id=9&'));
    await until(() => second.lines().length === 5, 5000, 'missed lines');
    await batch(server, step, 15, 3);
    await until(() => second.lines().length === 8, 5000, 'live lines after resume');

    // A third client resumes with the header EventSource sends.
    const third = await new SseClient().open(url, { 'last-event-id': '16' });
    await until(() => third.lines().length === 1, 5000);

    await finishStep(server, step, 18);
    await until(() => second.eof && third.eof, 5000, 'end of stream');
    assert.deepEqual([...positions(first), ...positions(second)], range(0, 18));
    assert.deepEqual(positions(third), [17]);

    // A finished step without a resume point ends at once; with one, it gets the rest first.
    const late = await new SseClient().open(url);
    await until(() => late.eof);
    assert.deepEqual(late.lines(), []);
    const lateResume = await new SseClient().open(url, { 'last-event-id': '14' });
    await until(() => lateResume.eof);
    assert.deepEqual(positions(lateResume), [15, 16, 17], 'read from the uploaded log');
  } finally {
    await server.close();
  }
});

dbTest('a hole in the positions is waited for, then filled in order', async (shared) => {
  const server = await startServer(shared, { queue: { gapWaitMs: 60_000 } });
  try {
    const repo = await aRepo(server.db, { visibility: 'public', private: false });
    const { build, stages } = await aBuild(server.db, repo);
    const { step } = await startStep(server, stages[0]!);
    const client = await new SseClient().open(`${server.url}/api/stream/${repo.slug}/${build.number}/1/1`);
    await batch(server, step, 0, 2);
    await until(() => client.lines().length === 2);
    // Lines 4–5 arrive before 2–3 (two batches racing): nothing is sent out of order.
    await batch(server, step, 4, 2);
    await batch(server, step, 2, 2);
    await until(() => client.lines().length === 6);
    assert.deepEqual(positions(client), range(0, 6));
    client.close();
  } finally {
    await server.close();
  }
});

dbTest(
  'a log client on one replica follows a runner talking to another',
  async (shared) => {
    const a = await startServer(shared);
    const b = await startServer(shared);
    try {
      const repo = await aRepo(a.db, { visibility: 'public', private: false });
      const { build, stages } = await aBuild(a.db, repo);
      const { step } = await startStep(a, stages[0]!);
      const client = await new SseClient().open(`${b.url}/api/stream/${repo.slug}/${build.number}/1/1`);
      await batch(a, step, 0, 3);
      await until(() => client.lines().length === 3, 5000, 'lines through NOTIFY');
      await batch(a, step, 3, 3);
      await finishStep(a, step, 6);
      await until(() => client.eof, 5000, 'eof through NOTIFY');
      assert.deepEqual(positions(client), range(0, 6));
    } finally {
      await a.close();
      await b.close();
    }
  },
  'postgres',
);

dbTest('build events reach the repo stream and readers of the global stream only', async (shared) => {
  const server = await startServer(shared);
  try {
    const secret = await aRepo(server.db);
    const open = await aRepo(server.db, { visibility: 'public', private: false });
    const reader = await aUser(server.db, secret);
    const stranger = await aUser(server.db);
    const repoStream = await new SseClient().open(
      `${server.url}/api/stream/${secret.slug}?access_token=${reader.token}`,
    );
    const mine = await new SseClient().open(`${server.url}/api/stream?access_token=${reader.token}`);
    const theirs = await new SseClient().open(`${server.url}/api/stream?access_token=${stranger.token}`);
    const guest = await new SseClient().open(`${server.url}/api/stream`);
    const denied = await new SseClient().open(`${server.url}/api/stream/${secret.slug}`);
    assert.equal(denied.status, 401);

    const s1 = await aBuild(server.db, secret);
    const s2 = await aBuild(server.db, open);
    await rpc(server, 'POST', `/rpc/v2/stage/${s1.stages[0]!.id}?machine=r1`);
    await rpc(server, 'POST', `/rpc/v2/stage/${s2.stages[0]!.id}?machine=r1`);
    await until(() => mine.messages.length >= 2 && repoStream.messages.length >= 1, 5000, 'events');
    await until(() => theirs.messages.length >= 1 && guest.messages.length >= 1, 5000, 'public events');
    const slugs = (c: SseClient) => [...new Set(c.messages.map((m) => JSON.parse(m.data).slug))].sort();
    assert.deepEqual(slugs(repoStream), [secret.slug]);
    assert.deepEqual(slugs(mine), [secret.slug, open.slug].sort());
    assert.deepEqual(slugs(theirs), [open.slug]);
    assert.deepEqual(slugs(guest), [open.slug]);
    const event = JSON.parse(repoStream.messages[0]!.data);
    assert.equal(event.build.number, s1.build.number);
    assert.equal(event.build.stages[0].machine, 'r1');
    assert.ok(!('secret' in event) && !('signer' in event), 'repo keys never in events');
    for (const c of [repoStream, mine, theirs, guest]) c.close();
  } finally {
    await server.close();
  }
});

dbTest(
  'a client that stops reading is disconnected, and resumes without a gap or a repeat',
  async (shared) => {
    const server = await startServer(shared, { queue: { stallMs: 300 } });
    try {
      const repo = await aRepo(server.db, { visibility: 'public', private: false });
      const { build, stages } = await aBuild(server.db, repo);
      const { step } = await startStep(server, stages[0]!);
      // About 25 MB of log: more than the kernel buffers between the two ends hold.
      const total = 60_000;
      const pad = 'x'.repeat(400);
      for (let from = 0; from < total; from += 4000) {
        const lines = Array.from({ length: 4000 }, (_, i) => ({
          pos: from + i,
          out: `${from + i} ${pad}\n`,
          time: 0,
        }));
        assert.equal((await rpc(server, 'POST', `/rpc/v2/step/${step}/logs/batch`, lines)).status, 200);
      }
      const url = `${server.url}/api/stream/${repo.slug}/${build.number}/1/1`;
      const slow = await new SseClient().open(url);
      slow.pause();
      await until(() => server.scheduler.logs.subscribers() === 1, 5000, 'the client to subscribe');
      // The server gives up on it (a paused socket only notices once it reads again).
      await until(() => server.scheduler.logs.subscribers() === 0, 20_000, 'the stalled client to be dropped');
      slow.resume();
      await until(() => slow.ended, 20_000, 'what was buffered to be read');
      const got = positions(slow);
      assert.ok(got.length < total, `the slow client got ${got.length} lines before it was dropped`);
      const again = await new SseClient().open(url, { 'last-event-id': String(got.at(-1) ?? -1) });
      await until(() => again.lines().length === total - got.length, 20_000, 'the rest after resuming');
      assert.deepEqual([...got, ...positions(again)], range(0, total));
      again.close();
    } finally {
      await server.close();
    }
  },
  'sqlite',
);
