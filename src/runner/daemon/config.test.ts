import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  dockerCompileOptions,
  dockerSettingNames,
  readDockerRunnerSettings,
  readEnvFile,
  runnerGlobals,
} from './config.js';
import { readRunnerSettings, SettingsError } from './settings.js';

test('defaults: nothing added to the containers', () => {
  const s = readDockerRunnerSettings({});
  assert.deepEqual(s, {
    networks: [],
    networkOptions: {},
    volumes: [],
    devices: [],
    resources: {
      memLimit: 0,
      memswapLimit: 0,
      shmSize: 0,
      cpuQuota: 0,
      cpuPeriod: 0,
      cpuShares: 0,
      cpuSet: [],
    },
    envFile: '',
    netrcCloneOnly: false,
    cloneImage: '',
    privilegedImages: [],
    allowPluginVolumes: false,
  });
});

test("Drone's names and formats, as drone-runner-docker reads them", () => {
  const s = readDockerRunnerSettings({
    DRONE_RUNNER_NETWORKS: 'shared, proxy',
    DRONE_RUNNER_NETWORK_OPTS: 'com.docker.network.driver.mtu:1400,com.docker.network.bridge.enable_icc:true',
    DRONE_RUNNER_VOLUMES: '/etc/ssl/certs:/etc/ssl/certs:ro, go-cache:/go/pkg',
    DRONE_RUNNER_DEVICES: '/dev/fuse,/dev/kvm:/dev/vm',
    DRONE_MEMORY_LIMIT: '536870912',
    DRONE_MEMORY_SWAP_LIMIT: '-1',
    DRONE_SHM_SIZE: '64MiB',
    DRONE_CPU_QUOTA: '50000',
    DRONE_CPU_PERIOD: '100000',
    DRONE_CPU_SHARES: '512',
    DRONE_CPU_SET: '0,2-3',
    DRONE_RUNNER_ENV_FILE: '/etc/drone/env',
    DRONE_NETRC_CLONE_ONLY: 'true',
    DRONE_RUNNER_CLONE_IMAGE: 'registry.local/git:2',
    DRONE_RUNNER_PRIVILEGED_IMAGES: 'acme/dind, acme/buildx',
    DRONE_FLAG_ALLOW_DOCKER_PLUGIN_VOLUMES: 'true',
  });
  assert.deepEqual(s.networks, ['shared', 'proxy']);
  assert.deepEqual(s.networkOptions, {
    'com.docker.network.driver.mtu': '1400',
    'com.docker.network.bridge.enable_icc': 'true',
  });
  assert.deepEqual(s.volumes, [
    { source: '/etc/ssl/certs', target: '/etc/ssl/certs', readOnly: true },
    { source: 'go-cache', target: '/go/pkg', readOnly: false },
  ]);
  assert.deepEqual(s.devices, [
    { host: '/dev/fuse', container: '/dev/fuse' },
    { host: '/dev/kvm', container: '/dev/vm' },
  ]);
  assert.deepEqual(s.resources, {
    memLimit: 512 * 1024 ** 2,
    memswapLimit: -1,
    shmSize: 64 * 1024 ** 2,
    cpuQuota: 50_000,
    cpuPeriod: 100_000,
    cpuShares: 512,
    cpuSet: ['0', '2-3'],
  });
  assert.equal(s.envFile, '/etc/drone/env');
  assert.equal(s.netrcCloneOnly, true);
  assert.equal(s.cloneImage, 'registry.local/git:2');
  assert.deepEqual(s.privilegedImages, ['acme/dind', 'acme/buildx']);
  assert.equal(s.allowPluginVolumes, true);
  const c = dockerCompileOptions(s);
  assert.equal(c.cloneImage, 'registry.local/git:2');
  assert.equal(dockerCompileOptions(readDockerRunnerSettings({})).cloneImage, undefined);
});

test('HANGAR_* wins over DRONE_*, which wins over the legacy DRONE_LIMIT_* names', () => {
  const s = readDockerRunnerSettings({
    HANGAR_MEMORY_LIMIT: '1g',
    DRONE_MEMORY_LIMIT: '2g',
    DRONE_LIMIT_MEM: '3g',
    DRONE_LIMIT_CPU_SHARES: '256',
    HANGAR_RUNNER_NETWORKS: 'mine',
    DRONE_RUNNER_NETWORKS: 'theirs',
  });
  assert.equal(s.resources.memLimit, 1024 ** 3);
  assert.equal(s.resources.cpuShares, 256);
  assert.deepEqual(s.networks, ['mine']);
  const names = dockerSettingNames().find((n) => n.env === 'HANGAR_MEMORY_LIMIT');
  assert.deepEqual(names?.aliases, ['DRONE_MEMORY_LIMIT', 'DRONE_LIMIT_MEM']);
});

