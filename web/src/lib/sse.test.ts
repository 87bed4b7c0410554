import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { openStream, type SseEvent, SseParser, type StreamEnd } from './sse.js';

test('the parser splits events across any chunking and line ending', () => {
  const text =
    ': ping\n\nid: 1\ndata: {"pos":0}\n\nevent: note\r\ndata: a\r\ndata: b\r\n\r\nid: 2\rdata:x\r\rdata: no end';
  for (const size of [1, 2, 3, 7, text.length]) {
    const p = new SseParser();
    const got: SseEvent[] = [];
    for (let i = 0; i < text.length; i += size) got.push(...p.push(text.slice(i, i + size)));
    assert.deepEqual(got, [
      { event: 'message', data: '{"pos":0}', id: '1' },
      { event: 'note', data: 'a\nb', id: '1' },
      { event: 'message', data: 'x', id: '2' },
    ]);
    assert.equal(p.lastEventId, '2');
  }
});

test('the parser reads retry, ignores unknown fields and ids with NUL', () => {
  const p = new SseParser('7');
  const got = p.push('retry: 250\nfoo: bar\nid: a\0b\ndata\n\n');
  assert.deepEqual(got, [{ event: 'message', data: '', id: '7' }]);
  assert.equal(p.retry, 250);
});

interface Served {
  url: string;
  requests: { lastEventId: string | undefined; auth: string | undefined }[];
  close(): Promise<void>;
}

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<Served> {
  const requests: Served['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({
      lastEventId: req.headers['last-event-id'] as string | undefined,
      auth: req.headers.authorization,
    });
    handler(req, res, requests.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stream`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const sse = (res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });

test('a dropped stream reconnects with Last-Event-ID and resumes without loss or repeats', async () => {
  // The server numbers lines 0..9 and resumes after the id the client sends; the first
  // connection dies after line 3, the second after line 6.
  const server = await serve((req, res, n) => {
    sse(res);
    res.write(': ping\n\n');
    const after = Number(req.headers['last-event-id'] ?? -1);
    const stopAt = n === 1 ? 3 : n === 2 ? 6 : 9;
    let body = '';
    for (let pos = after + 1; pos <= stopAt; pos++) body += `id: ${pos}\ndata: {"pos":${pos}}\n\n`;
    if (stopAt === 9) res.end(`${body}event: error\ndata: eof\n\n`);
    // Cut the connection once the lines are on the wire, as a proxy or a network would.
    else res.write(body, () => setImmediate(() => res.destroy()));
  });
  try {
    const got: number[] = [];
    const opens: boolean[] = [];
    const end = await new Promise<StreamEnd>((resolve) => {
      openStream(server.url, {
        token: () => 'tok',
        retryMs: 10,
        onOpen: (again) => opens.push(again),
        onEvent: (ev) => got.push(JSON.parse(ev.data).pos),
        onEnd: resolve,
      });
    });
    assert.deepEqual(end, { kind: 'eof' });
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(opens, [false, true, true]);
    assert.deepEqual(
      server.requests.map((r) => r.lastEventId),
      [undefined, '3', '6'],
    );
    assert.ok(server.requests.every((r) => r.auth === 'Bearer tok'));
  } finally {
    await server.close();
  }
});

test('a missing endpoint ends as unsupported; a refusal ends without retrying', async () => {
  const server = await serve((req, res) => {
    res.writeHead(req.url === '/missing' ? 404 : 401).end('{"message":"Unauthorized"}');
  });
  try {
    const base = server.url.replace('/stream', '');
    const run = (path: string) =>
      new Promise<StreamEnd>((resolve) => {
        openStream(`${base}${path}`, { onEvent: () => {}, onEnd: resolve, retryMs: 10 });
      });
    assert.deepEqual(await run('/missing'), { kind: 'unsupported' });
    assert.deepEqual(await run('/private'), { kind: 'refused', status: 401 });
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

test('close() stops a stream that is waiting for events', async () => {
  const server = await serve((_req, res) => {
    sse(res);
    res.write('data: one\n\n');
  });
  try {
    const end = await new Promise<StreamEnd>((resolve) => {
      const stream = openStream(server.url, {
        onEvent: (ev) => {
          assert.equal(ev.data, 'one');
          stream.close();
        },
        onEnd: resolve,
      });
    });
    assert.deepEqual(end, { kind: 'closed' });
  } finally {
    await server.close();
  }
});
