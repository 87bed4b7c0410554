import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseAddr, parseSecretKey, readServerConfig, serverLink } from './config.js';

test('defaults', () => {
  const c = readServerConfig({}, {}, '/srv');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.dataDir, '/srv/hangar-data');
  assert.equal(c.databaseUrl, 'sqlite:/srv/hangar-data/hangar.db');
  assert.equal(c.adminToken, '');
  assert.equal(c.secretKey, undefined);
  assert.equal(c.rpcSecret, '');
  assert.equal(serverLink(c), 'http://127.0.0.1:8080');
  assert.equal(c.logLevel, 'info');
});

test('environment, then flags over it; Drone aliases', () => {
  const env = {
    HANGAR_ADDR: ':9000',
    HANGAR_DATA: 'data',
    HANGAR_DATABASE_URL: 'postgres://u:p@db/hangar',
    DRONE_RPC_SECRET: 'rpc',
    DRONE_SERVER_HOST: 'ci.example.com',
    HANGAR_SERVER_PROTO: 'HTTPS',
  };
  const c = readServerConfig(env, {}, '/srv');
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.port, 9000);
  assert.equal(c.dataDir, '/srv/data');
  assert.equal(c.databaseUrl, 'postgres://u:p@db/hangar');
  assert.equal(c.rpcSecret, 'rpc');
  assert.equal(serverLink(c), 'https://ci.example.com');
  const f = readServerConfig(env, { addr: '127.0.0.1:1', data: '/d', database: 'sqlite::memory:' }, '/srv');
  assert.equal(f.port, 1);
  assert.equal(f.dataDir, '/d');
  assert.equal(f.databaseUrl, 'sqlite::memory:');
  assert.equal(readServerConfig({ HANGAR_RPC_SECRET: 'a', DRONE_RPC_SECRET: 'b' }).rpcSecret, 'a');
});

test('addresses', () => {
  assert.deepEqual(parseAddr('[::1]:80'), { host: '::1', port: 80 });
  assert.deepEqual(parseAddr('localhost:0'), { host: 'localhost', port: 0 });
  for (const bad of ['8080', 'host:', 'a:b', ':70000', 'h:1:2'])
    assert.throws(() => parseAddr(bad), ConfigError, bad);
});

test('secret keys: hex, base64, 32 characters; anything else is refused', () => {
  const hex = 'ab'.repeat(32);
  assert.deepEqual(parseSecretKey(hex), Buffer.from(hex, 'hex'));
  const raw = Buffer.alloc(32, 7);
  assert.deepEqual(parseSecretKey(raw.toString('base64')), raw);
  assert.deepEqual(
    parseSecretKey('0123456789abcdef0123456789abcdef'),
    Buffer.from('0123456789abcdef0123456789abcdef'),
  );
  assert.throws(() => parseSecretKey('short'), /HANGAR_SECRET_KEY must be 32 bytes/);
  assert.throws(() => readServerConfig({ HANGAR_SECRET_KEY: 'x'.repeat(40) }), ConfigError);
});

test('bad values name the variable', () => {
  assert.throws(() => readServerConfig({ HANGAR_ADMIN_TOKEN: 'has space in it here' }), /HANGAR_ADMIN_TOKEN/);
  assert.throws(() => readServerConfig({ HANGAR_ADMIN_TOKEN: 'short' }), /HANGAR_ADMIN_TOKEN/);
  assert.throws(() => readServerConfig({ HANGAR_SERVER_HOST: 'http://x' }), /HANGAR_SERVER_HOST/);
  assert.throws(() => readServerConfig({ HANGAR_LOG_LEVEL: 'loud' }), /HANGAR_LOG_LEVEL/);
  assert.throws(() => readServerConfig({ HANGAR_ADDR: 'x' }), /HANGAR_ADDR/);
});
