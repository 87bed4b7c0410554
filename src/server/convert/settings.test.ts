import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readServerConfig } from '../config.js';

const read = (env: Record<string, string>) => readServerConfig({ HANGAR_DATA: '/tmp/x', ...env }).convert;

test('convert settings: Jsonnet off and no extension by default, as Drone', () => {
  assert.deepEqual(read({}), { jsonnet: { enabled: false, importLimit: 50 }, extension: undefined });
});

test('convert settings: HANGAR_ and DRONE_ names', () => {
  assert.deepEqual(read({ DRONE_JSONNET_ENABLED: 'true', DRONE_JSONNET_IMPORT_LIMIT: '3' })?.jsonnet, {
    enabled: true,
    importLimit: 3,
  });
  assert.deepEqual(
    read({
      DRONE_CONVERT_PLUGIN_ENDPOINT: 'https://convert.example.test/star',
      DRONE_CONVERT_PLUGIN_SECRET: 's3cret',
      DRONE_CONVERT_PLUGIN_SKIP_VERIFY: 'true',
      DRONE_CONVERT_PLUGIN_EXTENSION: '.star',
      DRONE_CONVERT_TIMEOUT: '30s',
    })?.extension,
    {
      endpoint: 'https://convert.example.test/star',
      secret: 's3cret',
      skipVerify: true,
      extension: '.star',
      timeoutMs: 30_000,
    },
  );
  assert.equal(
    read({ HANGAR_CONVERT_PLUGIN_ENDPOINT: 'http://127.0.0.1:3000', HANGAR_CONVERT_PLUGIN_SECRET: 'x' })
      ?.extension?.timeoutMs,
    60_000,
  );
});

test('convert settings: mistakes name the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ HANGAR_JSONNET_ENABLED: 'maybe' }, /HANGAR_JSONNET_ENABLED must be true or false/],
    [{ HANGAR_JSONNET_IMPORT_LIMIT: '-1' }, /HANGAR_JSONNET_IMPORT_LIMIT must be a whole number/],
    [
      { HANGAR_CONVERT_PLUGIN_ENDPOINT: 'ftp://x' },
      /HANGAR_CONVERT_PLUGIN_ENDPOINT must be an http\(s\) URL/,
    ],
    [{ HANGAR_CONVERT_PLUGIN_ENDPOINT: 'http://x' }, /needs HANGAR_CONVERT_PLUGIN_SECRET/],
    [
      {
        HANGAR_CONVERT_PLUGIN_ENDPOINT: 'http://x',
        HANGAR_CONVERT_PLUGIN_SECRET: 'y',
        HANGAR_CONVERT_TIMEOUT: '1h',
      },
      /HANGAR_CONVERT_TIMEOUT must be/,
    ],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => read(env),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
    );
  }
});