test('the same volume source twice: the last one counts (Drone keeps a map)', () => {
  const s = readDockerRunnerSettings({ DRONE_RUNNER_VOLUMES: '/a:/x,/b:/y,/a:/z:ro' });
  assert.deepEqual(s.volumes, [
    { source: '/b', target: '/y', readOnly: false },
    { source: '/a', target: '/z', readOnly: true },
  ]);
});

test('malformed values are settings errors that name the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { DRONE_RUNNER_VOLUMES: '/only-a-source' },
      /^DRONE_RUNNER_VOLUMES: expected SOURCE:\/container\/path\[:ro\]/,
    ],
    [{ DRONE_RUNNER_VOLUMES: '/a:relative' }, /DRONE_RUNNER_VOLUMES/],
    [{ DRONE_RUNNER_VOLUMES: '/a:/b:rw' }, /DRONE_RUNNER_VOLUMES/],
    [{ DRONE_RUNNER_DEVICES: 'fuse' }, /^DRONE_RUNNER_DEVICES: expected \/dev\/host/],
    [{ DRONE_MEMORY_LIMIT: 'lots' }, /^DRONE_MEMORY_LIMIT: must be a size in bytes/],
    [{ DRONE_MEMORY_LIMIT: '-1' }, /DRONE_MEMORY_LIMIT/],
    [{ HANGAR_CPU_QUOTA: '0.5' }, /^HANGAR_CPU_QUOTA: must be a whole number/],
    [{ DRONE_CPU_SET: '0,a' }, /^DRONE_CPU_SET: expected CPUs such as 0,1 or 0-3, got "a"/],
    [{ DRONE_NETRC_CLONE_ONLY: 'maybe' }, /^DRONE_NETRC_CLONE_ONLY: must be true or false/],
    [{ DRONE_RUNNER_NETWORK_OPTS: 'novalue' }, /^DRONE_RUNNER_NETWORK_OPTS: expected key:value/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => readDockerRunnerSettings(env),
      (e: unknown) => e instanceof SettingsError && message.test(e.message),
    );
  }
});

test('readRunnerSettings carries the docker settings', () => {
  const s = readRunnerSettings(
    { DRONE_RUNNER_NETWORKS: 'n1' },
    {},
    { hostname: 'h', platform: 'linux', arch: 'x64' },
    false,
  );
  assert.deepEqual(s.docker.networks, ['n1']);
});

test('env file: dotenv syntax; its variables win over DRONE_RUNNER_ENVIRON; unreadable = settings error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-envfile-'));
  try {
    const file = join(dir, 'runner.env');
    await writeFile(
      file,
      '# runner globals\nexport GOPROXY=https://proxy.local\nREGION="eu west"\nEMPTY=\nQUOTED=\'a#b\' # comment\nSHARED=from-file\n',
    );
    assert.deepEqual(await readEnvFile(file), {
      GOPROXY: 'https://proxy.local',
      REGION: 'eu west',
      EMPTY: '',
      QUOTED: 'a#b',
      SHARED: 'from-file',
    });
    const globals = await runnerGlobals({ SHARED: 'from-environ', ONLY: 'environ' }, { envFile: file });
    assert.equal(globals.SHARED, 'from-file');
    assert.equal(globals.ONLY, 'environ');
    assert.deepEqual(await readEnvFile(''), {});
    await assert.rejects(
      readEnvFile(join(dir, 'missing.env')),
      (e: unknown) =>
        e instanceof SettingsError && /cannot read the env file .*missing\.env: ENOENT/.test(e.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('env file: variables expand as godotenv expands them (earlier keys only; not in single quotes)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-envfile-'));
  try {
    const file = join(dir, 'runner.env');
    // godotenv's fixtures/substitutions.env, plus quoting and escapes.
    await writeFile(
      file,
      `OPTION_A=1
OPTION_B=\${OPTION_A}
OPTION_C=$OPTION_B
OPTION_D=\${OPTION_A}\${OPTION_B}
OPTION_E=\${OPTION_NOT_DEFINED}
QUOTED="x-$OPTION_A"
SINGLE='x-$OPTION_A'
ESCAPED=pa\\$$word
LATER=$OPTION_Z
OPTION_Z=z
lower=$lower_case
`,
    );
    assert.deepEqual(await readEnvFile(file), {
      OPTION_A: '1',
      OPTION_B: '1',
      OPTION_C: '1',
      OPTION_D: '11',
      OPTION_E: '',
      QUOTED: 'x-1',
      SINGLE: 'x-$OPTION_A',
      ESCAPED: 'pa$$word',
      LATER: '',
      OPTION_Z: 'z',
      lower: '$lower_case',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every docker runner setting has its row in the README settings table', async () => {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Settings'));
  for (const { env } of dockerSettingNames()) assert.match(table, new RegExp(`^\\| .*\`${env}\``, 'm'), env);
});
