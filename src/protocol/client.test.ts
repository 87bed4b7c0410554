// The client's own rules — headers, bodies, copy-back, which failures are retried and which are not,
// cancellation — checked against a scripted HTTP peer that answers each request as the test says
// (the real server cannot be made to answer 502 or drop a connection on cue). The exchange with the
// real server is covered in test/runner/.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Client, type RetryInfo, RpcError } from './client.js';
import type { Stage, Step } from './types.js';

interface Seen {
  method: string;
  url: string;
  token: string | undefined;
  body: string;
}

type Script = (req: Seen, res: ServerResponse, n: number) => void;

let server: Server;
let address = '';
let script: Script = (_q, res) => res.writeHead(500).end();
let seen: Seen[] = [];

before(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        token: req.headers['x-drone-token'] as string,
        body,
      };
      seen.push(s);
      script(s, res, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function reset(next: Script): void {
  seen = [];
  script = next;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

function client(retries: RetryInfo[] = []): Client {
  return new Client({
    address: `${address}/`,
    secret: 'sekret',
    backoff: { minMs: 1, maxMs: 5 },
    onRetry: (r) => retries.push(r),
  });
}

function stage(over: Partial<Stage> = {}): Stage {
  return {
    id: 7,
    repo_id: 1,
    build_id: 3,
    number: 1,
    name: 'default',
    status: 'pending',
    errignore: false,
    exit_code: 0,
    os: 'linux',
    arch: 'amd64',
    started: 0,
    stopped: 0,
    created: 1,
    updated: 1,
    version: 2,
    on_success: true,
    on_failure: false,
    ...over,
  };
}

function step(number: number, over: Partial<Step> = {}): Step {
  return {
    id: 0,
    step_id: 7,
    number,
    name: `s${number}`,
    status: 'pending',
    exit_code: 0,
    version: 0,
    ...over,
  };
}

test('every call carries X-Drone-Token and goes to Drone’s path', async () => {
  reset((_q, res) => res.writeHead(200).end());
  await client().ping();
  assert.deepEqual(
    seen.map((s) => [s.method, s.url, s.token]),
    [['POST', '/rpc/v2/ping', 'sekret']],
  );
});

test('request: 204 polls again at once; a stage ends the poll; the filter is the body', async () => {
  const retries: RetryInfo[] = [];
  reset((_q, res, n) => (n < 3 ? res.writeHead(204).end() : json(res, 200, stage())));
  const c = new Client({
    address,
    secret: 's',
    backoff: { minMs: 1, maxMs: 2 },
    onRetry: (r) => retries.push(r),
  });
  const filter = { kind: 'pipeline', type: 'exec', os: 'linux', arch: 'amd64', variant: '', kernel: '' };
  const got = await c.request(filter);
  assert.equal(got.id, 7);
  assert.equal(seen.length, 3);
  assert.deepEqual(JSON.parse(seen[0]!.body), filter);
  // No pause: Drone sleeps 10 s here.
  assert.equal(retries.length, 0);
});

test('request: a server that answers 204 at once over and over is polled with backoff, not in a spin', async () => {
  const retries: RetryInfo[] = [];
  reset((_q, res, n) => (n < 8 ? res.writeHead(204).end() : json(res, 200, stage())));
  await client(retries).request({
    kind: 'pipeline',
    type: 'docker',
    os: '',
    arch: '',
    variant: '',
    kernel: '',
  });
  assert.ok(retries.length >= 5, `paused ${retries.length} times`);
  assert.ok(retries.every((r) => r.reason === 'empty answers'));
});

test('transient failures (502, 503, 504, a dropped connection) are retried until an answer comes', async () => {
  const retries: RetryInfo[] = [];
  reset((_q, res, n) => {
    if (n === 1) res.writeHead(502).end();
    else if (n === 2) res.writeHead(503).end();
    else if (n === 3) res.socket?.destroy();
    else if (n === 4) res.writeHead(504).end();
    else json(res, 200, { id: 501, version: 9 });
  });
  const s = step(1, { id: 501, status: 'running', started: 5, version: 8 });
  await client(retries).updateStep(s);
  assert.equal(seen.length, 5);
  assert.equal(s.version, 9);
  assert.deepEqual(
    retries.map((r) => r.attempt),
    [1, 2, 3, 4],
  );
  assert.match(retries[2]!.reason, /ECONNRESET|socket|closed|terminated/i);
});

test('a refused connection is retried: the call completes once the server is back', async () => {
  const retries: RetryInfo[] = [];
  // A port nobody listens on, then the real peer: the same Client instance, a changed address.
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const port = (dead.address() as AddressInfo).port;
  await new Promise((r) => dead.close(r));
  reset((_q, res) => res.writeHead(200).end());
  let calls = 0;
  const c = new Client({
    address: `http://127.0.0.1:${port}`,
    secret: 's',
    backoff: { minMs: 1, maxMs: 2 },
    onRetry: (r) => retries.push(r),
    fetch: (input, init) => {
      calls++;
      const url = calls <= 3 ? String(input) : String(input).replace(`:${port}`, `:${new URL(address).port}`);
      return fetch(url, init);
    },
  });
  await c.batch(501, [{ pos: 0, out: 'x\n', time: 0 }]);
  assert.equal(retries.length, 3);
  assert.ok(retries.every((r) => r.reason === 'ECONNREFUSED'));
  assert.deepEqual(JSON.parse(seen[0]!.body), [{ pos: 0, out: 'x\n', time: 0 }]);
});

test('500, 4xx and 409 are not retried; the server’s message is in the error', async () => {
  for (const [status, body] of [
    [500, { message: 'database is locked' }],
    [404, { message: 'Not Found' }],
    [401, 'invalid or missing token'],
  ] as const) {
    reset((_q, res) =>
      typeof body === 'string' ? res.writeHead(status).end(body) : json(res, status, body),
    );
    const err = await client()
      .details(7)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof RpcError, String(err));
    assert.equal(err.status, status);
    assert.match(err.message, new RegExp(typeof body === 'string' ? body : body.message));
    assert.equal(seen.length, 1);
  }
  reset((_q, res) => json(res, 409, { message: 'conflict' }));
  await assert.rejects(client().updateStep(step(1, { id: 5 })), (e: RpcError) => e.status === 409);
  assert.equal(seen.length, 1);
});

test('accept: 409 means taken (undefined); success returns the stage with its new version', async () => {
  reset((_q, res) => json(res, 409, { message: 'taken' }));
  assert.equal(await client().accept(7, 'runner 1'), undefined);
  assert.equal(seen[0]!.url, '/rpc/v2/stage/7?machine=runner%201');
  assert.equal(seen[0]!.body, '');
  reset((_q, res) => json(res, 200, stage({ machine: 'runner 1', version: 3 })));
  const got = await client().accept(7, 'runner 1');
  assert.equal(got?.version, 3);
});

test('accept: a 409 after an attempt whose answer was lost checks who owns the stage', async () => {
  reset((q, res, n) => {
    if (n === 1) res.socket?.destroy();
    else if (q.method === 'POST') json(res, 409, { message: 'taken' });
    else json(res, 200, { stage: stage({ machine: 'me', version: 3 }) });
  });
  const got = await client().accept(7, 'me');
  assert.equal(got?.machine, 'me');
  assert.deepEqual(
    seen.map((s) => s.method),
    ['POST', 'POST', 'GET'],
  );
  reset((q, res, n) => {
    if (n === 1) res.socket?.destroy();
    else if (q.method === 'POST') json(res, 409, { message: 'taken' });
    else json(res, 200, { stage: stage({ machine: 'other', version: 3 }) });
  });
  assert.equal(await client().accept(7, 'me'), undefined);
});

test('updateStage copies updated/version back and, by step number, id, step_id, started, stopped, version', async () => {
  reset((q, res) => {
    const sent = JSON.parse(q.body) as Stage;
    json(res, 200, {
      ...sent,
      updated: 99,
      version: sent.version + 1,
      // Answered in another order, with a step the runner did not send: matched by number only.
      steps: [
        { ...sent.steps![1], id: 502, started: 11, stopped: 0, version: 1 },
        { ...sent.steps![0], id: 501, started: 10, stopped: 0, version: 1 },
        { ...sent.steps![0], number: 9, id: 509, version: 1 },
      ],
    });
  });
  const s = stage({ status: 'running', started: 10, steps: [step(1), step(2)] });
  await client().updateStage(s);
  assert.equal(s.version, 3);
  assert.equal(s.updated, 99);
  assert.deepEqual(
    s.steps!.map((x) => [x.number, x.id, x.step_id, x.started, x.version]),
    [
      [1, 501, 7, 10, 1],
      [2, 502, 7, 11, 1],
    ],
  );
  assert.equal(JSON.parse(seen[0]!.body).steps.length, 2);
});

test('a step without number or step_id, or running without started, is refused before sending', async () => {
  reset((_q, res) => res.writeHead(200).end('{}'));
  await assert.rejects(client().updateStep(step(0, { id: 1 })), /number is missing/);
  await assert.rejects(client().updateStep(step(1, { id: 1, step_id: 0 })), /step_id/);
  await assert.rejects(client().updateStep(step(1, { id: 1, status: 'running' })), /needs started/);
  await assert.rejects(client().updateStage(stage({ steps: [step(0)] })), /number is missing/);
  assert.equal(seen.length, 0);
});

test('updateStep: a 409 after an attempt whose answer was lost counts as applied', async () => {
  reset((_q, res, n) => (n === 1 ? res.socket?.destroy() : json(res, 409, { message: 'conflict' })));
  const s = step(1, { id: 5, status: 'success', version: 4 });
  await client().updateStep(s);
  assert.equal(s.version, 5);
});

test('watch: 204 watches on; 200 means cancelled', async () => {
  reset((_q, res, n) => (n < 3 ? res.writeHead(204).end() : res.writeHead(200).end()));
  assert.equal(await client().watch(3), true);
  assert.equal(seen.length, 3);
  assert.ok(seen.every((s) => s.method === 'POST' && s.url === '/rpc/v2/build/3/watch'));
});

test('every call is cancellable: an abort ends a hanging long poll and a retry loop', async () => {
  reset(() => {
    // Never answers.
  });
  const ctl = new AbortController();
  const polling = client().request(
    { kind: 'pipeline', type: 'docker', os: '', arch: '', variant: '', kernel: '' },
    ctl.signal,
  );
  while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
  ctl.abort(new Error('stop'));
  await assert.rejects(polling, /stop/);

  reset((_q, res) => res.writeHead(503).end());
  const ctl2 = new AbortController();
  const retrying = client().upload(1, [], ctl2.signal);
  while (seen.length < 3) await new Promise((r) => setTimeout(r, 5));
  ctl2.abort(new Error('enough'));
  await assert.rejects(retrying, /enough/);
});

test('a per-attempt timeout counts as transient and is retried', async () => {
  const retries: RetryInfo[] = [];
  // Count this test's own requests: a straggler of the previous test may still arrive after reset().
  let cards = 0;
  reset((q, res) => {
    if (!q.url.endsWith('/card')) return void res.writeHead(503).end();
    cards++;
    if (cards > 1) res.writeHead(200).end();
  });
  const c = new Client({
    address,
    secret: 's',
    timeoutMs: 50,
    backoff: { minMs: 1, maxMs: 2 },
    onRetry: (r) => retries.push(r),
  });
  await c.card(4, { schema: 'https://x/schema.json', data: { a: 1 } });
  assert.equal(retries[0]?.reason, 'timed out');
  const bodies = seen.filter((q) => q.url.endsWith('/card')).map((q) => JSON.parse(q.body));
  assert.deepEqual(bodies[1], { schema: 'https://x/schema.json', data: { a: 1 } });
});

test('ping is one attempt: a refusal or an outage is reported, not retried', async () => {
  reset((_q, res) => res.writeHead(503).end());
  await assert.rejects(client().ping(), (e: RpcError) => e.status === 503);
  assert.equal(seen.length, 1);
});
