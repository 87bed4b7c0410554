import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import type { App, RouteContext } from '../app.js';
import { webRoutesFrom } from './web.js';

let dir: string;
let app: ReturnType<typeof Fastify>;
const bigJs = `console.log(${JSON.stringify('x'.repeat(5000))});\n`;

// The module on its own (as createApp registers it), with the app's JSON 404 and an API route.
async function appOver(root: string) {
  const a = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  a.setNotFoundHandler((_req, reply) => {
    reply.code(404).send({ message: 'Not Found' });
  });
  a.get('/api/user', async () => ({ login: 'me' }));
  await a.register(async (scope) => {
    await webRoutesFrom(root)(scope as unknown as App, {} as RouteContext);
  });
  await a.ready();
  return a;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hangar-web-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Hangar</title><div id="root"></div>');
  await writeFile(join(dir, 'assets', 'index-abc123.js'), bigJs);
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(tmpdir(), 'hangar-web-secret.txt'), 'outside');
  app = await appOver(dir);
});

after(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

test('/ and any page path answer index.html, revalidated every time, with a CSP', async () => {
  for (const url of ['/', '/octocat/hello/42', '/octocat/hello/42/1/2?x=1', '/signin']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    assert.match(res.body, /<div id="root">/);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
  }
  const first = await app.inject({ method: 'GET', url: '/' });
  const again = await app.inject({
    method: 'GET',
    url: '/builds',
    headers: { 'if-none-match': String(first.headers.etag) },
  });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
});

test('hashed assets are immutable for a year and compressed for clients that accept it', async () => {
  const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.body, bigJs);
  assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(plain.headers.vary, 'accept-encoding');

  const gz = await app.inject({
    method: 'GET',
    url: '/assets/index-abc123.js',
    headers: { 'accept-encoding': 'gzip' },
  });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.rawPayload.length < bigJs.length / 10);
  assert.equal(gunzipSync(gz.rawPayload).toString(), bigJs);

  const br = await app.inject({
    method: 'GET',
    url: '/assets/index-abc123.js',
    headers: { 'accept-encoding': 'gzip, deflate, br' },
  });
  assert.equal(br.headers['content-encoding'], 'br');

  const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
  assert.equal(icon.headers['content-type'], 'image/svg+xml');
  assert.equal(icon.headers['cache-control'], 'no-cache');
});

test('a changed file is served fresh (the cache follows the file)', async () => {
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>');
  const res = await app.inject({ method: 'GET', url: '/favicon.svg' });
  assert.match(res.body, /<g\/>/);
});

test('API paths, missing files and paths leaving the folder are 404, never the app', async () => {
  assert.deepEqual((await app.inject({ method: 'GET', url: '/api/user' })).json(), { login: 'me' });
  for (const url of [
    '/api/nope',
    '/api',
    '/rpc/v2/nope',
    '/healthz/x',
    '/assets/index-old999.js',
    '/robots.txt',
    '/..%2fhangar-web-secret.txt',
    '/assets/..%2f..%2fhangar-web-secret.txt',
    '/%2e%2e/hangar-web-secret.txt',
    '/a%00.js',
  ]) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 404, url);
    assert.deepEqual(res.json(), { message: 'Not Found' }, url);
  }
  // Other methods are never the app's.
  assert.equal((await app.inject({ method: 'POST', url: '/octocat/hello' })).statusCode, 404);
});

test('without a build, / says how to make one instead of failing', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'hangar-web-empty-'));
  const bare = await appOver(join(empty, 'dist'));
  try {
    const res = await bare.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /npm run web:build/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal((await bare.inject({ method: 'GET', url: '/octocat/hello' })).statusCode, 404);
    assert.deepEqual((await bare.inject({ method: 'GET', url: '/api/nope' })).json(), {
      message: 'Not Found',
    });
  } finally {
    await bare.close();
    await rm(empty, { recursive: true, force: true });
  }
});
