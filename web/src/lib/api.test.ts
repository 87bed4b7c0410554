import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ApiError, createApi, errorMessage, parseParams, path, queryString } from './api.js';

test('paths, queries and KEY=value parameters', () => {
  assert.equal(path('a b', 'c/d', 3), 'a%20b/c%2Fd/3');
  assert.equal(queryString({ a: 1, b: undefined, c: 'x y' }), '?a=1&c=x+y');
  assert.equal(queryString({}), '');
  assert.deepEqual(parseParams('A=1\n# note\n\n B = two=2 \n'), { A: '1', B: 'two=2' });
  assert.throws(() => parseParams('oops'), /not KEY=value/);
  assert.equal(errorMessage(404, '{"message":"Build not found"}'), 'Build not found');
  assert.equal(errorMessage(403, '<html>'), 'Forbidden');
  assert.equal(errorMessage(502, ''), 'The server answered 502.');
});

test('the client sends the token, encodes segments and raises ApiError with the server message', async () => {
  const seen: { method: string; url: string; auth?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/api/repos/o/gone')) return res.writeHead(404).end('{"message":"Not Found"}');
      if (req.method === 'DELETE') return res.writeHead(204).end();
      res.end(JSON.stringify({ ok: true, echo: body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  let token: string | undefined = 'secret-token';
  const api = createApi({ baseUrl: `http://127.0.0.1:${port}`, token: () => token });
  try {
    await api.deploy('my org', 'r', 4, 'promote', 'prod', { VERSION: '1.2' });
    await api.updateSecret('o', 'r', 'a/b', { data: 'v' });
    await api.deleteCron('o', 'r', 'nightly');
    token = undefined;
    await assert.rejects(api.repo('o', 'gone'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 404);
      assert.equal(err.message, 'Not Found');
      return true;
    });
    assert.deepEqual(seen[0], {
      method: 'POST',
      url: '/api/repos/my%20org/r/builds/4/promote?VERSION=1.2&target=prod',
      auth: 'Bearer secret-token',
      body: '',
    });
    assert.equal(seen[1]!.url, '/api/repos/o/r/secrets/a%2Fb');
    assert.equal(seen[1]!.body, '{"data":"v"}');
    assert.equal(seen[2]!.method, 'DELETE');
    assert.equal(seen[3]!.auth, undefined);
  } finally {
    server.close();
  }
});

test('an unreachable server is status 0 with a plain sentence', async () => {
  const api = createApi({ baseUrl: 'http://127.0.0.1:1', token: () => undefined });
  await assert.rejects(api.user(), (err: unknown) => err instanceof ApiError && err.status === 0);
});
