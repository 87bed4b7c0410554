import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRunnerSettings, SettingsError, settingNames } from './settings.js';

const HOST = { hostname: 'box-1', platform: 'linux', arch: 'arm64' };
const BASE = { DRONE_RPC_HOST: 'ci.example.com', DRONE_RPC_SECRET: 's3cret' };

test('Drone names alone configure a runner; defaults as drone-runner-docker', () => {
  const s = readRunnerSettings(BASE, {}, HOST);
  assert.equal(s.proto, 'http');
  assert.equal(s.host, 'ci.example.com');
  assert.equal(s.secret, 's3cret');
  assert.equal(s.name, 'box-1');
  assert.equal(s.capacity, 2);
  assert.equal(s.engine, 'docker');
  assert.deepEqual(s.platform, { os: 'linux', arch: 'amd64', variant: '', kernel: '' });
  assert.deepEqual(s.labels, {});
  assert.deepEqual(s.limits, { repos: [], events: [], trusted: false });
  assert.equal(s.maxProcs, 0);
  assert.equal(s.graceMs, 600_000);
});

test('HANGAR_* wins over DRONE_*, and flags over both', () => {
  const env = {
    ...BASE,
    HANGAR_RPC_HOST: 'hangar:8080',
    DRONE_RUNNER_CAPACITY: '4',
    HANGAR_RUNNER_CAPACITY: '6',
    DRONE_RUNNER_LABELS: 'gpu:yes, zone : eu ',
    DRONE_LIMIT_REPOS: 'octocat/*, acme/api',
    DRONE_LIMIT_EVENTS: 'push,tag',
    DRONE_LIMIT_TRUSTED: 'true',
    DRONE_RUNNER_ENVIRON: 'GOPROXY:https://proxy.golang.org,A:b',
  };
  const s = readRunnerSettings(env, { capacity: '3', name: 'r9' }, HOST);
  assert.equal(s.host, 'hangar:8080');
  assert.equal(s.capacity, 3);
  assert.equal(s.name, 'r9');
  assert.deepEqual(s.labels, { gpu: 'yes', zone: 'eu' });
  assert.deepEqual(s.limits, { repos: ['octocat/*', 'acme/api'], events: ['push', 'tag'], trusted: true });
  assert.deepEqual(s.environ, { GOPROXY: 'https://proxy.golang.org', A: 'b' });
  assert.equal(readRunnerSettings(env, { limitTrusted: false }, HOST).limits.trusted, false);
});

test('the exec engine defaults to the host platform (Go names); explicit platform values stay', () => {
  const s = readRunnerSettings({ ...BASE, HANGAR_RUNNER_ENGINE: 'exec' }, {}, { ...HOST, arch: 'x64' });
  assert.equal(s.engine, 'exec');
  assert.deepEqual(s.platform, { os: 'linux', arch: 'amd64', variant: '', kernel: '' });
  const d = readRunnerSettings(
    { ...BASE, DRONE_PLATFORM_ARCH: 'arm64', DRONE_PLATFORM_VARIANT: 'v8' },
    {},
    HOST,
  );
  assert.deepEqual(d.platform, { os: 'linux', arch: 'arm64', variant: 'v8', kernel: '' });
});

test('a pasted URL sets proto and host', () => {
  const s = readRunnerSettings({ ...BASE, DRONE_RPC_HOST: 'https://ci.example.com/' }, {}, HOST);
  assert.equal(s.proto, 'https');
  assert.equal(s.host, 'ci.example.com');
});

test('mistakes name the setting and never echo the secret', () => {
  const cases: [Record<string, string>, Record<string, string>, RegExp][] = [
    [{}, {}, /HANGAR_RPC_HOST.*required/],
    [{ DRONE_RPC_HOST: 'x' }, {}, /HANGAR_RPC_SECRET.*required/],
    [{ ...BASE, DRONE_RPC_PROTO: 'ftp' }, {}, /DRONE_RPC_PROTO: must be http or https/],
    [{ ...BASE, HANGAR_RUNNER_CAPACITY: '0' }, {}, /HANGAR_RUNNER_CAPACITY: must be a whole number ≥ 1/],
    [BASE, { capacity: 'two' }, /--capacity: must be a whole number/],
    [{ ...BASE, HANGAR_RUNNER_ENGINE: 'kubernetes' }, {}, /must be docker or exec/],
    [{ ...BASE, DRONE_RUNNER_LABELS: 'novalue' }, {}, /DRONE_RUNNER_LABELS: expected key:value/],
    [{ ...BASE, DRONE_LIMIT_TRUSTED: 'maybe' }, {}, /DRONE_LIMIT_TRUSTED: must be true or false/],
    [{ ...BASE, HANGAR_RUNNER_GRACE: 'soon' }, {}, /HANGAR_RUNNER_GRACE: must be a duration/],
    [{ ...BASE, DRONE_RPC_HOST: 'a/b' }, {}, /must be host\[:port\]/],
  ];
  for (const [env, flags, re] of cases) {
    assert.throws(
      () => readRunnerSettings(env, flags, HOST),
      (e: Error) => e instanceof SettingsError && re.test(e.message) && !e.message.includes('s3cret'),
      re.source,
    );
  }
});

test('the embedded runner needs no host or secret; durations take units', () => {
  const s = readRunnerSettings({ HANGAR_RUNNER_GRACE: '90s' }, {}, HOST, false);
  assert.equal(s.graceMs, 90_000);
  assert.equal(readRunnerSettings({}, { grace: '2m' }, HOST, false).graceMs, 120_000);
  assert.equal(readRunnerSettings({}, { grace: '15' }, HOST, false).graceMs, 15_000);
});

test('every setting has a HANGAR_ name and a flag; Drone aliases where Drone has the setting', () => {
  const names = settingNames();
  assert.ok(names.every((n) => n.env.startsWith('HANGAR_') && n.flag.startsWith('--')));
  for (const drone of [
    'DRONE_RPC_HOST',
    'DRONE_RPC_PROTO',
    'DRONE_RPC_SECRET',
    'DRONE_RUNNER_CAPACITY',
    'DRONE_RUNNER_NAME',
    'DRONE_RUNNER_LABELS',
    'DRONE_LIMIT_REPOS',
    'DRONE_LIMIT_EVENTS',
    'DRONE_LIMIT_TRUSTED',
  ]) {
    assert.ok(
      names.some((n) => n.alias === drone),
      drone,
    );
  }
});
